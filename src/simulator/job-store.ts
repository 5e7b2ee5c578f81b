// The jobs the simulator holds and the indexes over them: by id, by clientRequestToken, the
// unfinished ones (for the quota), and one list sorted by submit time that ListModelInvocationJobs
// walks from a cursor. Page tokens name the last job returned, never an offset.
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

interface Cursor {
  t: number;
  id: string;
}

export function createJobStore(): JobStore {
  const byId = new Map<string, JobRecord>();
  const byToken = new Map<string, JobRecord>();
  const unfinished = new Set<JobRecord>();
  /** Every record in (submitTime, jobId) order once sorted: the list order and cursor space. */
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
  let index = descending ? ordered.length - 1 : 0;
  if (query.nextToken !== undefined) {
    const cursor = decodeToken(query.nextToken);
    index = descending ? bound(ordered, cursor, true) - 1 : bound(ordered, cursor, false);
  }
  const after = query.submitTimeAfter?.getTime();
  const before = query.submitTimeBefore?.getTime();
  const jobs: SimulatedJob[] = [];
  const stepBy = descending ? -1 : 1;
  for (; index >= 0 && index < ordered.length; index += stepBy) {
    const job = (ordered[index] as JobRecord).job;
    const t = job.submitTime.getTime();
    // In submit-time order, the first job past a bound ends the walk; before it, skip.
    if (after !== undefined && t <= after) {
      if (descending) break;
      continue;
    }
    if (before !== undefined && t >= before) {
      if (descending) continue;
      break;
    }
    if (query.statusEquals !== undefined && job.status !== query.statusEquals) continue;
    if (query.nameContains !== undefined && !job.jobName.includes(query.nameContains)) continue;
    // A token only when another match exists, so the page holding the last match ends the list.
    if (jobs.length === maxResults) return { jobs, nextToken: encodeToken(jobs[jobs.length - 1] as SimulatedJob) };
    jobs.push(job);
  }
  return { jobs };
}

function compare(a: SimulatedJob, b: SimulatedJob): number {
  return a.submitTime.getTime() - b.submitTime.getTime() || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);
}

/** First index whose job sorts after the cursor, or at-or-after it when `inclusive`. */
function bound(ordered: readonly JobRecord[], { t, id }: Cursor, inclusive: boolean): number {
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const job = (ordered[mid] as JobRecord).job;
    const jt = job.submitTime.getTime();
    if (jt < t || (jt === t && (inclusive ? job.jobId < id : job.jobId <= id))) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The token names the last job returned (sort key + id), not an offset, so jobs created between
// pages neither repeat nor hide others.
function encodeToken(job: SimulatedJob): string {
  return Buffer.from(JSON.stringify([job.submitTime.getTime(), job.jobId])).toString('base64url');
}

function decodeToken(token: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string') {
      return { t: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through: any undecodable token is the caller's error
  }
  throw new SimulatorError('ValidationException', 'The provided nextToken is not valid.');
}
