// The gateway: one HTTP server carrying Yoga (GET, POST, SSE, GraphiQL) and graphql-ws on one
// port. Owns the lifecycle of everything it starts: server, poller, Bedrock client, simulator.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import { createBedrockClient } from './bedrock/client.ts';
import { createJobsApi } from './bedrock/jobs.ts';
import { createTerminalJobCache } from './bedrock/terminal-job-cache.ts';
import type { Config } from './config.ts';
import { ErrorCode, createGatewayError } from './errors.ts';
import { exampleQuery } from './example-query.ts';
import { createLogger, toYogaLogger } from './logger.ts';
import { createReadiness } from './readiness.ts';
import { createResponseCachePlugin } from './response-cache.ts';
import { createSharedSubscriptionExecutionPlugin } from './shared-subscription-execution.ts';
import { schema } from './schema/index.ts';
import { createContext, type Context } from './schema/context.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator, type Simulator } from './simulator/index.ts';
import { EVENT_BRIDGE_PATH, createEventBridgeReceiver } from './watch/event-bridge-receiver.ts';
import { createJobFeed, type JobFeed } from './watch/job-feed.ts';
import { createJobPubSub } from './watch/job-pub-sub.ts';
import { createPoller, type Poller } from './watch/poller.ts';

export interface GatewayOptions {
  logger?: Logger;
  /**
   * With BEDROCK_BACKEND=simulator, use this simulator instead of starting one. The caller
   * keeps ownership: `close()` leaves it running. Tests use it to read counters and inject faults.
   */
  simulator?: Simulator;
}

export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, never>, Context>;
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

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config);
  const ownsSimulator = config.backend === 'simulator' && !options.simulator;
  const simulator =
    config.backend === 'simulator'
      ? (options.simulator ??
        (await startSimulator({ stepMs: config.simulator.stepMs, logger: logger.child({ component: 'simulator' }) })))
      : undefined;

  const client = createBedrockClient(
    config.upstream,
    simulator ? { endpoint: simulator.url, region: SIMULATOR_REGION, credentials: SIMULATOR_CREDENTIALS } : {},
  );
  const jobs = createJobsApi({
    client,
    terminalCache: createTerminalJobCache(config.terminalCacheSize),
    deadlineMs: config.upstream.deadlineMs,
    logger,
  });
  const pubSub = createJobPubSub();
  const poller = createPoller({
    jobs,
    pubSub,
    intervalMs: config.pollIntervalMs,
    maxRps: config.upstream.maxRps,
    concurrency: config.upstream.concurrency,
    logger: logger.child({ component: 'poller' }),
  });
  const feed = createJobFeed({ poller, pubSub });
  const readiness = createReadiness(jobs);
  const eventBridge =
    config.eventBridgeSecret === undefined
      ? undefined
      : createEventBridgeReceiver({ secret: config.eventBridgeSecret, poller, logger: logger.child({ component: 'eventbridge' }) });

  const yoga = createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    logging: toYogaLogger(logger),
    // Served from the installed package, not a CDN, so it works offline and under a strict CSP.
    renderGraphiQL,
    graphiql: config.graphiql && {
      title: 'Bedrock jobs gateway',
      defaultQuery: exampleQuery(simulator?.engine.list({ maxResults: 3 }).jobs.map((job) => job.jobId) ?? []),
      subscriptionsProtocol: 'WS',
    },
    plugins: [
      {
        // /readyz sits beside Yoga's /healthz (liveness, no upstream call). Not an async
        // function: every GraphQL request passes here and should not pay for a promise.
        onRequest({ url, request, endResponse, fetchAPI }) {
          if (url.pathname === '/readyz') {
            return readiness.check().then((report) => endResponse(fetchAPI.Response.json(report, { status: report.ready ? 200 : 503 })));
          }
          if (url.pathname === EVENT_BRIDGE_PATH && eventBridge) return eventBridge.handle(request).then(endResponse);
          return undefined;
        },
      },
      createSharedSubscriptionExecutionPlugin(),
      // Last: a hit answers in onParams, so plugins that reject requests must come before it.
      config.responseCache.maxEntries > 0 && createResponseCachePlugin(config.responseCache),
    ],
    context: () =>
      createContext({
        jobs,
        feed,
        poller,
        upstreamConcurrency: config.upstream.concurrency,
        maxBatchIdentifiers: config.maxBatchIdentifiers,
      }),
  });

  const server = createServer(yoga);
  const webSockets = createWebSocketTransport(server, yoga, config.webSocket);

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
      await webSockets.dispose();
      await yoga.dispose();
      server.closeAllConnections();
      await closed;
      client.destroy();
      if (ownsSimulator) await simulator?.close();
      else simulator?.setEventBridgeTarget(undefined);
    },
  };
}

// The root value carries Yoga's enveloped execute/subscribe into graphql-ws's callbacks.
interface EnvelopedRoot {
  execute(args: ExecutionArgs): OperationResult;
  subscribe(args: ExecutionArgs): OperationResult;
}

/**
 * graphql-ws on the HTTP server's `/graphql` upgrades. Operations go through
 * `yoga.getEnveloped`, so Yoga's plugins (masking, limits, auth) apply to WebSockets too.
 */
function createWebSocketTransport(
  server: Server,
  yoga: YogaServerInstance<Record<string, never>, Context>,
  options: Config['webSocket'],
) {
  const wsServer = new WebSocketServer({ server, path: '/graphql' });
  let operations = 0;
  let onIdle: (() => void) | undefined;

  const disposable = useServer(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        // ctx.subscriptions already holds this operation's id.
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
          return [
            createGatewayError(
              ErrorCode.LIMIT_EXCEEDED,
              `This connection already runs ${options.maxSubscriptionsPerConnection} operations (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first`,
            ),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        operations += 1;
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
      },
      // Fan-out: one event reaches many operations of a connection in the same tick. Corking the
      // connection's TCP socket until the tick ends writes all their messages with one syscall
      // instead of one each.
      onNext: (ctx) => corkUntilNextTick(ctx.extra.request.socket),
      onComplete: () => {
        operations -= 1;
        if (operations === 0) onIdle?.();
      },
    },
    wsServer,
    options.keepAliveMs || undefined,
  );

  return {
    /** Resolves once every operation has sent its completion, or after `timeoutMs`. */
    drain: (timeoutMs: number) =>
      new Promise<void>((resolve) => {
        if (operations === 0) return resolve();
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          onIdle = undefined;
          // Let the completion messages reach the sockets before they close.
          setImmediate(resolve);
        }
        onIdle = done;
      }),
    dispose: () => disposable.dispose(),
  };
}

const corked = new WeakSet<Socket>();

/** Holds the socket's writes until the current turn of the event loop is over. */
function corkUntilNextTick(socket: Socket): void {
  if (corked.has(socket)) return;
  corked.add(socket);
  socket.cork();
  setImmediate(() => {
    corked.delete(socket);
    socket.uncork();
  });
}
