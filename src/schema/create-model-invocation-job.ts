// Mutation.createModelInvocationJob and its input, mirroring the SDK's CreateModelInvocationJobRequest.
import { validateCreateJobRequest } from '../bedrock/create-job-request.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import type { CreateJobInput } from '../bedrock/jobs.ts';
import { ErrorCode, createGatewayError } from '../errors.ts';
import { builder } from './builder.ts';
import { ModelInvocationJobRef } from './model-invocation-job.ts';
import { ModelInvocationTypeEnum, S3InputFormatEnum } from './model-invocation-job-status.ts';

const S3InputDataConfigInput = builder.inputType('ModelInvocationJobS3InputDataConfigInput', {
  fields: (t) => ({
    s3Uri: t.string({ required: true, description: 'Where the JSONL input files are, e.g. s3://bucket/input/.' }),
    s3InputFormat: t.field({ type: S3InputFormatEnum }),
    s3BucketOwner: t.string({ description: 'Account id of the bucket owner, when not this account.' }),
  }),
});

const S3OutputDataConfigInput = builder.inputType('ModelInvocationJobS3OutputDataConfigInput', {
  fields: (t) => ({
    s3Uri: t.string({ required: true, description: 'Where results go, e.g. s3://bucket/output/.' }),
    s3EncryptionKeyId: t.string({ description: 'KMS key to encrypt the output with.' }),
    s3BucketOwner: t.string({ description: 'Account id of the bucket owner, when not this account.' }),
  }),
});

const InputDataConfigInput = builder.inputType('ModelInvocationJobInputDataConfigInput', {
  description: 'Where the job reads its input. Today only S3.',
  fields: (t) => ({ s3InputDataConfig: t.field({ type: S3InputDataConfigInput, required: true }) }),
});

const OutputDataConfigInput = builder.inputType('ModelInvocationJobOutputDataConfigInput', {
  description: 'Where the job writes its output. Today only S3.',
  fields: (t) => ({ s3OutputDataConfig: t.field({ type: S3OutputDataConfigInput, required: true }) }),
});

const VpcConfigInput = builder.inputType('VpcConfigInput', {
  fields: (t) => ({
    subnetIds: t.stringList({ required: true }),
    securityGroupIds: t.stringList({ required: true }),
  }),
});

const TagInput = builder.inputType('TagInput', {
  fields: (t) => ({ key: t.string({ required: true }), value: t.string({ required: true }) }),
});

const CreateModelInvocationJobInput = builder.inputType('CreateModelInvocationJobInput', {
  description: 'What CreateModelInvocationJob takes. Checked against the API constraints before the call.',
  fields: (t) => ({
    jobName: t.string({ required: true, description: '1–63 characters: letters, digits, +, - and .' }),
    roleArn: t.string({ required: true, description: 'The service role Bedrock runs the job as.' }),
    modelId: t.string({ required: true }),
    inputDataConfig: t.field({ type: InputDataConfigInput, required: true }),
    outputDataConfig: t.field({ type: OutputDataConfigInput, required: true }),
    vpcConfig: t.field({ type: VpcConfigInput }),
    timeoutDurationInHours: t.int({ description: '24–168.' }),
    tags: t.field({ type: [TagInput] }),
    modelInvocationType: t.field({ type: ModelInvocationTypeEnum }),
    clientRequestToken: t.string({ description: 'Idempotency token: the same token returns the same job.' }),
  }),
});

/** Drops GraphQL's explicit nulls: the SDK wants absent members. */
const withoutNulls = <T>(value: T): T => JSON.parse(JSON.stringify(value, (_, v: unknown) => (v === null ? undefined : v))) as T;

builder.mutationFields((t) => ({
  createModelInvocationJob: t.field({
    type: ModelInvocationJobRef,
    description:
      'Submits a batch inference job and returns it as Bedrock reports it right after. Account-wide subscriptions see it at once.',
    args: { input: t.arg({ type: CreateModelInvocationJobInput, required: true }) },
    resolve: async (_, { input }, { jobs, poller }) => {
      const request = withoutNulls(input) as CreateJobInput;
      const [problem] = validateCreateJobRequest(request);
      if (problem) {
        throw createGatewayError(ErrorCode.BAD_USER_INPUT, `input.${problem.message}`, { field: `input.${problem.field}` });
      }
      const jobArn = await jobs.createJob(request);
      return poller.refresh(jobIdFromArn(jobArn), { paced: false });
    },
  }),
}));
