// A bounded in-process cache of finished jobs. A job in a terminal status never changes again,
// so it can be served across requests without asking Bedrock; unfinished jobs never enter.
import { LRUCache } from 'lru-cache';
import { isTerminalStatus, type ModelInvocationJob } from './job.ts';

export interface TerminalJobCache {
  get(jobId: string): ModelInvocationJob | undefined;
  /** Keeps the job if it is finished; ignores it otherwise. */
  offer(jobId: string, job: ModelInvocationJob): void;
  readonly size: number;
}

/** The `maxSize` most recently used finished jobs; 0 keeps none. */
export function createTerminalJobCache(maxSize: number): TerminalJobCache {
  const jobs = maxSize > 0 ? new LRUCache<string, ModelInvocationJob>({ max: maxSize }) : undefined;
  return {
    get: (jobId) => jobs?.get(jobId),
    offer(jobId, job) {
      if (isTerminalStatus(job.status)) jobs?.set(jobId, job);
    },
    get size() {
      return jobs?.size ?? 0;
    },
  };
}
