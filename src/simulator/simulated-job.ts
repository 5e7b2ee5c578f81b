// What a simulated job is: its members and statuses as Bedrock's API defines them, the request
// that creates one, and the account and region every simulated job belongs to.

export const SIMULATOR_REGION = 'us-east-1';
export const SIMULATOR_ACCOUNT_ID = '123456789012';

export type SimulatedJobStatus =
  | 'Submitted'
  | 'Validating'
  | 'Scheduled'
  | 'InProgress'
  | 'Completed'
  | 'PartiallyCompleted'
  | 'Failed'
  | 'Stopping'
  | 'Stopped'
  | 'Expired';

export const JOB_STATUSES: readonly SimulatedJobStatus[] = [
  'Submitted',
  'Validating',
  'Scheduled',
  'InProgress',
  'Completed',
  'PartiallyCompleted',
  'Failed',
  'Stopping',
  'Stopped',
  'Expired',
];

export type ModelInvocationType = 'InvokeModel' | 'Converse';

export interface InputDataConfig {
  s3InputDataConfig?: { s3InputFormat?: 'JSONL'; s3Uri: string; s3BucketOwner?: string };
}

export interface OutputDataConfig {
  s3OutputDataConfig?: { s3Uri: string; s3EncryptionKeyId?: string; s3BucketOwner?: string };
}

export interface VpcConfig {
  subnetIds: string[];
  securityGroupIds: string[];
}

export interface JobTag {
  key: string;
  value: string;
}

/**
 * One model invocation job as the simulator holds it: the members of the SDK's
 * GetModelInvocationJobResponse (timestamps as Dates), plus `jobId` and `tags`, which are not sent
 * by GetModelInvocationJob. Values are immutable: every change makes a new object, so a job handed
 * to a listener or caller never changes under it.
 */
export interface SimulatedJob {
  readonly jobArn: string;
  /** The 12-character id at the end of the ARN. */
  readonly jobId: string;
  readonly jobName: string;
  readonly modelId: string;
  readonly clientRequestToken?: string;
  readonly roleArn: string;
  readonly status: SimulatedJobStatus;
  readonly message?: string;
  readonly submitTime: Date;
  readonly lastModifiedTime?: Date;
  readonly endTime?: Date;
  readonly inputDataConfig: InputDataConfig;
  readonly outputDataConfig: OutputDataConfig;
  readonly vpcConfig?: VpcConfig;
  readonly timeoutDurationInHours?: number;
  readonly jobExpirationTime?: Date;
  readonly modelInvocationType?: ModelInvocationType;
  readonly totalRecordCount?: number;
  readonly processedRecordCount?: number;
  readonly successRecordCount?: number;
  readonly errorRecordCount?: number;
  readonly tags?: readonly JobTag[];
}

/** A SimulatedJob while it is being put together. */
export type JobDraft = { -readonly [K in keyof SimulatedJob]: SimulatedJob[K] };

/** What CreateModelInvocationJob asks for (already validated by the wire layer). */
export interface SubmitJobRequest {
  jobName: string;
  roleArn: string;
  modelId: string;
  inputDataConfig: InputDataConfig;
  outputDataConfig: OutputDataConfig;
  clientRequestToken?: string;
  vpcConfig?: VpcConfig;
  timeoutDurationInHours?: number;
  tags?: JobTag[];
  modelInvocationType?: ModelInvocationType;
}
