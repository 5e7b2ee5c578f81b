// The jobs the simulator holds and the indexes over them: by id, by clientRequestToken, the
// unfinished ones (for the quota), and one list sorted by submit time that ListModelInvocationJobs
// walks. Bedrock does not say what its nextToken is, so the simulator's is the least stable thing
// it may be: an offset into the current matches. Jobs created (newest first) or changing status
// (statusEquals) between pages shift it, and a client trusting it skips or repeats jobs.
import { SimulatorError } from './errors.ts';
import { isTerminalStatus, type JobPlan } from './lifecycle.ts';
import type { SimulatedJob, SimulatedJobStatus } from './simulated-job.ts';

/** A job, its plan, and whether the clock leaves it alone. `job` is replaced on every change. */
export interface JobRecord {
  job: SimulatedJob;
  readonly plan: JobPlan;
  readonly paused: boolean;
}

type SortOrder = 'Ascending' | 'Descending';

export interface ListJobsQuery {
  statusEquals?: SimulatedJobStatus;
  /** Case-sensitive substring of the job name. */
  nameContains?: string;
  /** Only jobs submitted strictly after this instant. */
  submitTimeAfter?: Date;
  /** Only jobs submitted strictly before this instant. */
  submitTimeBefore?: Date;
  /** By submit time (the API's only sort key, CreationTime). @default 'Descending' */
  sortOrder?: SortOrder;
  /** @default 1000 */
  maxResults?: number;
  nextToken?: string;
}

export interface ListJobsPage {
  jobs: SimulatedJob[];
  /** Present when more jobs may follow. */
  nextToken?: string;
}

export interface JobStore {
  /** Number of jobs held. */
  readonly size: number;
  /** Number of unfinished jobs held, paused or not. */
  readonly unfinished: number;
  has(jobId: string): boolean;
  /** A record by ARN or bare 12-character id; an ARN must match in full. */
  find(jobIdentifier: string): JobRecord | undefined;
  /** Like `find`, but throws ResourceNotFoundException for an unknown job. */
  get(jobIdentifier: string): JobRecord;
  /** The record created with this clientRequestToken, if any. */
  byClientToken(token: string): JobRecord | undefined;
  add(record: JobRecord): void;
  /** Call after a record's job changed, so the unfinished count follows its status. */
  changed(record: JobRecord): void;
  /** One page of jobs, filtered and sorted like ListModelInvocationJobs. Throws ValidationException for a bad token. */
  list(query: ListJobsQuery): ListJobsPage;
}

export function createJobStore(): JobStore {
  const byId = new Map<string, JobRecord>();
  const byToken = new Map<string, JobRecord>();
  const unfinished = new Set<JobRecord>();
  /** Every record by submit time once sorted, ties in the order they were added (creation order). */
  const ordered: JobRecord[] = [];
  // Sorting lazily, on the next list, makes adding thousands of jobs one sort instead of
  // thousands of inserts; jobs mostly arrive in order, which keeps that sort cheap.
  let sorted = true;

  const sortedRecords = (): JobRecord[] => {
    if (!sorted) ordered.sort((a, b) => compare(a.job, b.job));
    sorted = true;
    return ordered;
  };

  const find = (jobIdentifier: string): JobRecord | undefined => {
    const slash = jobIdentifier.lastIndexOf('/');
    if (slash < 0) return byId.get(jobIdentifier);
    const record = byId.get(jobIdentifier.slice(slash + 1));
    return record?.job.jobArn === jobIdentifier ? record : undefined;
  };

  const changed = (record: JobRecord): void => {
    if (isTerminalStatus(record.job.status)) unfinished.delete(record);
    else unfinished.add(record);
  };

  return {
    get size() {
      return byId.size;
    },
    get unfinished() {
      return unfinished.size;
    },
    has: (jobId) => byId.has(jobId),
    find,
    get(jobIdentifier) {
      const record = find(jobIdentifier);
      if (!record) throw new SimulatorError('ResourceNotFoundException', `Model invocation job ${jobIdentifier} not found.`);
      return record;
    },
    byClientToken: (token) => byToken.get(token),
    add(record) {
      byId.set(record.job.jobId, record);
      if (record.job.clientRequestToken !== undefined) byToken.set(record.job.clientRequestToken, record);
      const last = ordered[ordered.length - 1];
      if (last && compare(last.job, record.job) > 0) sorted = false;
      ordered.push(record);
      changed(record);
    },
    changed,
    list: (query) => listPage(sortedRecords(), query),
  };
}

function listPage(ordered: readonly JobRecord[], query: ListJobsQuery): ListJobsPage {
  const descending = (query.sortOrder ?? 'Descending') === 'Descending';
  const maxResults = query.maxResults ?? 1000;
  const offset = query.nextToken === undefined ? 0 : decodeToken(query.nextToken);
  // The bounds are exclusive: the range runs from the first job after submitTimeAfter to the
  // last one before submitTimeBefore.
  const lo = query.submitTimeAfter === undefined ? 0 : countUpTo(ordered, query.submitTimeAfter.getTime(), true);
  const hi = query.submitTimeBefore === undefined ? ordered.length : countUpTo(ordered, query.submitTimeBefore.getTime(), false);
  const jobs: SimulatedJob[] = [];
  let matched = 0;
  for (let k = 0; k < hi - lo; k++) {
    const job = (ordered[descending ? hi - 1 - k : lo + k] as JobRecord).job;
    if (query.statusEquals !== undefined && job.status !== query.statusEquals) continue;
    if (query.nameContains !== undefined && !job.jobName.includes(query.nameContains)) continue;
    if (matched++ < offset) continue;
    // A token only when another match exists, so the page holding the last match ends the list.
    if (jobs.length === maxResults) return { jobs, nextToken: encodeToken(offset + maxResults) };
    jobs.push(job);
  }
  return { jobs };
}

// Ties keep the order the jobs were added in (Array.prototype.sort is stable), which is not the
// order of their ids: a client has to order ties itself.
function compare(a: SimulatedJob, b: SimulatedJob): number {
  return a.submitTime.getTime() - b.submitTime.getTime();
}

/** How many jobs were submitted before `time`, or at or before it when `inclusive`. */
function countUpTo(ordered: readonly JobRecord[], time: number, inclusive: boolean): number {
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = (ordered[mid] as JobRecord).job.submitTime.getTime();
    if (t < time || (inclusive && t === time)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify([offset])).toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 1 && Number.isSafeInteger(value[0]) && value[0] > 0) return value[0] as number;
  } catch {
    // fall through: any undecodable token is the caller's error
  }
  throw new SimulatorError('ValidationException', 'The provided nextToken is not valid.');
}
