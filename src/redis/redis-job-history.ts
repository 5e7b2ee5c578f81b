// Job histories every instance shares through Redis, so what one instance observed (and what was
// observed before a restart) counts for all. Per job, two keys kept as long as finished jobs are:
//   <prefix>job:seen:<jobId>     hash: status → epoch ms it was first observed (HSETNX: first wins)
//   <prefix>job:samples:<jobId>  list: "<epoch ms>:<processed>" while running, the last MAX_SAMPLES
// Instances' samples interleave, so a read sorts them by time. When Redis does not answer, the
// history is simply missing those observations (derived fields fall back on Bedrock's own times).
import type { Logger } from 'pino';
import { createHistoryWriter, emptyHistory, MAX_SAMPLES, type JobHistory, type JobHistoryStore } from '../bedrock/job-history.ts';
import type { JobStatus } from '../bedrock/job.ts';
import type { RedisConnections } from './redis-connections.ts';

export interface RedisJobHistoryOptions {
  connections: RedisConnections;
  /** How long a job's history stays after its last observation. @default 604800000 (7 days) */
  ttlMs?: number;
  logger: Logger;
}

export function createRedisJobHistory({ connections, ttlMs = 7 * 24 * 3600 * 1000, logger }: RedisJobHistoryOptions): JobHistoryStore {
  const { commands, keyPrefix } = connections;
  const seenKey = (jobId: string) => `${keyPrefix}job:seen:${jobId}`;
  const samplesKey = (jobId: string) => `${keyPrefix}job:samples:${jobId}`;
  const writer = createHistoryWriter();

  const failed = (operation: string) => (error: unknown) => {
    connections.commandFailed(error);
    logger.debug({ err: error, operation }, 'Redis job history unavailable');
    return undefined;
  };

  return {
    async record(jobs, at) {
      if (!connections.isUp()) return;
      const writes = writer.writes(jobs, at);
      if (writes.length === 0) return;
      const pipeline = commands.pipeline();
      for (const { jobId, status, sample, replacesNewest } of writes) {
        if (status !== undefined) {
          pipeline.hsetnx(seenKey(jobId), status, at);
          pipeline.pexpire(seenKey(jobId), ttlMs);
        }
        if (sample) {
          // Another instance's sample may have come last meanwhile: it is the one replaced then.
          if (replacesNewest) pipeline.lset(samplesKey(jobId), -1, `${sample.at}:${sample.processed}`);
          else pipeline.rpush(samplesKey(jobId), `${sample.at}:${sample.processed}`);
          pipeline.ltrim(samplesKey(jobId), -MAX_SAMPLES, -1);
          pipeline.pexpire(samplesKey(jobId), ttlMs);
        }
      }
      const done = await pipeline.exec().catch(failed('record'));
      if (!done) writer.forget(writes);
    },

    async read(jobIds) {
      const histories = new Map(jobIds.map((jobId) => [jobId, emptyHistory()]));
      if (jobIds.length === 0 || !connections.isUp()) return histories;
      const reads = commands.pipeline();
      for (const jobId of jobIds) reads.hgetall(seenKey(jobId)).lrange(samplesKey(jobId), 0, -1);
      const results = await reads.exec().catch(failed('read'));
      if (!results) return histories;
      jobIds.forEach((jobId, index) => {
        const [seenError, seen] = results[index * 2] as [Error | null, Record<string, string> | null];
        const [samplesError, samples] = results[index * 2 + 1] as [Error | null, string[] | null];
        const history = histories.get(jobId) as JobHistory;
        if (!seenError && seen) {
          for (const [status, at] of Object.entries(seen)) history.firstSeen[status as JobStatus] = Number(at);
        }
        if (!samplesError && samples) {
          history.samples = samples.map(parseSample).filter((sample) => sample !== undefined).sort((a, b) => a.at - b.at);
        }
      });
      return histories;
    },
  };
}

function parseSample(text: string) {
  const [at, processed] = text.split(':').map(Number);
  return Number.isFinite(at) && Number.isFinite(processed) ? { at: at as number, processed: processed as number } : undefined;
}
