// Yoga as the gateway serves it: the schema, GraphiQL, CORS and masked errors, the plugins in the
// order they must run (HTTP observability and routes first, the response cache last), a fresh
// context per operation, and in front of it the replay of the response cache's answers.
import type { RequestListener } from 'node:http';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Admission } from '../access/admission.ts';
import type { Principal } from '../access/scopes.ts';
import type { JobsApi } from '../bedrock/jobs.ts';
import type { Config } from '../config.ts';
import { createDashboard } from '../dashboard/serve.ts';
import { toYogaLogger } from '../logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { requestIdFrom } from '../observability/operation-record.ts';
import type { Tracing } from '../observability/tracing.ts';
import { createAccessPlugin } from '../plugins/access-plugin.ts';
import { createCsrfPlugin } from '../plugins/csrf-plugin.ts';
import { createErrorDetailsPlugin } from '../plugins/error-details-plugin.ts';
import { createHttpObservabilityPlugin } from '../plugins/http-observability-plugin.ts';
import { createOperationObservabilityPlugin } from '../plugins/operation-observability-plugin.ts';
import { createQueryLimitsPlugins } from '../plugins/query-limits-plugin.ts';
import { createResponseCachePlugin } from '../plugins/response-cache-plugin.ts';
import { createSubscriptionStartPlugin } from '../plugins/subscription-start-plugin.ts';
import { createWarningsPlugin } from '../plugins/warnings-plugin.ts';
import type { ResultsStorage } from '../results/storage.ts';
import { createContext, type Context } from '../schema/context.ts';
import { schema } from '../schema/index.ts';
import type { JobFeed } from '../subscriptions/job-feed.ts';
import { createSharedSubscriptionExecutionPlugin } from '../subscriptions/shared-execution-plugin.ts';
import type { EventBridgeReceiver } from '../watch/event-bridge-receiver.ts';
import type { Poller } from '../watch/poller.ts';
import type { MaskedErrors } from '../websocket/wire-results.ts';
import type { CorsPolicy } from './cors.ts';
import type { GraphiQL } from './graphiql.ts';
import type { Readiness } from './readiness.ts';
import { createReplayedAnswers, type ReplayedAnswers } from './replayed-answers.ts';
import { ROUTES, createRoutesPlugin } from './routes.ts';
import type { GatewayServerContext } from './server-context.ts';

export type Yoga = YogaServerInstance<GatewayServerContext, Context>;

/** Scopes of a request that somehow reached execution without passing authentication. */
const NOBODY: Principal = { id: 'unauthenticated', kind: 'anonymous', scopes: new Set() };

export interface YogaParts {
  jobs: JobsApi;
  feed: JobFeed;
  poller: Poller;
  /** The jobs' S3 input and output. */
  storage: ResultsStorage;
  admission: Admission;
  tracing: Tracing;
  metrics: GatewayMetrics;
  logger: Logger;
  maskedErrors: MaskedErrors;
  cors: CorsPolicy;
  clientAddress(req: GatewayServerContext['req']): string;
  graphiql: GraphiQL | undefined;
  readiness: Readiness;
  eventBridge: EventBridgeReceiver | undefined;
}

export interface GatewayYoga {
  yoga: Yoga;
  /** Node's request listener: the response cache's answers replayed in front of Yoga, then Yoga. */
  listener: RequestListener;
}

/** Yoga with the gateway's plugins, in the order they must run, and a fresh context per operation. */
export function createGatewayYoga(config: Config, parts: YogaParts): GatewayYoga {
  const { admission, metrics, logger, clientAddress } = parts;
  // The response cache's answers, given again without Yoga (see replayed-answers.ts).
  const replayed =
    config.responseCache.maxEntries > 0
      ? createReplayedAnswers({
          ...config.responseCache,
          maxBodyBytes: config.limits.maxBodyBytes,
          graphqlEndpoint: '/graphql',
          admission,
          clientAddress,
          metrics,
          logger,
        })
      : undefined;
  const yoga = createYogaServer(config, parts, replayed);
  return { yoga, listener: replayed ? replayed.listener(yoga) : yoga };
}

function createYogaServer(config: Config, parts: YogaParts, replayed: ReplayedAnswers | undefined): Yoga {
  const { jobs, feed, poller, storage, admission, tracing, metrics, logger, maskedErrors, cors, clientAddress, graphiql, readiness, eventBridge } = parts;
  return createYoga<GatewayServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    logging: toYogaLogger(logger),
    maskedErrors,
    // MAX_REQUEST_BODY_BYTES is enforced by the query limits plugin, more cheaply.
    maxRequestBodySize: false,
    cors: cors.yogaOption,
    // The routes plugin serves GraphiQL: compressed, cached and with an ETag (graphiql.ts).
    graphiql: false,
    plugins: [
      createHttpObservabilityPlugin({ metrics, logger, routes: ROUTES, graphqlEndpoint: '/graphql' }),
      createRoutesPlugin({
        readiness,
        metrics,
        eventBridge,
        dashboard: config.dashboard ? createDashboard() : undefined,
        graphiql,
        readinessDetails: { authRequired: config.auth.required, admission, clientAddress: (serverContext) => clientAddress(serverContext.req) },
        logger,
      }),
      createCsrfPlugin(),
      createErrorDetailsPlugin({ exposeDetails: config.exposeErrorDetails }),
      createAccessPlugin({ admission, clientAddress: (serverContext) => clientAddress(serverContext.req) }),
      ...createQueryLimitsPlugins({ limits: config.limits, introspection: config.introspection }),
      createOperationObservabilityPlugin({ metrics, tracing }),
      createSharedSubscriptionExecutionPlugin(),
      createSubscriptionStartPlugin(),
      createWarningsPlugin(),
      // Last: a hit answers in onParams, so plugins that reject requests must come before it.
      config.responseCache.maxEntries > 0 &&
        createResponseCachePlugin({
          ...config.responseCache,
          onHit(serverContext, response) {
            metrics.countResponseCacheHit('pipeline');
            replayed?.servedFromCache(serverContext.req, serverContext.res, response);
          },
        }),
    ],
    context: (initial) =>
      createContext({
        jobs,
        feed,
        poller,
        results: { storage, options: config.results },
        retry: config.retry,
        upstreamConcurrency: config.upstream.concurrency,
        maxBatchIdentifiers: config.maxBatchIdentifiers,
        maxJobsPerOperation: config.limits.maxJobsPerOperation,
        principal: initial.principal ?? NOBODY,
        clientAddress: initial.req && clientAddress(initial.req),
        requestId: initial.operation?.requestId ?? requestIdFrom(undefined),
      }),
  });
}
