// A bounded in-process cache of finished jobs. A job in a terminal status never changes again,
// so it can be served across requests without asking Bedrock; unfinished jobs never enter.
import { isTerminalStatus, type ModelInvocationJob } from './job.ts';

export interface TerminalJobCache {
  get(jobId: string): ModelInvocationJob | undefined;
  /** Keeps the job if it is finished; ignores it otherwise. */
  offer(jobId: string, job: ModelInvocationJob): void;
  readonly size: number;
}

/** Least-recently-used eviction on a Map (insertion order is recency order). */
export function createTerminalJobCache(maxSize: number): TerminalJobCache {
  const jobs = new Map<string, ModelInvocationJob>();
  return {
    get(jobId) {
      const job = jobs.get(jobId);
      if (job !== undefined) {
        jobs.delete(jobId);
        jobs.set(jobId, job);
      }
      return job;
    },
    offer(jobId, job) {
      if (maxSize === 0 || !isTerminalStatus(job.status)) return;
      jobs.delete(jobId);
      jobs.set(jobId, job);
      if (jobs.size > maxSize) jobs.delete(jobs.keys().next().value as string);
    },
    get size() {
      return jobs.size;
    },
  };
}
