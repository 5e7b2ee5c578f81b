// What the data layer remembers of jobs across requests, behind one interface: in-process, the
// finished-job LRU (terminal-job-cache.ts); with Redis, a cache every instance shares
// (src/redis/redis-job-cache.ts), so a job fetched through one instance is reused by all.
import { jobIdFromArn } from './job-identifier.ts';
import type { ModelInvocationJob } from './job.ts';
import type { CachedJobOptions, TerminalJobCache } from './terminal-job-cache.ts';

export interface JobCache {
  /**
   * The job's last known state if it may be served without asking Bedrock: a finished job (it
   * never changes), or, in a shared cache, an unfinished one fetched less than its TTL ago.
   * `finishedOnly` skips the latter (the caller wants the upstream's word on a live job). Never a
   * state known only from a list summary, which may lack members.
   * Never rejects: a cache that cannot answer answers "unknown".
   */
  get(jobId: string, options?: { finishedOnly?: boolean }): Promise<ModelInvocationJob | undefined>;
  /**
   * What is known of many jobs at once (one round trip for a shared cache), list summaries
   * included: for catching up, where what is read is merged with what is known. The map holds the hits.
   */
  getMany(jobIds: readonly string[]): Promise<Map<string, ModelInvocationJob>>;
  /**
   * Remembers jobs just read from Bedrock; `partial` for list summaries, which never replace a
   * fuller read of a job. Never rejects.
   */
  offer(jobs: readonly ModelInvocationJob[], options?: CachedJobOptions): Promise<void>;
}

/** The single-process cache: finished jobs only, in memory. */
export function createInProcessJobCache(finished: TerminalJobCache): JobCache {
  return {
    get: async (jobId) => finished.get(jobId),
    async getMany(jobIds) {
      const hits = new Map<string, ModelInvocationJob>();
      for (const jobId of jobIds) {
        const job = finished.get(jobId, { partial: true });
        if (job) hits.set(jobId, job);
      }
      return hits;
    },
    async offer(jobs, options) {
      for (const job of jobs) finished.offer(jobIdFromArn(job.jobArn), job, options);
    },
  };
}
