// Environment → typed, validated Config. The only module that reads process.env.
import type { Level } from 'pino';

export type BedrockBackend = 'simulator' | 'aws';

export interface Config {
  /** `simulator` starts the embedded Bedrock simulator; `aws` talks to the real service. */
  backend: BedrockBackend;
  host: string;
  port: number;
  production: boolean;
  logLevel: Level | 'silent';
  /** GraphiQL at /graphql in a browser; off in production unless GRAPHIQL=true. */
  graphiql: boolean;
  upstream: {
    /** Most GetModelInvocationJob calls one request runs at once. */
    concurrency: number;
    /** Per-attempt HTTP timeout for an upstream call. */
    attemptTimeoutMs: number;
    /** SDK attempts per call (first try plus retries). */
    maxAttempts: number;
    /** Hard ceiling for one upstream call, retries included. */
    deadlineMs: number;
    /** Most calls per second the poller makes, evenly spaced. */
    maxRps: number;
  };
  /** How many finished jobs are kept in memory across requests. */
  terminalCacheSize: number;
  responseCache: {
    /** Most query responses kept (per credential, only those whose jobs are all finished); 0 turns the cache off. */
    maxEntries: number;
    /** How long a cached response is served; bounds how long it outlives a revoked credential. */
    ttlMs: number;
  };
  /** Most identifiers accepted by modelInvocationJobsByIdentifier. */
  maxBatchIdentifiers: number;
  /** How often a watched, unfinished job is refreshed. */
  pollIntervalMs: number;
  webSocket: {
    /** Most operations one graphql-ws connection may run at once. */
    maxSubscriptionsPerConnection: number;
    /** Interval of server pings; a peer that does not answer is dropped. */
    keepAliveMs: number;
    /** Time a client has to send connection_init before the socket is closed (4408). */
    connectionInitTimeoutMs: number;
  };
  /** Shared secret of POST /events/bedrock; the endpoint is off while unset. */
  eventBridgeSecret: string | undefined;
  simulator: {
    /** Port for `npm run simulator` (the embedded one always takes a free loopback port). */
    port: number;
    /** Duration of one lifecycle step of a simulated job. */
    stepMs: number;
  };
}

/** Thrown for a bad variable; the message is one line naming it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const read = createReader(env);
  const backend = read.oneOf('BEDROCK_BACKEND', ['simulator', 'aws'] as const, 'simulator');
  const production = env.NODE_ENV === 'production';
  return {
    backend,
    host: read.string('HOST', '0.0.0.0'),
    port: read.integer('PORT', 4000, 0, 65535),
    production,
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    graphiql: read.boolean('GRAPHIQL', !production),
    upstream: {
      concurrency: read.integer('UPSTREAM_CONCURRENCY', 10, 1, 1000),
      attemptTimeoutMs: read.integer('UPSTREAM_TIMEOUT_MS', 5000, 1, 60_000),
      maxAttempts: read.integer('UPSTREAM_MAX_ATTEMPTS', 3, 1, 10),
      deadlineMs: read.integer('UPSTREAM_DEADLINE_MS', 25_000, 1, 120_000),
      maxRps: read.integer('UPSTREAM_MAX_RPS', 10, 1, 10_000),
    },
    terminalCacheSize: read.integer('TERMINAL_JOB_CACHE_SIZE', 10_000, 0, 10_000_000),
    responseCache: {
      maxEntries: read.integer('RESPONSE_CACHE_SIZE', 1000, 0, 1_000_000),
      ttlMs: read.integer('RESPONSE_CACHE_TTL_MS', 60_000, 1, 86_400_000),
    },
    maxBatchIdentifiers: read.integer('MAX_BATCH_IDENTIFIERS', 100, 1, 1000),
    pollIntervalMs: read.integer('POLL_INTERVAL_MS', backend === 'aws' ? 10_000 : 1000, 10, 3_600_000),
    webSocket: {
      maxSubscriptionsPerConnection: read.integer('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100_000),
      keepAliveMs: read.integer('WS_KEEP_ALIVE_MS', 12_000, 0, 3_600_000),
      connectionInitTimeoutMs: read.integer('WS_CONNECTION_INIT_TIMEOUT_MS', 3000, 1, 600_000),
    },
    eventBridgeSecret: read.secret('EVENTBRIDGE_SECRET', 16),
    simulator: {
      port: read.integer('SIMULATOR_PORT', 4010, 0, 65535),
      stepMs: read.integer('SIMULATOR_STEP_MS', 1500, 1, 3_600_000),
    },
  };
}

// Typed readers; each error names the variable, the rule and the value it got.
function createReader(env: Env) {
  const raw = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const fail = (name: string, rule: string, value: string): never => {
    throw new ConfigError(`${name} must be ${rule} (got ${JSON.stringify(value)})`);
  };
  return {
    string(name: string, fallback: string): string {
      return raw(name) ?? fallback;
    },
    integer(name: string, fallback: number, min: number, max: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const n = Number(value);
      if (!/^-?\d+$/.test(value) || n < min || n > max) fail(name, `an integer from ${min} to ${max}`, value);
      return n;
    },
    boolean(name: string, fallback: boolean): boolean {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['true', '1', 'yes'].includes(value)) return true;
      if (['false', '0', 'no'].includes(value)) return false;
      return fail(name, 'true or false', value);
    },
    /** An optional secret; when set it must be long enough to resist guessing. */
    secret(name: string, minLength: number): string | undefined {
      const value = raw(name);
      if (value !== undefined && value.length < minLength) {
        throw new ConfigError(`${name} must be at least ${minLength} characters (got ${value.length})`);
      }
      return value;
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!(allowed as readonly string[]).includes(value)) fail(name, `one of ${allowed.join(', ')}`, value);
      return value as T;
    },
  };
}
