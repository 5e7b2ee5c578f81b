// How the poller reaches Bedrock: its calls evenly paced under a rate, and one get per job in
// flight at a time, whoever asks (rounds, refreshes, first reads of a subscription).
import type { ModelInvocationJob } from '../bedrock/job.ts';
import type { JobsApi } from '../bedrock/jobs.ts';
import { createTokenBucket } from '../limits/token-bucket.ts';

export interface PollerUpstreamOptions {
  jobs: JobsApi;
  /** Most upstream calls per second the poller makes, evenly spaced. */
  maxCallsPerSecond: number;
  /** Aborts every wait for a slot (the poller is closing). */
  signal: AbortSignal;
}

export interface PollerUpstream {
  /** Waits for the poller's next slot under the rate; rejects once `signal` aborts. */
  nextSlot(): Promise<boolean>;
  /**
   * Gets a job, joining the get already in flight for it when that one will do. A `fresh` get
   * asks Bedrock even when a shared cache holds a recent copy.
   */
  fetchJob(jobId: string, fresh: boolean): Promise<ModelInvocationJob>;
  /** The get in flight for this job, if any. */
  pending(jobId: string): Promise<ModelInvocationJob> | undefined;
}

export function createPollerUpstream({ jobs, maxCallsPerSecond, signal }: PollerUpstreamOptions): PollerUpstream {
  // Even pacing: a bucket of one token.
  const pacing = createTokenBucket({ perSecond: maxCallsPerSecond, burst: 1 });
  const inFlight = new Map<string, { job: Promise<ModelInvocationJob>; fresh: boolean }>();

  return {
    nextSlot: () => pacing.acquire('poller', { signal }),

    fetchJob(jobId, fresh) {
      const pending = inFlight.get(jobId);
      // A fresh get does not join a read that may come from the shared cache.
      if (pending && (pending.fresh || !fresh)) return pending.job;
      const job = jobs.getJob(jobId, { fresh }).finally(() => {
        if (inFlight.get(jobId)?.job === job) inFlight.delete(jobId);
      });
      inFlight.set(jobId, { job, fresh });
      return job;
    },

    pending: (jobId) => inFlight.get(jobId)?.job,
  };
}
