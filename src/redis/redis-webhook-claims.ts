// Webhook claims in Redis: a key per (job, status), set only if absent (SET NX) with a day's TTL
// and this instance's id as its value, so of the instances that all hear a change exactly one
// announces it. While Redis cannot answer, every instance announces what it hears (at least
// once beats never; receivers de-duplicate by webhook-id), each still at most once itself.
import type { Logger } from 'pino';
import { jobStatusName } from '../bedrock/job.ts';
import { CLAIM_TTL_MS, createLocalWebhookClaims, type WebhookClaims } from '../notify/webhook-claims.ts';
import type { RedisConnections } from './redis-connections.ts';

export interface RedisWebhookClaimsOptions {
  connections: RedisConnections;
  logger: Logger;
  /** How long a claim holds. @default CLAIM_TTL_MS (24 hours) */
  ttlMs?: number;
}

export function createRedisWebhookClaims({ connections, logger, ttlMs = CLAIM_TTL_MS }: RedisWebhookClaimsOptions): WebhookClaims {
  const { commands, keyPrefix, instanceId } = connections;
  // This instance's own claims, in front: a change it hears twice costs no round trip, and is
  // announced once even while Redis is away.
  const local = createLocalWebhookClaims({ ttlMs });
  const unclaimed = (jobId: string, status: string, error?: unknown) => {
    logger.debug({ err: error, jobId, status }, 'webhook claim not decided (Redis unreachable): announcing anyway');
    return true;
  };

  return {
    async claim(jobId, status) {
      if (!local.claimNow(jobId, status)) return false;
      if (!connections.isUp()) return unclaimed(jobId, status);
      const key = `${keyPrefix}webhook:claim:${jobId}:${jobStatusName(status)}`;
      try {
        return (await commands.set(key, instanceId, 'PX', ttlMs, 'NX')) === 'OK';
      } catch (error) {
        connections.commandFailed(error);
        return unclaimed(jobId, status, error);
      }
    },
  };
}
