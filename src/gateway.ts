// The gateway: one HTTP server carrying Yoga (GET, POST, SSE, GraphiQL) and graphql-ws on one
// port. Owns the lifecycle of everything it starts: server, poller, Bedrock client, simulator.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { Logger } from 'pino';
import { createAuthenticator } from './access/authenticator.ts';
import type { Principal } from './access/scopes.ts';
import { createBedrockClient } from './bedrock/client.ts';
import { createCircuitBreaker } from './bedrock/circuit-breaker.ts';
import { createInProcessJobCache } from './bedrock/job-cache.ts';
import { createJobsApi } from './bedrock/jobs.ts';
import { createTerminalJobCache } from './bedrock/terminal-job-cache.ts';
import type { Config } from './config.ts';
import { createDashboard } from './dashboard/serve.ts';
import { exampleQuery } from './http/example-query.ts';
import { createTokenBucket } from './limits/token-bucket.ts';
import { createLogger, toYogaLogger } from './logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { createAccessPlugin } from './plugins/access-plugin.ts';
import { createHttpObservabilityPlugin } from './plugins/http-observability-plugin.ts';
import { createOperationObservabilityPlugin } from './plugins/operation-observability-plugin.ts';
import { CREDENTIAL_HEADERS } from './access/credential-session.ts';
import { requestIdFrom } from './observability/operation-record.ts';
import { createQueryLimitsPlugins } from './plugins/query-limits-plugin.ts';
import type { GatewayServerContext } from './plugins/server-context.ts';
import { createReadiness } from './http/readiness.ts';
import { connectScaleOut } from './redis/scale-out.ts';
import { createResponseCachePlugin } from './plugins/response-cache-plugin.ts';
import { createSharedSubscriptionExecutionPlugin } from './subscriptions/shared-execution-plugin.ts';
import { schema } from './schema/index.ts';
import { createContext, type Context } from './schema/context.ts';
import { createTracing } from './observability/tracing.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator, type Simulator } from './simulator/index.ts';
import { createWebSocketTransport, type MaskedErrors } from './websocket/transport.ts';
import { EVENT_BRIDGE_PATH, createEventBridgeReceiver } from './watch/event-bridge-receiver.ts';
import { createJobFeed, type JobFeed } from './subscriptions/job-feed.ts';
import { createJobPubSub } from './watch/job-pub-sub.ts';
import { createLocalPollOwnership } from './watch/poll-ownership.ts';
import { createPoller, type Poller } from './watch/poller.ts';

export interface GatewayOptions {
  logger?: Logger;
  /**
   * With BEDROCK_BACKEND=simulator, use this simulator instead of starting one. The caller
   * keeps ownership: `close()` leaves it running. Tests use it to read counters and inject faults.
   */
  simulator?: Simulator;
  /**
   * Export the process's CPU, memory, event-loop and GC metrics on /metrics. They install
   * process-wide monitors, so tests that start many gateways turn them off. @default true
   */
  processMetrics?: boolean;
}

type Yoga = YogaServerInstance<GatewayServerContext, Context>;

export interface Gateway {
  readonly yoga: Yoga;
  readonly server: Server;
  readonly poller: Poller;
  readonly feed: JobFeed;
  /** The simulator in use (simulator mode only). */
  readonly simulator: Simulator | undefined;
  /** Listens on the configured host and port; resolves with the base URL. */
  start(): Promise<string>;
  /**
   * Graceful shutdown: stops accepting, completes every live subscription, closes WebSockets
   * with 1001 (going away), stops the poller, and closes everything the gateway started.
   */
  close(): Promise<void>;
}

/** How long close() waits for live operations to send their completion before closing sockets. */
const DRAIN_TIMEOUT_MS = 2000;
/** Counted under their own name in gateway_http_requests_total. */
const ROUTES = ['/graphql', '/healthz', '/readyz', '/metrics', EVENT_BRIDGE_PATH, '/'];
/** A GET must carry it (or any non-simple content type), so that browsers preflight it. */
const CSRF_HEADER = 'x-graphql-yoga-csrf';
/** Scopes of a request that somehow reached execution without passing authentication. */
const NOBODY: Principal = { id: 'unauthenticated', kind: 'anonymous', scopes: new Set() };

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config);
  const ownsSimulator = config.backend === 'simulator' && !options.simulator;
  const simulator =
    config.backend === 'simulator'
      ? (options.simulator ??
        (await startSimulator({ stepMs: config.simulator.stepMs, logger: logger.child({ component: 'simulator' }) })))
      : undefined;

  if (config.backend === 'aws' && !config.auth.required) {
    logger.warn(
      'AUTH_REQUIRED=false with BEDROCK_BACKEND=aws: anyone who can reach this port can read your Bedrock jobs. Set GATEWAY_API_KEYS or JWT_* and remove AUTH_REQUIRED=false before exposing it.',
    );
  }
  if (config.graphiql && !config.introspection) {
    logger.warn('GRAPHIQL=true with INTROSPECTION=false: GraphiQL cannot load the schema');
  }

  const metrics = createMetrics({ processMetrics: options.processMetrics });
  const tracing = createTracing(config.tracing);
  const circuitBreaker = createCircuitBreaker(config.circuitBreaker);
  const client = createBedrockClient(
    config.upstream,
    simulator ? { endpoint: simulator.url, region: SIMULATOR_REGION, credentials: SIMULATOR_CREDENTIALS } : {},
  );
  const finishedJobs = createTerminalJobCache(config.terminalCacheSize);
  // With REDIS_URL, the job cache, the job topics and the poll leases are shared with every
  // instance using that Redis; without it they stay in this process.
  const scaleOut = config.redis
    ? await connectScaleOut(config.redis, { finishedJobs, logger: logger.child({ component: 'redis' }) })
    : undefined;
  const jobs = createJobsApi({
    client,
    cache: scaleOut?.cache ?? createInProcessJobCache(finishedJobs),
    deadlineMs: config.upstream.deadlineMs,
    logger,
    circuitBreaker,
    callBudget: createTokenBucket({ perSecond: config.upstream.callsPerSecond, burst: config.upstream.callsBurst }),
    onCall: (call) => metrics.observeUpstreamCall(call),
    tracing,
  });
  const pubSub = createJobPubSub(scaleOut?.eventTarget);
  const poller = createPoller({
    jobs,
    pubSub,
    ownership: scaleOut?.ownership ?? createLocalPollOwnership(),
    intervalMs: config.pollIntervalMs,
    maxRps: config.upstream.maxRps,
    concurrency: config.upstream.concurrency,
    logger: logger.child({ component: 'poller' }),
  });
  const feed = createJobFeed({ poller, pubSub, onFanOut: (seconds) => metrics.observeFanOut(seconds) });
  const readiness = createReadiness(jobs, scaleOut && { redis: scaleOut.health });
  const dashboard = config.dashboard ? createDashboard() : undefined;
  const eventBridge =
    config.eventBridgeSecret === undefined
      ? undefined
      : createEventBridgeReceiver({ secret: config.eventBridgeSecret, poller, logger: logger.child({ component: 'eventbridge' }) });
  const authenticator = createAuthenticator(config.auth, { logger: logger.child({ component: 'auth' }) });
  const rateLimiter =
    config.limits.rateLimitPerSecond > 0
      ? createTokenBucket({ perSecond: config.limits.rateLimitPerSecond, burst: config.limits.rateLimitBurst })
      : undefined;
  const clientAddress = (req: IncomingMessage | undefined) => clientAddressOf(req, config.limits.trustProxyHops);
  const isAllowedOrigin = (origin: string) => config.corsOrigins.includes('*') || config.corsOrigins.includes(origin);

  // Internal errors become "Unexpected error."; their message and stack reach clients only
  // with NODE_ENV=development, and the log always.
  const maskedErrors: MaskedErrors = { isDev: config.exposeErrorDetails, errorMessage: 'Unexpected error.' };
  const yoga: Yoga = createYoga<GatewayServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    logging: toYogaLogger(logger),
    maskedErrors,
    // MAX_REQUEST_BODY_BYTES is enforced by the query limits plugin, more cheaply.
    maxRequestBodySize: false,
    // Browsers may call from these origins only; requests without Origin (servers, curl) are
    // unaffected. Credentials are headers, never cookies, so no Allow-Credentials.
    cors:
      config.corsOrigins.length === 0
        ? false
        : (request) => {
            const origin = request.headers.get('origin');
            // For an allowed origin, ['*'] makes whatwg-node reflect it and add `Vary: Origin`;
            // a refused one gets no CORS headers at all (never `Access-Control-Allow-Origin: null`,
            // which sandboxed iframes would match).
            return origin && isAllowedOrigin(origin)
              ? {
                  origin: ['*'],
                  credentials: false,
                  methods: ['GET', 'POST'],
                  allowedHeaders: ['content-type', 'accept', 'authorization', 'x-api-key', 'x-request-id', 'x-graphql-yoga-csrf'],
                  exposedHeaders: ['x-request-id'],
                  maxAge: 600,
                }
              : false;
          },
    // Served from the installed package, not a CDN, so it works offline and under a strict CSP.
    renderGraphiQL,
    graphiql: config.graphiql && {
      title: 'Bedrock jobs gateway',
      defaultQuery: exampleQuery(simulator?.engine.list({ maxResults: 3 }).jobs.map((job) => job.jobId) ?? []),
      // SSE, not WS: GraphiQL sends its Headers tab with HTTP requests only (its graphql-ws
      // client's connection_init is empty), so with auth on, subscriptions over WS would be refused.
      subscriptionsProtocol: 'SSE',
      // Its SSE subscriptions are GETs: they need the CSRF header like any other GET.
      additionalHeaders: { [CSRF_HEADER]: '1' },
    },
    plugins: [
      createHttpObservabilityPlugin({ metrics, logger, routes: ROUTES, graphqlEndpoint: '/graphql' }),
      {
        // /readyz sits beside Yoga's /healthz (liveness, no upstream call); /metrics is Prometheus
        // text; the dashboard answers `/` and `/assets/*` and nothing else. Not an async
        // function: every GraphQL request passes here and should not pay for a promise.
        onRequest({ url, request, endResponse, fetchAPI }) {
          if (url.pathname === '/readyz') {
            return readiness.check().then((report) => endResponse(fetchAPI.Response.json(report, { status: report.ready ? 200 : 503 })));
          }
          if (url.pathname === '/metrics') {
            // A rejection here would reach the HTTP server (whatwg-node does not catch onRequest).
            return metrics.registry.metrics().then(
              (body) => endResponse(new fetchAPI.Response(body, { headers: { 'content-type': metrics.registry.contentType } })),
              (error: unknown) => {
                logger.error({ err: error }, 'collecting metrics failed');
                endResponse(new fetchAPI.Response('collecting metrics failed\n', { status: 500 }));
              },
            );
          }
          if (url.pathname === EVENT_BRIDGE_PATH && eventBridge) return eventBridge.handle(request).then(endResponse);
          const page = dashboard?.respond(request, url);
          if (page) endResponse(page);
          return undefined;
        },
      },
      // Refuses "simple" requests (GET without a custom header, form or text/plain POSTs), which a
      // browser would send cross-site without a CORS preflight.
      // Credential headers count too: no more CORS-safelisted than the CSRF header, they make
      // browsers preflight as well, so a GET with an API key needs nothing more.
      useCSRFPrevention({ requestHeaders: [CSRF_HEADER, ...CREDENTIAL_HEADERS] }),
      createAccessPlugin({
        authenticator,
        rateLimiter,
        clientAddress: (serverContext) => clientAddress(serverContext.req),
        onRejected: (reason) => metrics.countRejection(reason),
      }),
      ...createQueryLimitsPlugins({ limits: config.limits, introspection: config.introspection }),
      createOperationObservabilityPlugin({ metrics, tracing }),
      createSharedSubscriptionExecutionPlugin(),
      // Last: a hit answers in onParams, so plugins that reject requests must come before it.
      config.responseCache.maxEntries > 0 && createResponseCachePlugin(config.responseCache),
    ],
    context: (initial) =>
      createContext({
        jobs,
        feed,
        poller,
        upstreamConcurrency: config.upstream.concurrency,
        maxBatchIdentifiers: config.maxBatchIdentifiers,
        maxJobsPerOperation: config.limits.maxJobsPerOperation,
        principal: initial.principal ?? NOBODY,
        requestId: initial.operation?.requestId ?? requestIdFrom(undefined),
      }),
  });

  const server = createServer(yoga);
  const webSockets = createWebSocketTransport(server, yoga, {
    ...config.webSocket,
    maxMessageBytes: config.limits.maxBodyBytes,
    authenticator,
    rateLimiter,
    clientAddress,
    isAllowedOrigin,
    maskedErrors,
    metrics,
    logger,
  });
  metrics.watch({
    activeSubscriptions: () => feed.size,
    webSocketConnections: () => webSockets.connections,
    poller: () => poller.stats(),
    circuitState: () => circuitBreaker.state,
  });

  return {
    yoga,
    server,
    poller,
    feed,
    simulator,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
          if (simulator && config.eventBridgeSecret !== undefined) {
            // The simulator plays EventBridge too: it pushes state changes to our own endpoint.
            const loopback = config.host === '::' || config.host === '::1' ? '[::1]' : '127.0.0.1';
            simulator.setEventBridgeTarget({
              url: `http://${loopback}:${port}${EVENT_BRIDGE_PATH}`,
              secret: config.eventBridgeSecret,
            });
          }
          resolve(`http://${host}:${port}`);
        });
      }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      feed.close();
      await webSockets.drain(DRAIN_TIMEOUT_MS);
      poller.close();
      // Gives this instance's poll leases up, so peers take its jobs over at their next round.
      await scaleOut?.close();
      await webSockets.dispose();
      await yoga.dispose();
      server.closeAllConnections();
      await closed;
      client.destroy();
      await tracing.shutdown();
      if (ownsSimulator) await simulator?.close();
      else simulator?.setEventBridgeTarget(undefined);
    },
  };
}

/** The caller's address: the socket's peer, or the X-Forwarded-For entry added by the outermost trusted proxy. */
function clientAddressOf(req: IncomingMessage | undefined, trustProxyHops: number): string {
  const forwarded = req?.headers['x-forwarded-for'];
  if (trustProxyHops > 0 && typeof forwarded === 'string') {
    const hops = forwarded.split(',').map((entry) => entry.trim());
    const client = hops[Math.max(0, hops.length - trustProxyHops)];
    if (client) return client;
  }
  return req?.socket.remoteAddress ?? 'unknown';
}
