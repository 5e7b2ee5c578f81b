// ModelInvocationJob: every member of the SDK's GetModelInvocationJobResponse with the same
// names and nullability, plus derived fields; and the queries that fetch jobs by identifier.
import { isTerminalStatus, type ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import type { JobChange } from '../subscriptions/job-feed.ts';
import { ErrorCode, createGatewayError } from '../errors.ts';
import { builder } from './builder.ts';
import {
  InputDataConfig,
  OutputDataConfig,
  VpcConfigRef,
  resolveInputDataConfig,
  resolveOutputDataConfig,
} from './data-config.ts';
import { DateTime } from './date-time.ts';
import { ModelInvocationJobStatusEnum, ModelInvocationTypeEnum } from './model-invocation-job-status.ts';
import { ModelInvocationJobResultsRef, resolveResults } from './results.ts';
import { SafeInt } from './safe-int.ts';

/** The description of every `jobIdentifier` argument. */
export const JOB_IDENTIFIER = "The job's ARN, or the 12-character id at its end.";

export const ModelInvocationJobRef = builder.objectRef<ModelInvocationJob>('ModelInvocationJob').implement({
  description: 'An Amazon Bedrock batch inference job, as GetModelInvocationJob returns it.',
  fields: (t) => ({
    jobArn: t.exposeString('jobArn', {
      description: 'The ARN of the job: arn:aws:bedrock:<region>:<account>:model-invocation-job/<jobId>.',
    }),
    jobName: t.exposeString('jobName', {
      nullable: true,
      description: 'The name given at creation (1–63 letters, digits, +, - and .); null when Bedrock does not report it.',
    }),
    modelId: t.exposeString('modelId', {
      description: 'The model every record is sent to: a foundation model id, an inference profile or a model ARN.',
    }),
    clientRequestToken: t.exposeString('clientRequestToken', {
      nullable: true,
      description:
        'The idempotency token the job was created with: creating again with the same token returns this job instead of a new one. Null when Bedrock does not report it.',
    }),
    roleArn: t.exposeString('roleArn', {
      description: 'The IAM service role Bedrock assumes to read the input and write the output.',
    }),
    status: t.field({
      type: ModelInvocationJobStatusEnum,
      nullable: true,
      description: 'Where the job is in its lifecycle; null only when Bedrock does not report it.',
      resolve: (job) => job.status,
    }),
    message: t.exposeString('message', {
      nullable: true,
      description: "Bedrock's explanation of how the job ended, above all why it failed; null while there is none.",
    }),
    submitTime: t.field({
      type: DateTime,
      description: 'When Bedrock accepted the job (CreateModelInvocationJob).',
      resolve: (job) => job.submitTime,
    }),
    lastModifiedTime: t.field({
      type: DateTime,
      nullable: true,
      description: 'When Bedrock last changed anything about the job; null when not reported.',
      resolve: (job) => job.lastModifiedTime,
    }),
    endTime: t.field({
      type: DateTime,
      nullable: true,
      description: 'When the job reached its terminal status; null while it is unfinished.',
      resolve: (job) => job.endTime,
    }),
    inputDataConfig: t.field({
      type: InputDataConfig,
      description: 'Where the job reads its input records.',
      resolve: resolveInputDataConfig,
    }),
    outputDataConfig: t.field({
      type: OutputDataConfig,
      description: 'Where the job writes its results and manifest.',
      resolve: resolveOutputDataConfig,
    }),
    vpcConfig: t.field({
      type: VpcConfigRef,
      nullable: true,
      description: 'The VPC through which the job reaches its data; null when it uses none.',
      resolve: (job) => job.vpcConfig,
    }),
    timeoutDurationInHours: t.exposeInt('timeoutDurationInHours', {
      nullable: true,
      description:
        'Hours after which a job that has not finished is stopped (see jobExpirationTime); set at creation, 24–168. Null when Bedrock does not report it.',
    }),
    jobExpirationTime: t.field({
      type: DateTime,
      nullable: true,
      description: 'When the job times out, or timed out, by timeoutDurationInHours; null when Bedrock does not report it.',
      resolve: (job) => job.jobExpirationTime,
    }),
    modelInvocationType: t.field({
      type: ModelInvocationTypeEnum,
      nullable: true,
      description: "Which runtime API the records' modelInput is written for; null when Bedrock does not report it.",
      resolve: (job) => job.modelInvocationType,
    }),
    totalRecordCount: t.expose('totalRecordCount', {
      type: SafeInt,
      nullable: true,
      description: 'Records in the input, counted while the job is validated; null until Bedrock has counted them.',
    }),
    processedRecordCount: t.expose('processedRecordCount', {
      type: SafeInt,
      nullable: true,
      description: 'Records processed so far, successfully or not; null until processing starts.',
    }),
    successRecordCount: t.expose('successRecordCount', {
      type: SafeInt,
      nullable: true,
      description: 'Records the model answered so far (`modelOutput` in the output); null until processing starts.',
    }),
    errorRecordCount: t.expose('errorRecordCount', {
      type: SafeInt,
      nullable: true,
      description: 'Records that failed so far (`error` in the output instead of `modelOutput`); null until processing starts.',
    }),

    jobId: t.string({
      description: 'Derived: the 12-character id at the end of `jobArn`.',
      resolve: (job) => jobIdFromArn(job.jobArn),
    }),
    isTerminal: t.boolean({
      description: 'Derived: true when the status is final (COMPLETED, PARTIALLY_COMPLETED, FAILED, STOPPED, EXPIRED).',
      resolve: (job) => isTerminalStatus(job.status),
    }),
    progress: t.float({
      nullable: true,
      description: 'Derived: processedRecordCount / totalRecordCount, from 0 to 1; null while the total is unknown.',
      resolve: ({ processedRecordCount, totalRecordCount }) =>
        totalRecordCount && processedRecordCount !== undefined ? Math.min(processedRecordCount / totalRecordCount, 1) : null,
    }),
    results: t.field({
      type: ModelInvocationJobResultsRef,
      nullable: true,
      description:
        "Derived: what the job wrote to S3 (manifest, files, records) and what it cost. Null when the output is not in S3; null with FORBIDDEN when S3 refuses the gateway access to the output folder (the job's other fields still resolve). Each job whose results are asked for costs one S3 listing.",
      resolve: (job, _args, context) => resolveResults(job, context),
    }),
  }),
});

builder.queryFields((t) => ({
  modelInvocationJob: t.field({
    type: ModelInvocationJobRef,
    nullable: true,
    description: 'One job by ARN or 12-character id. Null with a NOT_FOUND error when there is no such job.',
    args: { jobIdentifier: t.arg.string({ required: true, description: JOB_IDENTIFIER }) },
    resolve: (_, { jobIdentifier }, { loaders }) => loaders.job.load(jobIdentifier),
  }),
  modelInvocationJobsByIdentifier: t.field({
    type: [ModelInvocationJobRef],
    nullable: { list: false, items: true },
    description:
      'Many jobs by ARN or id, in input order, fetched concurrently with duplicates collapsed. A job that fails is null with its own error; the others are unaffected.',
    args: {
      jobIdentifiers: t.arg.stringList({
        required: true,
        description: 'ARNs or 12-character ids, at most the configured MAX_BATCH_IDENTIFIERS (100 by default).',
      }),
    },
    resolve: (_, { jobIdentifiers }, { loaders, limits }) => {
      if (jobIdentifiers.length > limits.maxBatchIdentifiers) {
        throw createGatewayError(
          ErrorCode.BAD_USER_INPUT,
          `jobIdentifiers accepts at most ${limits.maxBatchIdentifiers} identifiers (got ${jobIdentifiers.length})`,
          { argument: 'jobIdentifiers' },
        );
      }
      return jobIdentifiers.map((identifier) => loaders.job.load(identifier));
    },
  }),
}));

builder.subscriptionFields((t) => ({
  modelInvocationJobUpdated: t.field({
    type: ModelInvocationJobRef,
    description:
      'The job at once, then again whenever anything about it changes (status, record counts, message): what a progress bar needs. Completes after a terminal status.',
    args: { jobIdentifier: t.arg.string({ required: true, description: JOB_IDENTIFIER }) },
    subscribe: (_, { jobIdentifier }, { feed, jobs }) => feed.follow(jobs.identifiers.normalise(jobIdentifier), 'anything', jobs.caller),
    resolve: (change: JobChange) => change.job,
  }),
}));

builder.mutationFields((t) => ({
  stopModelInvocationJob: t.field({
    type: ModelInvocationJobRef,
    nullable: true,
    description:
      'Asks Bedrock to stop an unfinished job (it goes STOPPING, then STOPPED) and returns it; subscribers see the change at once. Stopping a STOPPING or STOPPED job (concurrent stops included) is a no-op that returns it; a job that finished otherwise is a CONFLICT.',
    args: { jobIdentifier: t.arg.string({ required: true, description: JOB_IDENTIFIER }) },
    resolve: async (_, { jobIdentifier }, { jobs, poller }) => {
      const jobId = jobs.identifiers.normalise(jobIdentifier);
      const job = await jobs.getJob(jobId);
      if (job.status === 'Stopping' || job.status === 'Stopped') return job;
      if (isTerminalStatus(job.status)) {
        throw createGatewayError(
          ErrorCode.CONFLICT,
          `The job is already ${job.status}; only unfinished jobs can be stopped`,
          { status: job.status },
        );
      }
      await jobs.stopJob(jobId);
      return poller.refresh(jobId, { paced: false, caller: jobs.caller });
    },
  }),
}));
