// The two Redis connections an instance keeps when REDIS_URL is set, configured so that a Redis
// outage degrades the gateway instead of stalling it: commands fail at once while Redis is away
// (callers then carry on without it), subscriptions wait and are renewed when it returns.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** REDIS_URL and the variables that tune sharing through it. */
export interface RedisConfig {
  /** `redis://` or `rediss://` URL, credentials and database included. */
  url: string;
  /** Prepended to every key and channel, so several gateways (or other apps) can share a Redis. */
  keyPrefix: string;
  /** How long a poll lease lasts unless renewed: how soon another instance takes over a dead one's jobs. */
  leaseMs: number;
  /** How long an unfinished job's last known state is shared; shorter than the poll interval. */
  jobCacheTtlMs: number;
  /** Longest wait for one Redis command before the gateway carries on without Redis. */
  timeoutMs: number;
}

export interface RedisConnections {
  /**
   * Commands, Lua scripts and PUBLISH. No offline queue and no retries: while disconnected a
   * command rejects at once, and one that gets no answer rejects after `timeoutMs`.
   */
  readonly commands: Redis;
  /** SUBSCRIBE only. Queues while disconnected and resubscribes every channel after a reconnect. */
  readonly subscriber: Redis;
  /** Prefix of every key and channel. */
  readonly keyPrefix: string;
  /** Names this instance in leases and events: `host:pid:random`, unique per start. */
  readonly instanceId: string;
  /**
   * True while commands can be sent: the command connection is ready, and Redis has not just
   * left a command unanswered (see `commandFailed`).
   */
  isUp(): boolean;
  /**
   * Callers report a failed command here. One that timed out means Redis accepts connections
   * but does not answer (overloaded, paused): rather than make every query wait REDIS_TIMEOUT_MS
   * again, the instance treats Redis as down for a while, then tries again.
   */
  commandFailed(error: unknown): void;
  /** For /readyz: ok while both connections are ready, else which is not. */
  health(): { ok: boolean; detail?: string };
  /** Resolves true once both connections are ready, or false after `timeoutMs`. */
  waitUntilUp(timeoutMs: number): Promise<boolean>;
  /** Closes both connections at once; pending commands reject (their callers handle it). */
  close(): void;
}

/** Longest pause between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** How many REDIS_TIMEOUT_MS a timed-out command makes the instance do without Redis. */
const SILENCE_TIMEOUTS = 5;
/** ioredis' message for a command that outlived `commandTimeout`. */
const TIMED_OUT = 'Command timed out';

export function createRedisConnections(config: RedisConfig, logger: Logger): RedisConnections {
  const common: RedisOptions = {
    // ioredis' default backs off to 2 s; a quicker retry shortens the degraded period after an
    // outage, at the cost of one connection attempt per second while Redis is away.
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    connectTimeout: Math.max(config.timeoutMs, 1000),
  };
  const commands = new Redis(config.url, {
    ...common,
    connectionName: 'bedrock-jobs-gateway:commands',
    enableOfflineQueue: false,
    // A command caught by a dropped connection is failed on the first reconnection attempt
    // instead of after 20 (the default), so callers fall back at once.
    maxRetriesPerRequest: 0,
    commandTimeout: config.timeoutMs,
    // Commands issued in the same tick (cache writes of many refreshed jobs) share one round trip.
    enableAutoPipelining: true,
  });
  const subscriber = new Redis(config.url, {
    ...common,
    connectionName: 'bedrock-jobs-gateway:subscriber',
    // SUBSCRIBE issued during an outage waits for the connection instead of failing, and is never
    // flushed with MaxRetriesPerRequestError however long the outage lasts.
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    autoResubscribe: true,
  });

  const connections = { commands, subscriber };
  let closing = false;
  for (const [role, client] of Object.entries(connections)) {
    // One line when a ready connection is lost and one when it is back, not one per retry.
    let state: 'connecting' | 'ready' | 'lost' = 'connecting';
    client.on('ready', () => {
      if (state === 'lost') logger.info({ connection: role }, 'Redis connection restored');
      state = 'ready';
    });
    client.on('close', () => {
      if (state !== 'ready' || closing) return;
      state = 'lost';
      logger.warn({ connection: role }, 'Redis connection lost; carrying on without Redis until it returns');
    });
    // Without a listener ioredis prints every failed reconnection attempt to stderr.
    client.on('error', (error: Error) => logger.debug({ connection: role, err: error }, 'Redis connection error'));
  }

  const ready = (client: Redis) => client.status === 'ready';
  /** Until then, Redis counts as down: it left a command unanswered. */
  let silentUntil = 0;
  const silent = () => Date.now() < silentUntil;

  return {
    commands,
    subscriber,
    keyPrefix: config.keyPrefix,
    instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    isUp: () => ready(commands) && !silent(),
    commandFailed(error) {
      if (!(error instanceof Error) || error.message !== TIMED_OUT || silent()) return;
      silentUntil = Date.now() + SILENCE_TIMEOUTS * config.timeoutMs;
      logger.warn(
        { silenceMs: SILENCE_TIMEOUTS * config.timeoutMs },
        'Redis did not answer within REDIS_TIMEOUT_MS; carrying on without it for a while',
      );
    },
    health() {
      const down = Object.entries(connections)
        .filter(([, client]) => !ready(client))
        .map(([role, client]) => `${role} connection ${client.status}`);
      if (silent()) down.push(`no answer within ${config.timeoutMs} ms`);
      return down.length === 0 ? { ok: true } : { ok: false, detail: down.join(', ') };
    },
    waitUntilUp(timeoutMs) {
      const bothReady = () => ready(commands) && ready(subscriber);
      if (bothReady()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const check = () => {
          if (!bothReady()) return;
          finish(true);
        };
        const finish = (up: boolean) => {
          clearTimeout(timer);
          commands.off('ready', check);
          subscriber.off('ready', check);
          resolve(up);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        commands.on('ready', check);
        subscriber.on('ready', check);
      });
    },
    close() {
      closing = true;
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
