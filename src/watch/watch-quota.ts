// How many distinct jobs each caller (credential, or client address without one) has watched at
// once, bounded (MAX_WATCHED_JOBS_PER_CREDENTIAL): every watched unfinished job costs the poller
// a refresh per interval, so one client must not be able to make it refresh thousands.
import { ErrorCode, createGatewayError } from '../errors.ts';

export interface WatchQuotaOptions {
  /** Most distinct jobs one caller may watch at once; a watch of another is refused. */
  maxJobsPerCaller: number;
}

export interface WatchQuota {
  /**
   * Counts `jobId` as watched by `caller` until the returned function is called (more watches of
   * the same job by the same caller count once). Throws LIMIT_EXCEEDED, counting nothing, when
   * it is another job and the caller already watches as many as it may.
   */
  claim(caller: string, jobId: string): () => void;
  /** Distinct jobs the caller watches now. */
  watched(caller: string): number;
}

export function createWatchQuota({ maxJobsPerCaller }: WatchQuotaOptions): WatchQuota {
  // Caller → watched job → watches of it.
  const callers = new Map<string, Map<string, number>>();

  return {
    claim(caller, jobId) {
      let jobs = callers.get(caller);
      if (!jobs?.has(jobId) && (jobs?.size ?? 0) >= maxJobsPerCaller) {
        throw createGatewayError(
          ErrorCode.LIMIT_EXCEEDED,
          `These credentials already watch ${maxJobsPerCaller} unfinished jobs, the most one caller may (MAX_WATCHED_JOBS_PER_CREDENTIAL); end one of those subscriptions first`,
          { limit: 'MAX_WATCHED_JOBS_PER_CREDENTIAL' },
        );
      }
      if (!jobs) callers.set(caller, (jobs = new Map()));
      jobs.set(jobId, (jobs.get(jobId) ?? 0) + 1);
      const own = jobs;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (own.get(jobId) ?? 1) - 1;
        if (left > 0) return void own.set(jobId, left);
        own.delete(jobId);
        if (own.size === 0 && callers.get(caller) === own) callers.delete(caller);
      };
    },

    watched: (caller) => callers.get(caller)?.size ?? 0,
  };
}
