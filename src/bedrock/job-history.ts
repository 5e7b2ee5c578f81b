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

/** Progress samples kept per job: at a 10 s interval, the last 20 minutes; at 1 s, the last 2. */
export const MAX_SAMPLES = 120;
/** Jobs whose history this process keeps without Redis (the least recently recorded go first). */
const MAX_JOBS_IN_PROCESS = 10_000;

export const emptyHistory = (): JobHistory => ({ firstSeen: {}, samples: [] });

/**
 * What one observation adds to a job's history: its status (when not seen before) and, while it
 * runs with a known count, a progress sample. Undefined for a job whose read adds nothing that
 * `last` (the previous observation recorded by this process) did not: a finished job read again.
 */
export interface HistoryWrite {
  jobId: string;
  status: JobStatus | undefined;
  sample: ProgressSample | undefined;
}

/**
 * Turns reads into writes, skipping what this process recorded already: a finished job never
 * changes, and a status seen once keeps its first time. Shared by the in-process and Redis stores.
 */
export function createHistoryWriter(maxJobs = MAX_JOBS_IN_PROCESS) {
  const lastStatus = new LRUCache<string, JobStatus>({ max: maxJobs });
  return (jobs: readonly ModelInvocationJob[], at: number): HistoryWrite[] => {
    const writes: HistoryWrite[] = [];
    for (const job of jobs) {
      const jobId = jobIdFromArn(job.jobArn);
      const { status, processedRecordCount } = job;
      const sample = status === 'InProgress' && processedRecordCount !== undefined ? { at, processed: processedRecordCount } : undefined;
      const seenBefore = status !== undefined && lastStatus.get(jobId) === status;
      if (seenBefore && !sample) continue;
      if (status !== undefined) lastStatus.set(jobId, status);
      writes.push({ jobId, status: seenBefore ? undefined : status, sample });
    }
    return writes;
  };
}

/** The history of jobs in this process: the MAX_JOBS_IN_PROCESS most recently observed. */
export function createInProcessJobHistory(maxJobs = MAX_JOBS_IN_PROCESS): JobHistoryStore {
  const histories = new LRUCache<string, JobHistory>({ max: maxJobs });
  const toWrites = createHistoryWriter(maxJobs);
  return {
    async record(jobs, at) {
      for (const { jobId, status, sample } of toWrites(jobs, at)) {
        let history = histories.get(jobId);
        if (!history) histories.set(jobId, (history = emptyHistory()));
        if (status !== undefined) history.firstSeen[status] ??= at;
        if (sample) {
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
