// The gateway: one HTTP server carrying Yoga (GET, POST, SSE, GraphiQL) and graphql-ws on one
// port. Wiring and lifecycle only: it builds each room's parts from the config, connects them,
// and owns what it starts (server, poller, Bedrock client, simulator, Redis, tracing). Modules
// that only one mode needs (the simulator, Redis, OpenTelemetry, GraphiQL) are loaded only then.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createAdmission, type Admission } from './access/admission.ts';
import { createAuthenticator } from './access/authenticator.ts';
import type { UpstreamTarget } from './bedrock/client.ts';
import { createInProcessJobCache } from './bedrock/job-cache.ts';
import { createInProcessJobHistory } from './bedrock/job-history.ts';
import type { JobsApi } from './bedrock/jobs.ts';
import type { UpstreamHealth } from './bedrock/upstream-health.ts';
import { createTerminalJobCache } from './bedrock/terminal-job-cache.ts';
import { createUpstream } from './bedrock/upstream.ts';
import type { Config } from './config.ts';
import { clientAddressOf } from './http/client-address.ts';
import { descriptorLimitWarning, limitConnections } from './http/connection-limits.ts';
import { createHttpDrain } from './http/drain.ts';
import { serverTimeoutOptions } from './http/server-timeouts.ts';
import { createCorsPolicy } from './http/cors.ts';
import { createGraphiQL } from './http/graphiql.ts';
import { createHostCheck } from './http/allowed-hosts.ts';
import { createReadiness } from './http/readiness.ts';
import { createTokenBucket } from './limits/token-bucket.ts';
import { createLogger } from './logger.ts';
import { createLogSummary } from './observability/log-summary.ts';
import { createMetrics, type GatewayMetrics } from './observability/metrics.ts';
import { createTracing, type Tracing } from './observability/tracing.ts';
import type { GatewayServerContext } from './http/server-context.ts';
import { startWebhooks } from './notify/start-webhooks.ts';
import type { ScaleOut } from './redis/scale-out.ts';
import { createResultsStorage } from './results/storage.ts';
import { createGatewayYoga, type Yoga } from './http/gateway-yoga.ts';
import type { Simulator } from './simulator/index.ts';
import { createJobFeed, type JobFeed } from './subscriptions/job-feed.ts';
import {
  EVENT_BRIDGE_PATH,
  createEventBridgeReceiver,
  type EventBridgeReceiverOptions,
} from './watch/event-bridge-receiver.ts';
import { createJobPubSub } from './watch/job-pub-sub.ts';
import { createLocalPollOwnership } from './watch/poll-ownership.ts';
import { createPoller, type Poller } from './watch/poller.ts';
import { createWebSocketTransport } from './websocket/transport.ts';
import type { MaskedErrors } from './websocket/wire-results.ts';

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
  /**
   * Longest time from an operation (or error, refusal, upstream call) to the `info` line that
   * counts it; operations themselves log at `debug`. Tests make it short. @default 60_000
   */
  logSummaryIntervalMs?: number;
}

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
   * Graceful shutdown: unready, stops accepting connections, lets requests in flight finish
   * (each answered with `connection: close`) for up to SHUTDOWN_TIMEOUT_MS, completes every live
   * subscription, closes WebSockets with 1001 (going away), stops the poller, cuts what is left,
   * and closes everything the gateway started. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * How long close() waits for WebSocket operations to send their completion before closing
 * sockets (within what SHUTDOWN_TIMEOUT_MS leaves).
 */
const WS_DRAIN_TIMEOUT_MS = 2000;
/**
 * How long close() waits for WebSocket peers to answer the 1001 close frame before destroying
 * their sockets: a peer that is gone or not reading would hold ws's handshake for 30 s.
 */
const WS_CLOSE_WAIT_MS = 1000;

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config);
  logStartupWarnings(config, logger);
  const embedded = config.backend === 'simulator' ? await embeddedSimulator(config, options.simulator, logger) : undefined;
  const simulator = embedded?.simulator;
  const summary = createLogSummary({ logger, intervalMs: options.logSummaryIntervalMs });
  const metrics = summary.observe(createMetrics({ processMetrics: options.processMetrics }));
  const tracing = await createTracing(config.tracing);
  const { upstream, scaleOut } = await connectUpstream(config, { target: embedded?.target ?? {}, metrics, tracing, logger });
  const { jobs } = upstream;
  // S3 through the same endpoint, region and credentials as Bedrock in simulator mode; the SDK's
  // own resolution (AWS_ENDPOINT_URL_S3 included) against AWS. The SDK loads on first use.
  const { attemptTimeoutMs, maxAttempts, retryMode, deadlineMs } = config.upstream;
  const storage = createResultsStorage({
    target: embedded ? { ...embedded.target, forcePathStyle: true } : {},
    attemptTimeoutMs,
    maxAttempts,
    retryMode,
    deadlineMs,
    logger: logger.child({ component: 's3' }),
  });

  const clientAddress = (req: GatewayServerContext['req']) => clientAddressOf(req, config.limits.trustProxyHops);
  const admission = createGatewayAdmission(config, metrics, logger);
  const { poller, feed, eventBridge, pubSub } = createWatch(config, {
    jobs,
    upstreamHealth: upstream.health,
    scaleOut,
    metrics,
    logger,
    // A wrong EventBridge secret is a failed authentication: it counts against the sender's address.
    countWrongSecret: (req) => admission.failedAttempt(clientAddress(req)),
  });
  const webhooks = config.webhooks && (await startWebhooks(config.webhooks, { pubSub, poller, sharedClaims: scaleOut?.webhookClaims, metrics, logger }));
  // Unready only while starting or draining; Bedrock's state and Redis's are reported, not obeyed.
  const readiness = createReadiness({
    health: upstream.health,
    probe: () => jobs.listJobs({ maxResults: 1 }),
    degradable: scaleOut && { redis: scaleOut.health },
  });

  const cors = createCorsPolicy(config.corsOrigins);
  // Internal errors become "Unexpected error."; their message and stack reach clients only
  // with NODE_ENV=development, and the log always.
  const maskedErrors: MaskedErrors = { isDev: config.exposeErrorDetails, errorMessage: 'Unexpected error.' };
  const graphiql = config.graphiql
    ? createGraphiQL(simulator?.engine.list({ maxResults: 3 }).jobs.map((job) => job.jobId) ?? [])
    : undefined;

  const { yoga, listener } = createGatewayYoga(config, {
    jobs,
    feed,
    poller,
    storage,
    admission,
    tracing,
    metrics,
    logger,
    maskedErrors,
    cors,
    clientAddress,
    graphiql,
    readiness,
    eventBridge,
  });

  const hosts = createHostCheck(config.allowedHosts, { onRefused: () => metrics.countRejection('host_not_allowed') });
  const server = createServer(serverTimeoutOptions(config.serverTimeouts), hosts.guard(listener));
  const requests = createHttpDrain(server);
  const webSockets = createWebSocketTransport(server, yoga, {
    ...config.webSocket,
    maxMessageBytes: config.limits.maxBodyBytes,
    admission,
    clientAddress,
    isAllowedOrigin: cors.isAllowedOrigin,
    isAllowedHost: hosts.allows,
    maskedErrors,
    metrics,
    logger,
  });
  metrics.watch({
    activeSubscriptions: () => feed.size,
    webSocketConnections: () => webSockets.connections,
    poller: () => poller.stats(),
    circuitState: () => upstream.circuitBreaker.state,
  });
  // Last: it gates the connection, request and upgrade listeners attached above.
  const connections = limitConnections(server, {
    ...config.connections,
    trustProxyHops: config.limits.trustProxyHops,
    clientAddress,
    onRefused: (reason) => metrics.countRejection(reason),
  });

  const shutDown = async () => {
    // First: load balancers polling /readyz stop sending traffic while the rest drains.
    readiness.draining();
    const deadline = Date.now() + config.shutdownTimeoutMs;
    // No new changes; attempts under way go on while requests drain, until the deadline.
    const webhooksClosed = webhooks?.close(deadline);
    // Refuses new connections from now on, and closes idle keep-alive sockets.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    logger.info({ requests: requests.inFlight, webSockets: webSockets.connections }, 'draining: new connections refused');
    // Queries and mutations in flight get their answers; streams are ended next.
    await requests.drain(deadline);
    feed.close();
    const [, cut] = await Promise.all([
      webSockets.drain(Math.min(WS_DRAIN_TIMEOUT_MS, Math.max(0, deadline - Date.now()))),
      requests.drain(deadline, { streams: true }),
    ]);
    if (cut > 0) logger.warn({ requests: cut }, `SHUTDOWN_TIMEOUT_MS reached: cutting ${cut} HTTP requests still in flight`);
    poller.close();
    await webhooksClosed;
    // Gives this instance's poll leases up, so peers take its jobs over at their next round.
    await scaleOut?.close();
    const disposed = Promise.resolve(webSockets.dispose());
    await settledWithin(disposed, WS_CLOSE_WAIT_MS);
    await yoga.dispose();
    // Then whatever is left: requests past the deadline, WebSockets that did not answer.
    server.closeAllConnections();
    connections.destroyAll();
    await disposed;
    await closed;
    upstream.close();
    storage.close();
    await tracing.shutdown();
    // What happened since the last summary, so a shutdown's log is complete.
    summary.flush();
    if (embedded?.owned) await simulator?.close();
    else simulator?.setEventBridgeTarget(undefined);
  };
  let closing: Promise<void> | undefined;

  return {
    yoga,
    server,
    poller,
    feed,
    simulator,
    async start() {
      const descriptors = descriptorLimitWarning(config.connections.maxConnections);
      if (descriptors) logger.warn(descriptors);
      const port = await listen(server, config);
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      if (simulator && config.eventBridgeSecret !== undefined) {
        // The simulator plays EventBridge too: it pushes state changes to our own endpoint.
        const loopback = config.host === '::' || config.host === '::1' ? '[::1]' : '127.0.0.1';
        simulator.setEventBridgeTarget({ url: `http://${loopback}:${port}${EVENT_BRIDGE_PATH}`, secret: config.eventBridgeSecret });
      }
      graphiql?.preload();
      readiness.serving();
      return `http://${host}:${port}`;
    },
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}

interface WatchParts {
  jobs: JobsApi;
  /** Its recoveries end the poller's backoffs. */
  upstreamHealth: UpstreamHealth;
  scaleOut: ScaleOut | undefined;
  metrics: GatewayMetrics;
  logger: Logger;
  countWrongSecret: EventBridgeReceiverOptions['countWrongSecret'];
}

/** What keeps subscribers current: the poller over the job topics, the feed, and EventBridge's hints. */
function createWatch(config: Config, { jobs, upstreamHealth, scaleOut, metrics, logger, countWrongSecret }: WatchParts) {
  const pubSub = createJobPubSub(scaleOut?.eventTarget);
  const poller = createPoller({
    jobs,
    pubSub,
    ownership: scaleOut?.ownership ?? createLocalPollOwnership(),
    intervalMs: config.pollIntervalMs,
    maxCallsPerSecond: config.upstream.pollMaxCallsPerSecond,
    concurrency: config.upstream.concurrency,
    upstreamHealth,
    logger: logger.child({ component: 'poller' }),
  });
  const feed = createJobFeed({
    poller,
    pubSub,
    onFanOut: (seconds) => metrics.observeFanOut(seconds),
    maxWatchedJobsPerCaller: config.limits.maxWatchedJobsPerCredential,
    onRefused: (reason) => metrics.countRejection(reason),
  });
  const eventBridge =
    config.eventBridgeSecret === undefined
      ? undefined
      : createEventBridgeReceiver({ secret: config.eventBridgeSecret, poller, countWrongSecret, logger: logger.child({ component: 'eventbridge' }) });

  return { poller, feed, eventBridge, pubSub };
}

/** Authentication, per-caller request limits and stream caps, for HTTP and graphql-ws alike. */
function createGatewayAdmission(config: Config, metrics: GatewayMetrics, logger: Logger): Admission {
  const { rateLimitPerSecond: perSecond, rateLimitBurst, rateLimitWsBurst } = config.limits;
  return createAdmission({
    authenticator: createAuthenticator(config.auth, { logger: logger.child({ component: 'auth' }) }),
    rateLimiter: perSecond > 0 ? createTokenBucket({ perSecond, burst: rateLimitBurst }) : undefined,
    webSocketLimiter: perSecond > 0 ? createTokenBucket({ perSecond, burst: rateLimitWsBurst }) : undefined,
    maxStreams: config.limits.maxStreamsPerCredential,
    onRefused: (reason) => metrics.countRejection(reason),
  });
}

function logStartupWarnings(config: Config, logger: Logger): void {
  for (const warning of config.warnings) logger.warn(warning);
  if (config.backend === 'aws' && !config.auth.required) {
    logger.warn(
      'AUTH_REQUIRED=false with BEDROCK_BACKEND=aws: anyone who can reach this port can read your Bedrock jobs. Set GATEWAY_API_KEYS or JWT_* and remove AUTH_REQUIRED=false before exposing it.',
    );
  }
  if (config.graphiql && !config.introspection) {
    logger.warn('GRAPHIQL=true with INTROSPECTION=false: GraphiQL cannot load the schema');
  }
}

/** The simulator to talk to (the caller's, or one started here), and how the SDK reaches it. */
async function embeddedSimulator(config: Config, given: Simulator | undefined, logger: Logger) {
  const { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator } = await import('./simulator/index.ts');
  const simulator =
    given ??
    (await startSimulator({
      stepMs: config.simulator.stepMs,
      // The simulated Bedrock's minimum records per job is the one the gateway checks retries against.
      minRecordsPerJob: config.retry.minRecords,
      logger: logger.child({ component: 'simulator' }),
    }));
  const target: UpstreamTarget = { endpoint: simulator.url, region: SIMULATOR_REGION, credentials: SIMULATOR_CREDENTIALS };
  return { simulator, target, owned: !given };
}

/** Bedrock behind its caches; with REDIS_URL the cache, job topics and poll leases are shared. */
async function connectUpstream(
  config: Config,
  { target, metrics, tracing, logger }: { target: UpstreamTarget; metrics: GatewayMetrics; tracing: Tracing; logger: Logger },
) {
  const finishedJobs = createTerminalJobCache(config.terminalCacheSize);
  const scaleOut = config.redis
    ? await (await import('./redis/scale-out.ts')).connectScaleOut(config.redis, { finishedJobs, logger: logger.child({ component: 'redis' }) })
    : undefined;
  const upstream = createUpstream(config.upstream, {
    target,
    circuitBreaker: config.circuitBreaker,
    cache: scaleOut?.cache ?? createInProcessJobCache(finishedJobs),
    history: scaleOut?.history ?? createInProcessJobHistory(),
    onCall(call) {
      metrics.observeUpstreamCall(call);
      // Not sent for want of a token in time: the caller's share of the budget was spoken for.
      if (call.outcome === 'over_budget') metrics.countRejection('upstream_share');
    },
    tracing,
    logger,
  });
  return { upstream, scaleOut };
}

/** Waits for `promise` to settle, or `ms`, whichever comes first; never rejects. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise.then(ignore, ignore), elapsed]);
  clearTimeout(timer);
}

function ignore(): void {}

/** Listens on the configured host and port; resolves with the port taken. */
function listen(server: Server, config: Config): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
