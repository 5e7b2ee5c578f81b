// What the gateway has observed of each job over time: when it first saw each status, and recent
// (time, processedRecordCount) samples while the job ran. Bedrock reports neither a start time
// nor a rate; these observations are where startedAt, throughput, the ETA and the timeline come
// from (job-timing.ts). Every read of a job from Bedrock (a Get, or a list page, by a query, a
// subscription or the poller, on any instance) is recorded through the jobs API.
//
// Kept with the job cache: in this process by default (bounded), in Redis with REDIS_URL
// (src/redis/redis-job-history.ts), so a restart or another instance keeps it.
import { LRUCache } from 'lru-cache';
import type { JobStatus, ModelInvocationJob } from './job.ts';
import { jobIdFromArn } from './job-identifier.ts';
import { RATE_WINDOW_MS } from './job-timing.ts';

/** One observation of a running job's progress. */
export interface ProgressSample {
  /** When it was observed, epoch ms. */
  at: number;
  processed: number;
}

export interface JobHistory {
  /** When each status was first observed, epoch ms. */
  firstSeen: Partial<Record<JobStatus, number>>;
  /** Recent observations while the job was IN_PROGRESS, oldest first, at most MAX_SAMPLES. */
  samples: ProgressSample[];
}

export interface JobHistoryStore {
  /** Records jobs just read from Bedrock, observed at `at` (epoch ms). Never rejects. */
  record(jobs: readonly ModelInvocationJob[], at: number): Promise<void>;
  /** What is known of these jobs (an empty history for a job never recorded). Never rejects. */
  read(jobIds: readonly string[]): Promise<Map<string, JobHistory>>;
}

/** Progress samples kept per job. */
export const MAX_SAMPLES = 120;
/**
 * Fewest milliseconds between two samples this process keeps of a job, the newest excepted:
 * however often the job is read (polls, list pages, queries), the samples span the rate's window.
 */
export const MIN_SAMPLE_GAP_MS = RATE_WINDOW_MS / MAX_SAMPLES;
/** Jobs whose history this process keeps without Redis (the least recently recorded go first). */
const MAX_JOBS_IN_PROCESS = 10_000;

export const emptyHistory = (): JobHistory => ({ firstSeen: {}, samples: [] });

/**
 * What one observation adds to a job's history: its status (when not seen before) and, while it
 * runs with a known count, a progress sample. The newest sample is always the latest observation:
 * one less than MIN_SAMPLE_GAP_MS after the sample before it takes the place of the newest
 * (`replacesNewest`) instead of adding one, so the rate is current and the samples still span it.
 */
export interface HistoryWrite {
  jobId: string;
  status: JobStatus | undefined;
  sample: ProgressSample | undefined;
  replacesNewest: boolean;
}

export interface HistoryWriter {
  /** What `jobs`, read at `at`, add to their histories; remembered as written. */
  writes(jobs: readonly ModelInvocationJob[], at: number): HistoryWrite[];
  /** These writes did not happen after all (Redis failed): the next read writes them again. */
  forget(writes: readonly HistoryWrite[]): void;
}

/**
 * Turns reads into writes, skipping what this process recorded already (a finished job never
 * changes, and a status seen once keeps its first time) and spacing the samples it keeps.
 * Shared by the in-process and Redis stores.
 */
export function createHistoryWriter(maxJobs = MAX_JOBS_IN_PROCESS): HistoryWriter {
  // Per job: the status last recorded; the time of the last sample kept for good; whether a
  // newer one, closer to it than the gap, stands in the newest place.
  const recorded = new LRUCache<string, { status?: JobStatus; keptAt?: number; standIn?: boolean }>({ max: maxJobs });
  return {
    writes(jobs, at) {
      const writes: HistoryWrite[] = [];
      for (const job of jobs) {
        const jobId = jobIdFromArn(job.jobArn);
        const { status, processedRecordCount } = job;
        const last = recorded.get(jobId) ?? {};
        const newStatus = status !== undefined && last.status !== status;
        const running = status === 'InProgress' && processedRecordCount !== undefined;
        if (!newStatus && !running) continue;
        const next = { ...last, status: status ?? last.status };
        let replacesNewest = false;
        if (running) {
          const spaced = !(at - (last.keptAt ?? -Infinity) < MIN_SAMPLE_GAP_MS);
          // A stand-in is replaced either way: by a sample kept for good, or by a newer stand-in.
          replacesNewest = last.standIn === true;
          if (spaced) Object.assign(next, { keptAt: at, standIn: false });
          else next.standIn = true;
        }
        recorded.set(jobId, next);
        writes.push({
          jobId,
          status: newStatus ? status : undefined,
          sample: running ? { at, processed: processedRecordCount } : undefined,
          replacesNewest,
        });
      }
      return writes;
    },
    forget(writes) {
      for (const { jobId } of writes) recorded.delete(jobId);
    },
  };
}

/** The history of jobs in this process: the MAX_JOBS_IN_PROCESS most recently observed. */
export function createInProcessJobHistory(maxJobs = MAX_JOBS_IN_PROCESS): JobHistoryStore {
  const histories = new LRUCache<string, JobHistory>({ max: maxJobs });
  const writer = createHistoryWriter(maxJobs);
  return {
    async record(jobs, at) {
      for (const { jobId, status, sample, replacesNewest } of writer.writes(jobs, at)) {
        let history = histories.get(jobId);
        if (!history) histories.set(jobId, (history = emptyHistory()));
        if (status !== undefined) history.firstSeen[status] ??= at;
        if (sample && replacesNewest && history.samples.length > 0) history.samples[history.samples.length - 1] = sample;
        else if (sample) {
          history.samples.push(sample);
          if (history.samples.length > MAX_SAMPLES) history.samples.splice(0, history.samples.length - MAX_SAMPLES);
        }
      }
    },
    async read(jobIds) {
      return new Map(jobIds.map((jobId) => [jobId, histories.get(jobId) ?? emptyHistory()]));
    },
  };
}
