// Mutation.createModelInvocationJob and its input, mirroring the SDK's CreateModelInvocationJobRequest.
import { jobFromRequest, validateCreateJobRequest, withClientRequestToken } from '../bedrock/create-job-request.ts';
import type { ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import type { CreateJobInput } from '../bedrock/jobs.ts';
import { ErrorCode, createGatewayError, errorCodeOf } from '../errors.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { ModelInvocationJobRef } from './model-invocation-job.ts';
import { ModelInvocationTypeEnum, S3InputFormatEnum } from './model-invocation-job-status.ts';

const S3InputDataConfigInput = builder.inputType('ModelInvocationJobS3InputDataConfigInput', {
  description: 'Input records in Amazon S3: one .jsonl file, or a folder of them.',
  fields: (t) => ({
    s3Uri: t.string({ required: true, description: 'Where the JSONL input files are, e.g. s3://bucket/input/.' }),
    s3InputFormat: t.field({ type: S3InputFormatEnum, description: 'Format of the input files (JSONL, the only one today).' }),
    s3BucketOwner: t.string({ description: 'Account id of the bucket owner, when not this account.' }),
  }),
});

const S3OutputDataConfigInput = builder.inputType('ModelInvocationJobS3OutputDataConfigInput', {
  description: 'The S3 folder Bedrock writes the output to, in a subfolder named after the job id.',
  fields: (t) => ({
    s3Uri: t.string({ required: true, description: 'Where results go, e.g. s3://bucket/output/.' }),
    s3EncryptionKeyId: t.string({ description: 'KMS key to encrypt the output with.' }),
    s3BucketOwner: t.string({ description: 'Account id of the bucket owner, when not this account.' }),
  }),
});

const InputDataConfigInput = builder.inputType('ModelInvocationJobInputDataConfigInput', {
  description: 'Where the job reads its input. Today only S3.',
  fields: (t) => ({
    s3InputDataConfig: t.field({ type: S3InputDataConfigInput, required: true, description: 'The input in Amazon S3.' }),
  }),
});

export const OutputDataConfigInput = builder.inputType('ModelInvocationJobOutputDataConfigInput', {
  description: 'Where the job writes its output. Today only S3.',
  fields: (t) => ({
    s3OutputDataConfig: t.field({ type: S3OutputDataConfigInput, required: true, description: 'The output location in Amazon S3.' }),
  }),
});

const VpcConfigInput = builder.inputType('VpcConfigInput', {
  description: 'A VPC through which the job reaches its S3 data, instead of the public network.',
  fields: (t) => ({
    subnetIds: t.stringList({ required: true, description: '1–16 subnet ids (subnet-…) the job runs in.' }),
    securityGroupIds: t.stringList({ required: true, description: '1–5 security group ids (sg-…) applied to the job.' }),
  }),
});

const TagInput = builder.inputType('TagInput', {
  description: 'A tag put on the job, for cost allocation and access control.',
  fields: (t) => ({
    key: t.string({ required: true, description: '1–128 characters: letters, digits, spaces and _ . : / = + - @' }),
    value: t.string({ required: true, description: '0–256 characters, the same characters as the key.' }),
  }),
});

const CreateModelInvocationJobInput = builder.inputType('CreateModelInvocationJobInput', {
  description: 'What CreateModelInvocationJob takes. Checked against the API constraints before the call.',
  fields: (t) => ({
    jobName: t.string({ required: true, description: '1–63 characters: letters, digits, +, - and .' }),
    roleArn: t.string({ required: true, description: 'The service role Bedrock runs the job as.' }),
    modelId: t.string({ required: true, description: 'The model (or inference profile) to run every record through: its id or ARN.' }),
    inputDataConfig: t.field({ type: InputDataConfigInput, required: true, description: 'Where the input records are.' }),
    outputDataConfig: t.field({ type: OutputDataConfigInput, required: true, description: 'Where Bedrock writes the output.' }),
    vpcConfig: t.field({ type: VpcConfigInput, description: 'A VPC to reach the data through; the public network when left out.' }),
    timeoutDurationInHours: t.int({ description: 'Hours after which Bedrock stops the job if it has not finished (24–168).' }),
    tags: t.field({ type: [TagInput], description: 'Up to 200 tags for the job.' }),
    modelInvocationType: t.field({ type: ModelInvocationTypeEnum, description: "Which runtime API the records' modelInput is written for." }),
    clientRequestToken: t.string({
      description: 'Idempotency token (1–256 letters, digits and dashes): the same token returns the same job. Generated when left out, and returned with the job.',
    }),
  }),
});

/** Drops GraphQL's explicit nulls: the SDK wants absent members. */
export const withoutNulls = <T>(value: T): T => JSON.parse(JSON.stringify(value, (_, v: unknown) => (v === null ? undefined : v))) as T;

builder.mutationFields((t) => ({
  createModelInvocationJob: t.field({
    type: ModelInvocationJobRef,
    description:
      'Submits a batch inference job and returns it as Bedrock reports it right after. Account-wide subscriptions see it at once. ' +
      'Idempotent: without a clientRequestToken the gateway makes one (returned with the job, and in `extensions.clientRequestToken` of an error), so sending the same input with that token again never creates a second job. ' +
      'If Bedrock accepted the job but reading it back failed, the job is returned anyway as the request describes it (status SUBMITTED) with a JOB_READ_FAILED warning in `extensions.warnings`.',
    args: { input: t.arg({ type: CreateModelInvocationJobInput, required: true, description: 'The job to submit.' }) },
    resolve: async (_, { input }, { jobs, poller, warnings }) => {
      const request = withClientRequestToken(withoutNulls(input) as CreateJobInput);
      const [problem] = validateCreateJobRequest(request);
      if (problem) {
        throw createGatewayError(ErrorCode.BAD_USER_INPUT, `input.${problem.message}`, { field: `input.${problem.field}` });
      }
      return submitJob(request, { jobs, poller, warnings }, 'createModelInvocationJob');
    },
  }),
}));

/**
 * Submits a job and reads it back through the poller, so that subscribers (account-wide ones
 * too) see it at once; what both createModelInvocationJob and retryFailedRecords answer. Never
 * loses a job Bedrock accepted: a failed create rejects with the request's clientRequestToken in
 * `extensions` (sending it again cannot make a second job), and a failed read-back answers the job
 * as the request describes it, with a JOB_READ_FAILED warning at `field`.
 */
export async function submitJob(
  request: CreateJobInput & { clientRequestToken: string },
  { jobs, poller, warnings }: Pick<Context, 'jobs' | 'poller' | 'warnings'>,
  field: string,
): Promise<ModelInvocationJob> {
  const submittedAround = new Date();
  const jobArn = await jobs.createJob(request).catch((error: unknown) => {
    // Bedrock may have accepted it all the same (a timeout after the request went out): the
    // token lets the caller retry without risking a second job.
    throw withExtensions(error, { clientRequestToken: request.clientRequestToken });
  });
  try {
    return await poller.refresh(jobIdFromArn(jobArn), { paced: false, caller: jobs.caller });
  } catch (error) {
    // The job exists and is billed: never lose its ARN to a failed read.
    const cause = errorCodeOf(error);
    warnings.push({
      code: 'JOB_READ_FAILED',
      message: `Bedrock accepted the job, but reading it back failed${cause ? ` (${cause})` : ''}: fields other than jobArn and clientRequestToken are those of the request; query the job for its status`,
      path: [field],
      ...(cause ? { cause } : {}),
    });
    return jobFromRequest(request, jobArn, submittedAround);
  }
}

/** The error, as a gateway error carrying `extensions` as well (unexpected errors stay masked). */
export function withExtensions(error: unknown, extensions: Record<string, unknown>): unknown {
  const code = errorCodeOf(error);
  if (!code || !(error instanceof Error)) return error;
  return createGatewayError(code as ErrorCode, error.message, { ...(error as { extensions?: object }).extensions, ...extensions });
}
