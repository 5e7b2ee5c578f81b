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

/** A value that differs whenever anything a client can see about the job differs. */
export function jobStateKey(job: ModelInvocationJob): string {
  return JSON.stringify(job);
}

/** True when `candidate` was last modified before `known`: a late answer that must not win. */
export function isOlderState(candidate: ModelInvocationJob, known: ModelInvocationJob): boolean {
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
