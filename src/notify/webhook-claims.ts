// Who announces a change. Every instance sharing Redis hears every account-wide status change,
// so each claims (job, status) before queueing its message, and only the one that gets the claim
// sends it. One process without Redis is the only instance; its claims only keep it from
// announcing a change twice (createLocalWebhookClaims). A Redis implementation lives in
// redis/redis-webhook-claims.ts.
import { LRUCache } from 'lru-cache';
import type { JobStatus } from '../bedrock/job.ts';

export interface WebhookClaims {
  /**
   * Resolves true when this instance is to announce that the job reached the status: nobody
   * claimed it before. Never rejects: when the claim cannot be decided (Redis unreachable) it
   * resolves true, since a duplicate under the same webhook-id beats a change never announced.
   */
  claim(jobId: string, status: JobStatus): Promise<boolean>;
}

export interface LocalWebhookClaimsOptions {
  /** Most claims remembered; the oldest are forgotten first. @default 100000 */
  max?: number;
  /** How long a claim is remembered. @default 24 hours */
  ttlMs?: number;
}

/** How long a claim holds, in process or in Redis: far longer than any job takes to be observed twice. */
export const CLAIM_TTL_MS = 24 * 3_600_000;

/** Claims in process: a bounded set of (job, status) already announced by this instance. */
export function createLocalWebhookClaims(options: LocalWebhookClaimsOptions = {}): WebhookClaims & {
  /** The same decision, taken at once. */
  claimNow(jobId: string, status: JobStatus): boolean;
} {
  const claimed = new LRUCache<string, true>({ max: options.max ?? 100_000, ttl: options.ttlMs ?? CLAIM_TTL_MS });
  const claimNow = (jobId: string, status: JobStatus) => {
    const key = `${jobId}:${status}`;
    if (claimed.has(key)) return false;
    claimed.set(key, true);
    return true;
  };
  return {
    claimNow,
    claim: async (jobId, status) => claimNow(jobId, status),
  };
}
