// The job cache every instance shares through Redis. Finished jobs stay (they never change);
// unfinished ones live for JOB_CACHE_TTL_MS, less than a poll interval, so a job fetched through
// one instance answers queries on every other without another upstream call while it is fresh.
// The in-process LRU of finished jobs stays in front, so a finished job costs no Redis call either.
// When Redis does not answer, the cache answers "unknown" and callers go upstream.
import type { Logger } from 'pino';
import { isTerminalStatus, type ModelInvocationJob } from '../bedrock/job.ts';
import type { JobCache } from '../bedrock/job-cache.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import { jobFromJson, jobToJson } from '../bedrock/job-json.ts';
import type { TerminalJobCache } from '../bedrock/terminal-job-cache.ts';
import type { RedisConnections } from './redis-connections.ts';

export interface RedisJobCacheOptions {
  connections: RedisConnections;
  /** Finished jobs kept in this process, in front of Redis. */
  local: TerminalJobCache;
  /** How long an unfinished job's state is served from Redis. */
  unfinishedTtlMs: number;
  /**
   * How long a finished job stays in Redis. It never changes, so this only bounds memory: a job
   * dropped is fetched again once and cached anew. @default 604800000 (7 days)
   */
  finishedTtlMs?: number;
  logger: Logger;
}

export function createRedisJobCache(options: RedisJobCacheOptions): JobCache {
  const { connections, local, unfinishedTtlMs, logger } = options;
  const finishedTtlMs = options.finishedTtlMs ?? 7 * 24 * 3600 * 1000;
  const { commands, keyPrefix } = connections;
  // Separate keys: a late write of an older, unfinished state can never hide a finished one.
  const finishedKey = (jobId: string) => `${keyPrefix}job:finished:${jobId}`;
  const unfinishedKey = (jobId: string) => `${keyPrefix}job:unfinished:${jobId}`;

  const failed = (operation: string) => (error: unknown) => {
    connections.commandFailed(error);
    logger.debug({ err: error, operation }, 'Redis job cache unavailable; going upstream');
    return undefined;
  };

  // One MGET for many jobs: per job, its finished entry, then (unless finishedOnly) its fresh one.
  const read = async (jobIds: readonly string[], finishedOnly: boolean) => {
    const found = new Map<string, ModelInvocationJob>();
    const missing: string[] = [];
    for (const jobId of jobIds) {
      const job = local.get(jobId);
      if (job) found.set(jobId, job);
      else missing.push(jobId);
    }
    if (missing.length === 0 || !connections.isUp()) return found;
    const keys = missing.flatMap((jobId) => (finishedOnly ? [finishedKey(jobId)] : [finishedKey(jobId), unfinishedKey(jobId)]));
    const values = await commands.mget(keys).catch(failed('mget'));
    if (!values) return found;
    const perJob = finishedOnly ? 1 : 2;
    missing.forEach((jobId, index) => {
      const [finished, unfinished] = values.slice(index * perJob, index * perJob + perJob);
      if (finished) {
        const job = jobFromJson(finished);
        local.offer(jobId, job);
        found.set(jobId, job);
      } else if (unfinished) {
        found.set(jobId, jobFromJson(unfinished));
      }
    });
    return found;
  };

  return {
    async get(jobId, { finishedOnly = false } = {}) {
      return (await read([jobId], finishedOnly)).get(jobId);
    },

    getMany: (jobIds) => read(jobIds, false),

    async offer(jobs) {
      const writes = commands.pipeline();
      for (const job of jobs) {
        const jobId = jobIdFromArn(job.jobArn);
        if (isTerminalStatus(job.status)) {
          // Known here already means written (or read) before: Redis has it.
          if (local.get(jobId)) continue;
          local.offer(jobId, job);
          writes.set(finishedKey(jobId), jobToJson(job), 'PX', finishedTtlMs);
        } else {
          writes.set(unfinishedKey(jobId), jobToJson(job), 'PX', unfinishedTtlMs);
        }
      }
      if (writes.length === 0 || !connections.isUp()) return;
      await writes.exec().catch(failed('set'));
    },
  };
}
