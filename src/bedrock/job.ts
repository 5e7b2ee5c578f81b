// The job as the data layer hands it to the schema: the SDK's GetModelInvocationJob output
// (list summaries carry the same members). Only types cross this boundary, no SDK code.
import type { GetModelInvocationJobResponse, ModelInvocationJobStatus } from '@aws-sdk/client-bedrock';

export type {
  ModelInvocationJobS3InputDataConfig,
  ModelInvocationJobS3OutputDataConfig,
  ModelInvocationJobStatus,
  ModelInvocationType,
  S3InputFormat,
  VpcConfig,
} from '@aws-sdk/client-bedrock';

/** Members the API marks required; the SDK types them `| undefined` anyway. */
type RequiredMember = 'jobArn' | 'modelId' | 'roleArn' | 'submitTime' | 'inputDataConfig' | 'outputDataConfig';
type Response = Omit<GetModelInvocationJobResponse, '$metadata'>;

export type ModelInvocationJob = Omit<Response, RequiredMember> & {
  [K in RequiredMember]-?: NonNullable<Response[K]>;
};

export type JobStatus = ModelInvocationJobStatus;

/** Every status, and whether it is final: the one list (the type checks it names them all). */
const IS_TERMINAL: Readonly<Record<JobStatus, boolean>> = {
  Submitted: false,
  Validating: false,
  Scheduled: false,
  InProgress: false,
  Stopping: false,
  Completed: true,
  PartiallyCompleted: true,
  Failed: true,
  Stopped: true,
  Expired: true,
};

/** Statuses a job may still leave. */
export const UNFINISHED_STATUSES = (Object.keys(IS_TERMINAL) as JobStatus[]).filter((status) => !IS_TERMINAL[status]);

/** A job in one of these statuses never changes again. */
export function isTerminalStatus(status: string | undefined): boolean {
  return status !== undefined && IS_TERMINAL[status as JobStatus] === true;
}

/**
 * Every member of a job, in one fixed order. The SDK orders an object's keys by the members of the
 * shape it parsed (GetModelInvocationJob's output and a list summary differ), so a job's state is
 * compared member by member in this order, never by its JSON. The type checks it names them all.
 */
const JOB_MEMBERS = [
  'jobArn', 'jobName', 'modelId', 'clientRequestToken', 'roleArn', 'status', 'message', 'submitTime',
  'lastModifiedTime', 'endTime', 'inputDataConfig', 'outputDataConfig', 'vpcConfig', 'timeoutDurationInHours',
  'jobExpirationTime', 'modelInvocationType', 'totalRecordCount', 'processedRecordCount', 'successRecordCount',
  'errorRecordCount',
] as const satisfies ReadonlyArray<keyof ModelInvocationJob>;
type MissingMember = Exclude<keyof ModelInvocationJob, (typeof JOB_MEMBERS)[number]>;
const _allMembersListed: [MissingMember] extends [never] ? true : MissingMember = true;

/** Counts of work done, which never go back for a job. */
const PROGRESS_MEMBERS = ['processedRecordCount', 'successRecordCount', 'errorRecordCount'] as const;

/**
 * A value that differs exactly when something a client can select differs: members in a fixed
 * order, instants as numbers (a Date and its ISO text are one value), nested objects with sorted
 * keys, absent and null alike.
 */
export function jobStateKey(job: ModelInvocationJob): string {
  return JSON.stringify(JOB_MEMBERS.map((member) => (DATE_MEMBERS.has(member) ? timeOf(job[member] as Date | undefined) ?? null : canonical(job[member]))));
}

const DATE_MEMBERS: ReadonlySet<string> = new Set(['submitTime', 'lastModifiedTime', 'endTime', 'jobExpirationTime']);

function canonical(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object') {
    return Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]);
  }
  return value;
}

/**
 * What is known of a job after reading `read`, given `known` (an earlier read of it, or nothing):
 * the members `read` carries, and for those it lacks (list summaries may omit some) the earlier
 * values; counts of work done never go back. The caller has already refused an older `read`.
 * Returns `read` itself when it lacks nothing `known` had.
 */
export function mergeJobState(known: ModelInvocationJob | undefined, read: ModelInvocationJob): ModelInvocationJob {
  if (!known || known === read) return read;
  let merged: Record<string, unknown> | undefined;
  const set = (member: keyof ModelInvocationJob, value: unknown) => {
    merged ??= { ...read };
    merged[member] = value;
  };
  for (const member of JOB_MEMBERS) {
    if (read[member] == null && known[member] != null) set(member, known[member]);
  }
  for (const member of PROGRESS_MEMBERS) {
    const before = known[member];
    if (before !== undefined && read[member] !== undefined && read[member] < before) set(member, before);
  }
  return (merged as ModelInvocationJob | undefined) ?? read;
}

/**
 * True when `candidate` is a late answer that must not win over `known`: last modified before
 * it, or unfinished while `known` is finished (a finished job never runs again).
 */
export function isOlderState(candidate: ModelInvocationJob, known: ModelInvocationJob): boolean {
  if (isTerminalStatus(known.status) && !isTerminalStatus(candidate.status)) return true;
  const a = timeOf(candidate.lastModifiedTime);
  const b = timeOf(known.lastModifiedTime);
  return a !== undefined && b !== undefined && a < b;
}

// Called once per subscriber per event: no Date allocated when the SDK already gave one.
const timeOf = (value: Date | string | undefined) =>
  value === undefined ? undefined : value instanceof Date ? value.getTime() : new Date(value).getTime();

/** The filters ListModelInvocationJobs offers, also applied to account-wide streams. */
export interface JobFilter {
  statusEquals?: JobStatus;
  nameContains?: string;
  submitTimeAfter?: Date;
  submitTimeBefore?: Date;
}

/** Whether a job passes a filter the way ListModelInvocationJobs applies it (bounds exclusive). */
export function matchesFilter(job: ModelInvocationJob, filter: JobFilter): boolean {
  const submitTime = new Date(job.submitTime).getTime();
  return (
    (filter.statusEquals === undefined || job.status === filter.statusEquals) &&
    (filter.nameContains === undefined || (job.jobName ?? '').includes(filter.nameContains)) &&
    (filter.submitTimeAfter === undefined || submitTime > filter.submitTimeAfter.getTime()) &&
    (filter.submitTimeBefore === undefined || submitTime < filter.submitTimeBefore.getTime())
  );
}

/** A status's name in the GraphQL enum, the SDK's enum key: `InProgress` → `IN_PROGRESS`. */
export function jobStatusName(status: JobStatus): string {
  return status.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Every status, the unfinished ones first. */
export const JOB_STATUSES = Object.keys(IS_TERMINAL) as JobStatus[];

/** The status a GraphQL enum name stands for (`IN_PROGRESS` → `InProgress`); undefined for none. */
export function jobStatusFromName(name: string): JobStatus | undefined {
  return JOB_STATUSES.find((status) => jobStatusName(status) === name);
}
