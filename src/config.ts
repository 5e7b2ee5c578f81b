// Environment → typed, validated Config. The only module that reads process.env.
import { ConfigError, createReader, type Env, type Reader } from './config-reader.ts';
import type { AuthConfig } from './access/authenticator.ts';
import { SCOPES, isScope, type Scope } from './access/scopes.ts';
import type { CircuitBreakerOptions } from './bedrock/circuit-breaker.ts';
import type { UpstreamOptions } from './bedrock/upstream.ts';
import { ALLOWED_HOST_ENTRY, type AllowedHosts } from './http/allowed-hosts.ts';
import type { ConnectionLimits } from './http/connection-limits.ts';
import type { ServerTimeouts } from './http/server-timeouts.ts';
import type { LogLevel } from './logger.ts';
import {
  WEBHOOK_SECRET_RULE,
  WEBHOOK_STATUSES_RULE,
  WEBHOOK_URLS_RULE,
  parseWebhookStatuses,
  parseWebhookUrls,
  webhookSecretProblem,
} from './notify/webhook-settings.ts';
import type { WebhookOptions } from './notify/webhooks.ts';
import type { TracingOptions } from './observability/tracing.ts';
import type { QueryLimits } from './plugins/query-limits-plugin.ts';
import type { ResponseCacheOptions } from './plugins/response-cache-plugin.ts';
import type { RedisConfig } from './redis/redis-connections.ts';
import { EXAMPLE_MODEL_PRICES, parseModelPrices, type ModelPrices } from './results/cost.ts';
import type { ResultsOptions } from './results/job-results.ts';
import type { RetryOptions } from './results/retry-failed-records.ts';
import type { WebSocketLimits } from './websocket/transport.ts';

/** The error of a bad variable (see config-reader.ts), for main.ts and tests. */
export { ConfigError };

export type BedrockBackend = 'simulator' | 'aws';

export interface Config {
  /** Lines to log at start-up (deprecated variables still in use). */
  warnings: string[];
  /** `simulator` starts the embedded Bedrock simulator; `aws` talks to the real service. */
  backend: BedrockBackend;
  host: string;
  port: number;
  production: boolean;
  logLevel: LogLevel;
  /** GraphiQL at /graphql in a browser; off in production unless GRAPHIQL=true. */
  graphiql: boolean;
  /** The live jobs page at `/` and its files at `/assets/*`. */
  dashboard: boolean;
  upstream: UpstreamOptions & {
    /** Most GetModelInvocationJob calls one request runs at once. */
    concurrency: number;
    /** Most calls per second the poller makes, evenly spaced (a share of `callsPerSecond`). */
    pollMaxCallsPerSecond: number;
  };
  /** Fails upstream calls fast while Bedrock is down. */
  circuitBreaker: CircuitBreakerOptions;
  auth: AuthConfig;
  limits: LimitsConfig;
  /** Origins allowed to call from a browser (CORS); empty: same origin only; `*`: any. */
  corsOrigins: string[];
  /** Host headers answered (ALLOWED_HOSTS): `any`, or names besides localhost names and IP addresses. */
  allowedHosts: AllowedHosts;
  /** Introspection and "did you mean" suggestions; off in production unless INTROSPECTION=true. */
  introspection: boolean;
  /** Error masking includes the original error (message and stack) only with NODE_ENV=development. */
  exposeErrorDetails: boolean;
  tracing: TracingOptions;
  /** How many finished jobs are kept in memory across requests. */
  terminalCacheSize: number;
  responseCache: ResponseCacheOptions;
  /** Most identifiers accepted by modelInvocationJobsByIdentifier. */
  maxBatchIdentifiers: number;
  /** How often a watched, unfinished job is refreshed. */
  pollIntervalMs: number;
  webSocket: WebSocketLimits;
  /** Caps on open connections (MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP). */
  connections: ConnectionLimits;
  /** How long the HTTP server waits for slow and idle clients (HTTP_*_TIMEOUT_MS). */
  serverTimeouts: ServerTimeouts;
  /** Longest close() waits for requests in flight and subscriptions' completions (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Shared secret of POST /events/bedrock; the endpoint is off while unset. */
  eventBridgeSecret: string | undefined;
  /** Scale-out through Redis (REDIS_URL); undefined keeps everything in this process. */
  redis: RedisConfig | undefined;
  /** Job outputs: download URL lifetime (RESULTS_URL_TTL_S) and model prices (MODEL_PRICES). */
  results: ResultsOptions & {
    /** True when `modelPrices` is the simulator's example table (MODEL_PRICES unset). */
    examplePrices: boolean;
  };
  /** retryFailedRecords: Bedrock's fewest records per job (BATCH_MIN_RECORDS). */
  retry: RetryOptions;
  /** Signed status webhooks (WEBHOOK_*); undefined while WEBHOOK_URLS is unset. */
  webhooks: WebhookOptions | undefined;
  simulator: {
    /** Port for `npm run simulator` (the embedded one always takes a free loopback port). */
    port: number;
    /** Duration of one lifecycle step of a simulated job. */
    stepMs: number;
  };
}

export interface LimitsConfig extends QueryLimits {
  /** Most distinct jobs one operation may look up upstream. */
  maxJobsPerOperation: number;
  /** Most distinct unfinished jobs one credential (or client IP without one) may watch at once. */
  maxWatchedJobsPerCredential: number;
  /** Requests per second per credential (or client IP when unauthenticated); 0 disables. */
  rateLimitPerSecond: number;
  /** Requests a credential may burst above the rate. */
  rateLimitBurst: number;
  /**
   * graphql-ws connection_init and subscribe messages (valid or not) a credential may send at
   * once; refilled at `rateLimitPerSecond`. Larger than `rateLimitBurst`: a dashboard opens a
   * subscription per row at once.
   */
  rateLimitWsBurst: number;
  /** Open WebSockets plus SSE subscriptions per credential (or client IP without one); 0 disables. */
  maxStreamsPerCredential: number;
  /** Proxies in front of the gateway whose X-Forwarded-For entries are trusted for the client IP. */
  trustProxyHops: number;
}


export function loadConfig(env: Env = process.env): Config {
  const read = createReader(env);
  const backend = read.oneOf('BEDROCK_BACKEND', ['simulator', 'aws'] as const, 'simulator');
  const production = env.NODE_ENV === 'production';
  const graphiql = read.boolean('GRAPHIQL', !production);
  const pollIntervalMs = read.integer('POLL_INTERVAL_MS', backend === 'aws' ? 10_000 : 1000, 10, 3_600_000);
  const redisUrl = read.redisUrl('REDIS_URL');
  const warnings: string[] = [];
  const callsPerSecond = read.integer('UPSTREAM_CALLS_PER_SECOND', 25, 1, 100_000);
  const pollMaxCallsPerSecond = readPollShare(read, env, callsPerSecond, warnings);
  const redis: RedisConfig = {
    url: redisUrl ?? '',
    keyPrefix: read.string('REDIS_KEY_PREFIX', 'bedrock-jobs-gateway:'),
    leaseMs: read.integer('POLL_LEASE_MS', 3 * pollIntervalMs, 30, 3_600_000),
    // Under one interval, so a cached unfinished state is never older than the poller's own.
    jobCacheTtlMs: read.integer('JOB_CACHE_TTL_MS', Math.floor(pollIntervalMs / 2), 1, pollIntervalMs - 1),
    timeoutMs: read.integer('REDIS_TIMEOUT_MS', 1000, 10, 60_000),
  };
  const host = read.string('HOST', '0.0.0.0');
  const auth = readAuth(read, env, backend);
  return {
    warnings,
    backend,
    host,
    port: read.integer('PORT', 4000, 0, 65535),
    production,
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    graphiql,
    dashboard: read.boolean('DASHBOARD', true),
    upstream: {
      concurrency: read.integer('UPSTREAM_CONCURRENCY', 10, 1, 1000),
      attemptTimeoutMs: read.integer('UPSTREAM_TIMEOUT_MS', 5000, 1, 60_000),
      maxAttempts: read.integer('UPSTREAM_MAX_ATTEMPTS', 3, 1, 10),
      deadlineMs: read.integer('UPSTREAM_DEADLINE_MS', 25_000, 1, 120_000),
      pollMaxCallsPerSecond,
      retryMode: read.oneOf('UPSTREAM_RETRY_MODE', ['standard', 'adaptive'] as const, 'standard'),
      callsPerSecond,
      callsBurst: read.integer('UPSTREAM_CALLS_BURST', 100, 1, 100_000),
    },
    circuitBreaker: {
      failureThreshold: read.integer('CIRCUIT_BREAKER_FAILURES', 5, 1, 1000),
      cooldownMs: read.integer('CIRCUIT_BREAKER_COOLDOWN_MS', 10_000, 10, 600_000),
    },
    auth,
    allowedHosts: readAllowedHosts(read, auth.required, host),
    limits: {
      maxDepth: read.integer('MAX_QUERY_DEPTH', 8, 1, 100),
      maxAliases: read.integer('MAX_ALIASES', 20, 0, 1000),
      maxTokens: read.integer('MAX_TOKENS', 2000, 10, 1_000_000),
      // One full page (first: 1000, every job field) costs about 175,000 in graphql-armor's model.
      maxCost: read.integer('MAX_QUERY_COST', 200_000, 1, 100_000_000),
      maxDirectives: read.integer('MAX_DIRECTIVES', 20, 0, 1000),
      maxBodyBytes: read.integer('MAX_REQUEST_BODY_BYTES', 102_400, 1024, 100_000_000),
      maxJobsPerOperation: read.integer('MAX_JOBS_PER_OPERATION', 200, 1, 100_000),
      maxWatchedJobsPerCredential: read.integer('MAX_WATCHED_JOBS_PER_CREDENTIAL', 500, 1, 1_000_000),
      rateLimitPerSecond: read.integer('RATE_LIMIT_RPS', 20, 0, 1_000_000),
      rateLimitBurst: read.integer('RATE_LIMIT_BURST', 40, 1, 1_000_000),
      rateLimitWsBurst: read.integer('RATE_LIMIT_WS_BURST', 200, 1, 1_000_000),
      maxStreamsPerCredential: read.integer('MAX_STREAMS_PER_CREDENTIAL', 20, 0, 1_000_000),
      trustProxyHops: read.integer('TRUST_PROXY_HOPS', 0, 0, 10),
    },
    corsOrigins: readOrigins(read),
    introspection: read.boolean('INTROSPECTION', !production),
    exposeErrorDetails: env.NODE_ENV === 'development',
    tracing: {
      otlpEndpoint: read.url('OTEL_EXPORTER_OTLP_ENDPOINT', { allowHttp: true })?.href.replace(/\/$/, ''),
      serviceName: read.string('OTEL_SERVICE_NAME', 'bedrock-jobs-gateway'),
    },
    terminalCacheSize: read.integer('TERMINAL_JOB_CACHE_SIZE', 10_000, 0, 10_000_000),
    responseCache: {
      maxEntries: read.integer('RESPONSE_CACHE_SIZE', 1000, 0, 1_000_000),
      ttlMs: read.integer('RESPONSE_CACHE_TTL_MS', 60_000, 1, 86_400_000),
    },
    maxBatchIdentifiers: read.integer('MAX_BATCH_IDENTIFIERS', 100, 1, 1000),
    pollIntervalMs,
    webSocket: {
      maxSubscriptionsPerConnection: read.integer('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100_000),
      keepAliveMs: read.integer('WS_KEEP_ALIVE_MS', 12_000, 0, 3_600_000),
      connectionInitTimeoutMs: read.integer('WS_CONNECTION_INIT_TIMEOUT_MS', 3000, 1, 600_000),
    },
    connections: {
      // Well under the open-file limits met in practice (Node raises its soft limit to the hard
      // one, commonly 4096 or more), leaving room for upstream connections, Redis and files.
      maxConnections: read.integer('MAX_CONNECTIONS', 2048, 1, 1_000_000),
      maxConnectionsPerIp: read.integer('MAX_CONNECTIONS_PER_IP', 256, 0, 1_000_000),
    },
    serverTimeouts: readServerTimeouts(read),
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    eventBridgeSecret: read.secret('EVENTBRIDGE_SECRET', 16),
    redis: redisUrl === undefined ? undefined : redis,
    results: readResults(read, env, backend),
    retry: { minRecords: read.integer('BATCH_MIN_RECORDS', 100, 1, 1_000_000) },
    webhooks: readWebhooks(read),
    simulator: {
      port: read.integer('SIMULATOR_PORT', 4010, 0, 65535),
      stepMs: read.integer('SIMULATOR_STEP_MS', 1500, 1, 3_600_000),
    },
  };
}


// The poller's share of the upstream budget, under its new name or (with a warning) its old one.
function readPollShare(read: Reader, env: Env, callsPerSecond: number, warnings: string[]): number {
  const deprecated = !env.POLL_MAX_CALLS_PER_SECOND?.trim() && Boolean(env.UPSTREAM_MAX_RPS?.trim());
  if (deprecated) warnings.push('UPSTREAM_MAX_RPS is deprecated: rename it POLL_MAX_CALLS_PER_SECOND');
  const name = deprecated ? 'UPSTREAM_MAX_RPS' : 'POLL_MAX_CALLS_PER_SECOND';
  const value = read.integer(name, Math.min(10, callsPerSecond), 1, 100_000);
  if (value > callsPerSecond) {
    throw new ConfigError(`${name} must be at most UPSTREAM_CALLS_PER_SECOND (${callsPerSecond}), the budget it is a share of (got "${value}")`);
  }
  return value;
}

// MODEL_PRICES, or in simulator mode while it is unset, the simulator's example table.
function readResults(read: Reader, env: Env, backend: BedrockBackend): Config['results'] {
  // SigV4 presigned URLs last at most 7 days.
  const urlTtlSeconds = read.integer('RESULTS_URL_TTL_S', 900, 1, 604_800);
  const text = env.MODEL_PRICES?.trim();
  if (!text) {
    const example = backend === 'simulator';
    return { urlTtlSeconds, modelPrices: example ? EXAMPLE_MODEL_PRICES : new Map(), examplePrices: example };
  }
  let modelPrices: ModelPrices;
  try {
    modelPrices = parseModelPrices(text);
  } catch (error) {
    throw new ConfigError(
      `MODEL_PRICES must be a JSON object mapping each model id to its USD prices per million tokens, e.g. {"amazon.nova-lite-v1:0":{"input":0.03,"output":0.12}}, each a number of 0 or more (${(error as Error).message})`,
    );
  }
  return { urlTtlSeconds, modelPrices, examplePrices: false };
}

// Webhooks are off while WEBHOOK_URLS is empty; the other WEBHOOK_* values are checked anyway.
function readWebhooks(read: Reader): WebhookOptions | undefined {
  const parsed = <T>(name: string, rule: string, parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      throw new ConfigError(`${name} must be ${rule} (${(error as Error).message})`);
    }
  };
  const urls = parsed('WEBHOOK_URLS', WEBHOOK_URLS_RULE, () => parseWebhookUrls(read.string('WEBHOOK_URLS', '')));
  const statuses = parsed('WEBHOOK_STATUSES', WEBHOOK_STATUSES_RULE, () => parseWebhookStatuses(read.string('WEBHOOK_STATUSES', '')));
  const secret = read.string('WEBHOOK_SECRET', '');
  const problem = secret ? webhookSecretProblem(secret) : undefined;
  if (problem) throw new ConfigError(`WEBHOOK_SECRET must be ${WEBHOOK_SECRET_RULE} (got ${problem})`);
  const delivery = {
    maxAttempts: read.integer('WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
    retryBaseMs: read.integer('WEBHOOK_RETRY_BASE_MS', 5000, 1, 3_600_000),
    timeoutMs: read.integer('WEBHOOK_TIMEOUT_MS', 10_000, 1, 300_000),
  };
  if (urls.length === 0) return undefined;
  if (!secret) throw new ConfigError(`WEBHOOK_SECRET must be set when WEBHOOK_URLS is: ${WEBHOOK_SECRET_RULE}`);
  return { urls, secret, statuses, ...delivery };
}

// Node refuses a headers timeout longer than the request timeout.
function readServerTimeouts(read: Reader): ServerTimeouts {
  const headersTimeoutMs = read.integer('HTTP_HEADERS_TIMEOUT_MS', 10_000, 10, 600_000);
  const requestTimeoutMs = read.integer('HTTP_REQUEST_TIMEOUT_MS', Math.max(30_000, headersTimeoutMs), 10, 3_600_000);
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new ConfigError(`HTTP_REQUEST_TIMEOUT_MS must be at least HTTP_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) (got "${requestTimeoutMs}")`);
  }
  return { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs: read.integer('HTTP_KEEP_ALIVE_TIMEOUT_MS', 5000, 1, 3_600_000) };
}

// Secrets never appear in an error message: only what is wrong with them.
function readAuth(read: Reader, env: Env, backend: BedrockBackend): AuthConfig {
  const required = read.boolean('AUTH_REQUIRED', backend === 'aws');
  const apiKeys = readApiKeys(env.GATEWAY_API_KEYS?.trim());
  const jwtSecret = env.JWT_SECRET?.trim() || undefined;
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    throw new ConfigError(`JWT_SECRET must be at least 32 characters for HS256 (got ${jwtSecret.length})`);
  }
  const auth: AuthConfig = {
    required,
    apiKeys,
    jwtSecret,
    jwksUrl: read.url('JWT_JWKS_URL', { allowHttp: false }),
    jwtIssuer: read.string('JWT_ISSUER', '') || undefined,
    jwtAudience: read.string('JWT_AUDIENCE', '') || undefined,
  };
  if (required && apiKeys.size === 0 && !auth.jwtSecret && !auth.jwksUrl) {
    throw new ConfigError(
      `AUTH_REQUIRED is true but no credential source is set: set GATEWAY_API_KEYS, JWT_SECRET or JWT_JWKS_URL${backend === 'aws' ? ' (AUTH_REQUIRED defaults to true with BEDROCK_BACKEND=aws)' : ''}`,
    );
  }
  return auth;
}

function readApiKeys(raw: string | undefined): Map<string, Scope[]> {
  const keys = new Map<string, Scope[]>();
  if (!raw) return keys;
  const rule = `a JSON object mapping each API key to a list of scopes (${SCOPES.join(', ')}), e.g. {"key":["jobs:read"]}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`GATEWAY_API_KEYS must be ${rule} (got invalid JSON)`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`GATEWAY_API_KEYS must be ${rule} (got a JSON ${Array.isArray(parsed) ? 'array' : typeof parsed})`);
  }
  for (const [index, [key, scopes]] of Object.entries(parsed).entries()) {
    if (key.trim() === '' || !Array.isArray(scopes)) {
      throw new ConfigError(`GATEWAY_API_KEYS must be ${rule} (entry ${index + 1} is not a key with a list of scopes)`);
    }
    const unknown = scopes.find((scope) => !isScope(scope));
    if (unknown !== undefined) {
      throw new ConfigError(`GATEWAY_API_KEYS must be ${rule} (entry ${index + 1} has the unknown scope ${JSON.stringify(unknown)})`);
    }
    keys.set(key, scopes as Scope[]);
  }
  return keys;
}

// Any Host with auth on unless ALLOWED_HOSTS lists some; with auth off, a page that rebinds its
// DNS name to this machine could use the gateway, so only the names listed and HOST's (besides
// the localhost names and IP addresses http/allowed-hosts.ts always answers).
function readAllowedHosts(read: Reader, authRequired: boolean, host: string): AllowedHosts {
  const value = read.string('ALLOWED_HOSTS', authRequired ? '*' : '');
  if (value === '*') return 'any';
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  const invalid = entries.find((entry) => !ALLOWED_HOST_ENTRY.test(entry));
  if (invalid !== undefined) {
    throw new ConfigError(
      `ALLOWED_HOSTS must be * or a comma-separated list of host names, each optionally *.-prefixed (subdomains) or :port-suffixed, such as api.example.com,*.example.com:8443 (got ${JSON.stringify(invalid)})`,
    );
  }
  const hostName = ALLOWED_HOST_ENTRY.test(host) && !/^[\d.]+$/.test(host);
  return hostName ? [...entries, host] : entries;
}

function readOrigins(read: Reader): string[] {
  const value = read.string('CORS_ORIGINS', '');
  const origins = value.split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      // reported below
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== origin) {
      throw new ConfigError(
        `CORS_ORIGINS must be * or a comma-separated list of origins such as https://app.example.com (got ${JSON.stringify(origin)})`,
      );
    }
  }
  return origins;
}
