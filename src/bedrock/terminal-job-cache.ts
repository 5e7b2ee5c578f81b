// A bounded in-process cache of finished jobs. A job in a terminal status never changes again,
// so it can be served across requests without asking Bedrock; unfinished jobs never enter.
//
// A job known only from a list summary is kept as `partial`: summaries may omit members that
// GetModelInvocationJob gives, so it serves catching up (where reads merge) but not a query for
// the job, and a full read replaces it.
import { LRUCache } from 'lru-cache';
import { isTerminalStatus, type ModelInvocationJob } from './job.ts';

export interface CachedJobOptions {
  /** Whether the job came from a list summary (offer), or whether such a job will do (get). @default false */
  partial?: boolean;
}

export interface TerminalJobCache {
  get(jobId: string, options?: CachedJobOptions): ModelInvocationJob | undefined;
  /** Keeps the job if it is finished (a summary only when nothing is known); ignores it otherwise. */
  offer(jobId: string, job: ModelInvocationJob, options?: CachedJobOptions): void;
  readonly size: number;
}

interface Entry {
  job: ModelInvocationJob;
  partial: boolean;
}

/** The `maxSize` most recently used finished jobs; 0 keeps none. */
export function createTerminalJobCache(maxSize: number): TerminalJobCache {
  const jobs = maxSize > 0 ? new LRUCache<string, Entry>({ max: maxSize }) : undefined;
  return {
    get(jobId, { partial = false } = {}) {
      const entry = jobs?.get(jobId);
      return entry && (partial || !entry.partial) ? entry.job : undefined;
    },
    offer(jobId, job, { partial = false } = {}) {
      if (!jobs || !isTerminalStatus(job.status)) return;
      if (partial && jobs.has(jobId)) return;
      jobs.set(jobId, { job, partial });
    },
    get size() {
      return jobs?.size ?? 0;
    },
  };
}
