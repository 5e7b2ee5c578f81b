// How the poller reaches Bedrock: its calls evenly paced under a rate, and one get per job in
// flight at a time, whoever asks (rounds, refreshes, first reads of a subscription). Ids Bedrock
// just said it does not know are remembered briefly, so a subscription started again and again
// on one costs a single call.
import { LRUCache } from 'lru-cache';
import type { ModelInvocationJob } from '../bedrock/job.ts';
import type { JobsApi } from '../bedrock/jobs.ts';
import { ErrorCode, createGatewayError, errorCodeOf } from '../errors.ts';
import { createTokenBucket } from '../limits/token-bucket.ts';

export interface PollerUpstreamOptions {
  /** Charged to the poller's share of the call budget, unless a fetch names another caller. */
  jobs: JobsApi;
  /** Most upstream calls per second the poller makes, evenly spaced. */
  maxCallsPerSecond: number;
  /** Aborts every wait for a slot (the poller is closing). */
  signal: AbortSignal;
  /**
   * How long an id Bedrock answered NOT_FOUND for is answered so again without a call, by a get
   * that is not `fresh` (a subscription's first read). Fresh gets (refreshes after a mutation or
   * an EventBridge event) always ask. 0 disables. @default 10000
   */
  notFoundTtlMs?: number;
}

export interface PollerUpstream {
  /** Waits for the poller's next slot under the rate; rejects once `signal` aborts. */
  nextSlot(): Promise<boolean>;
  /**
   * Gets a job, joining the get already in flight for it when that one will do. A `fresh` get
   * asks Bedrock even when a shared cache holds a recent copy. A get made for a client (the first
   * read of its subscription, a mutation's follow-up) is charged to that `caller`'s share.
   */
  fetchJob(jobId: string, fresh: boolean, caller?: string): Promise<ModelInvocationJob>;
  /** The get in flight for this job, if any. */
  pending(jobId: string): Promise<ModelInvocationJob> | undefined;
}

export function createPollerUpstream({ jobs, maxCallsPerSecond, signal, notFoundTtlMs = 10_000 }: PollerUpstreamOptions): PollerUpstream {
  // Even pacing: a bucket of one token.
  const pacing = createTokenBucket({ perSecond: maxCallsPerSecond, burst: 1 });
  const inFlight = new Map<string, { job: Promise<ModelInvocationJob>; fresh: boolean }>();
  // Bounded, so subscriptions on random ids cannot grow it; each of those still costs its caller a call.
  const notFound = notFoundTtlMs > 0 ? new LRUCache<string, string>({ max: 10_000, ttl: notFoundTtlMs }) : undefined;

  return {
    nextSlot: () => pacing.acquire('poller', { signal }),

    fetchJob(jobId, fresh, caller) {
      const pending = inFlight.get(jobId);
      // A fresh get does not join a read that may come from the shared cache.
      if (pending && (pending.fresh || !fresh)) return pending.job;
      const unknown = fresh ? undefined : notFound?.get(jobId);
      if (unknown !== undefined) return Promise.reject(createGatewayError(ErrorCode.NOT_FOUND, unknown));
      const job = (caller === undefined ? jobs : jobs.forCaller(caller))
        .getJob(jobId, { fresh })
        .then(
          (found) => {
            notFound?.delete(jobId);
            return found;
          },
          (error: unknown) => {
            if (errorCodeOf(error) === ErrorCode.NOT_FOUND) notFound?.set(jobId, (error as Error).message);
            throw error;
          },
        )
        .finally(() => {
          if (inFlight.get(jobId)?.job === job) inFlight.delete(jobId);
        });
      inFlight.set(jobId, { job, fresh });
      return job;
    },

    pending: (jobId) => inFlight.get(jobId)?.job,
  };
}
