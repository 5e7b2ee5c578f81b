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
  // Entries from list summaries count only when `partial` will do.
  const read = async (jobIds: readonly string[], { finishedOnly = false, partial = false }) => {
    const found = new Map<string, ModelInvocationJob>();
    const missing: string[] = [];
    for (const jobId of jobIds) {
      const job = local.get(jobId, { partial });
      if (job) found.set(jobId, job);
      else missing.push(jobId);
    }
    if (missing.length === 0 || !connections.isUp()) return found;
    const keys = missing.flatMap((jobId) => (finishedOnly ? [finishedKey(jobId)] : [finishedKey(jobId), unfinishedKey(jobId)]));
    const values = await commands.mget(keys).catch(failed('mget'));
    if (!values) return found;
    const perJob = finishedOnly ? 1 : 2;
    missing.forEach((jobId, index) => {
      const [finished, unfinished] = values.slice(index * perJob, index * perJob + perJob).map(decode);
      if (finished) local.offer(jobId, finished.job, finished);
      const usable = [finished, unfinished].find((entry) => entry && (partial || !entry.partial));
      if (usable) found.set(jobId, usable.job);
    });
    return found;
  };

  return {
    get: async (jobId, { finishedOnly = false } = {}) => (await read([jobId], { finishedOnly })).get(jobId),

    getMany: (jobIds) => read(jobIds, { partial: true }),

    async offer(jobs, { partial = false } = {}) {
      const writes = commands.pipeline();
      for (const job of jobs) {
        const jobId = jobIdFromArn(job.jobArn);
        const value = encode(job, partial);
        if (isTerminalStatus(job.status)) {
          // Known here already means written (or read) before: Redis has it, as full or fuller.
          if (local.get(jobId, { partial })) continue;
          local.offer(jobId, job, { partial });
          // A summary never overwrites a full read another instance wrote.
          if (partial) writes.set(finishedKey(jobId), value, 'PX', finishedTtlMs, 'NX');
          else writes.set(finishedKey(jobId), value, 'PX', finishedTtlMs);
        } else {
          writes.set(unfinishedKey(jobId), value, 'PX', unfinishedTtlMs);
        }
      }
      if (writes.length === 0 || !connections.isUp()) return;
      await writes.exec().catch(failed('set'));
    },
  };
}

/** Entries from list summaries are marked by a leading `~` (JSON never starts with one). */
const PARTIAL_MARK = '~';

const encode = (job: ModelInvocationJob, partial: boolean) => (partial ? PARTIAL_MARK : '') + jobToJson(job);

function decode(value: string | null | undefined): { job: ModelInvocationJob; partial: boolean } | undefined {
  if (!value) return undefined;
  const partial = value.startsWith(PARTIAL_MARK);
  return { job: jobFromJson(partial ? value.slice(1) : value), partial };
}
