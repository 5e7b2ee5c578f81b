// Everything an instance shares with its peers when REDIS_URL is set, built in one place: the job
// cache, the event target of the job topics, the poll leases and the webhook claims, over one
// pair of connections.
import type { PubSubEventTarget } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { JobCache } from '../bedrock/job-cache.ts';
import type { JobHistoryStore } from '../bedrock/job-history.ts';
import type { TerminalJobCache } from '../bedrock/terminal-job-cache.ts';
import type { WebhookClaims } from '../notify/webhook-claims.ts';
import type { JobTopics } from '../watch/job-pub-sub.ts';
import type { PollOwnership } from '../watch/poll-ownership.ts';
import { createRedisConnections, type RedisConfig } from './redis-connections.ts';
import { createRedisJobCache } from './redis-job-cache.ts';
import { createRedisJobHistory } from './redis-job-history.ts';
import { createRedisPollOwnership } from './redis-poll-ownership.ts';
import { createRedisWebhookClaims } from './redis-webhook-claims.ts';
import { createSharedEventTarget } from './shared-event-target.ts';

export interface ScaleOut {
  cache: JobCache;
  /** Job histories (observed statuses and progress), shared like the cache. */
  history: JobHistoryStore;
  eventTarget: PubSubEventTarget<JobTopics>;
  ownership: PollOwnership;
  /** Which instance announces each status change by webhook. */
  webhookClaims: WebhookClaims;
  /** This instance's id in leases and events. */
  instanceId: string;
  /** For /readyz: whether Redis is reachable right now. */
  health(): { ok: boolean; detail?: string };
  /** Gives up this instance's leases and closes the connections. */
  close(): Promise<void>;
}

export interface ScaleOutOptions {
  /** The in-process cache of finished jobs, kept in front of Redis. */
  finishedJobs: TerminalJobCache;
  logger: Logger;
}

/**
 * Connects to Redis and waits up to `config.timeoutMs` for it. Redis being down is not an error:
 * the instance starts degraded (polling for itself, answering from upstream) and joins its peers
 * once Redis answers.
 */
export async function connectScaleOut(config: RedisConfig, { finishedJobs, logger }: ScaleOutOptions): Promise<ScaleOut> {
  const connections = createRedisConnections(config, logger);
  const { protocol, host, pathname } = new URL(config.url); // never the password
  const where = { redis: `${protocol}//${host}${pathname}`, instanceId: connections.instanceId };
  if (await connections.waitUntilUp(config.timeoutMs)) {
    logger.info(where, 'Scale-out: sharing polls, job cache and events with other instances through Redis');
  } else {
    logger.warn(where, 'Redis is not reachable yet: starting on our own; sharing begins once it answers');
  }
  const ownership = createRedisPollOwnership({ connections, leaseMs: config.leaseMs, logger });
  return {
    cache: createRedisJobCache({ connections, local: finishedJobs, unfinishedTtlMs: config.jobCacheTtlMs, logger }),
    history: createRedisJobHistory({ connections, logger }),
    eventTarget: createSharedEventTarget(connections, logger),
    ownership,
    webhookClaims: createRedisWebhookClaims({ connections, logger }),
    instanceId: connections.instanceId,
    health: () => connections.health(),
    async close() {
      await ownership.close();
      connections.close();
    },
  };
}
