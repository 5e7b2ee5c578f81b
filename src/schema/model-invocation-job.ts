// ModelInvocationJob: every member of the SDK's GetModelInvocationJobResponse with the same
// names and nullability, plus derived fields; and the queries that fetch jobs by identifier.
import { isTerminalStatus, type ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn, normaliseJobIdentifier } from '../bedrock/job-identifier.ts';
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

export const ModelInvocationJobRef = builder.objectRef<ModelInvocationJob>('ModelInvocationJob').implement({
  description: 'An Amazon Bedrock batch inference job, as GetModelInvocationJob returns it.',
  fields: (t) => ({
    jobArn: t.exposeString('jobArn', { description: 'The ARN of the job.' }),
    jobName: t.exposeString('jobName', { nullable: true }),
    modelId: t.exposeString('modelId', { description: 'The foundation model the job invokes.' }),
    clientRequestToken: t.exposeString('clientRequestToken', { nullable: true }),
    roleArn: t.exposeString('roleArn', { description: 'The service role the job runs as.' }),
    status: t.field({ type: ModelInvocationJobStatusEnum, nullable: true, resolve: (job) => job.status }),
    message: t.exposeString('message', { nullable: true, description: 'Why the job failed, when it did.' }),
    submitTime: t.field({ type: DateTime, resolve: (job) => job.submitTime }),
    lastModifiedTime: t.field({ type: DateTime, nullable: true, resolve: (job) => job.lastModifiedTime }),
    endTime: t.field({ type: DateTime, nullable: true, resolve: (job) => job.endTime }),
    inputDataConfig: t.field({ type: InputDataConfig, resolve: resolveInputDataConfig }),
    outputDataConfig: t.field({ type: OutputDataConfig, resolve: resolveOutputDataConfig }),
    vpcConfig: t.field({ type: VpcConfigRef, nullable: true, resolve: (job) => job.vpcConfig }),
    timeoutDurationInHours: t.exposeInt('timeoutDurationInHours', { nullable: true }),
    jobExpirationTime: t.field({ type: DateTime, nullable: true, resolve: (job) => job.jobExpirationTime }),
    modelInvocationType: t.field({ type: ModelInvocationTypeEnum, nullable: true, resolve: (job) => job.modelInvocationType }),
    totalRecordCount: t.exposeInt('totalRecordCount', { nullable: true }),
    processedRecordCount: t.exposeInt('processedRecordCount', { nullable: true }),
    successRecordCount: t.exposeInt('successRecordCount', { nullable: true }),
    errorRecordCount: t.exposeInt('errorRecordCount', { nullable: true }),

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
  }),
});

builder.queryFields((t) => ({
  modelInvocationJob: t.field({
    type: ModelInvocationJobRef,
    nullable: true,
    description: 'One job by ARN or 12-character id. Null with a NOT_FOUND error when there is no such job.',
    args: { jobIdentifier: t.arg.string({ required: true }) },
    resolve: (_, { jobIdentifier }, { loaders }) => loaders.job.load(jobIdentifier),
  }),
  modelInvocationJobsByIdentifier: t.field({
    type: [ModelInvocationJobRef],
    nullable: { list: false, items: true },
    description:
      'Many jobs by ARN or id, in input order, fetched concurrently with duplicates collapsed. A job that fails is null with its own error; the others are unaffected.',
    args: { jobIdentifiers: t.arg.stringList({ required: true }) },
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
    args: { jobIdentifier: t.arg.string({ required: true }) },
    subscribe: (_, { jobIdentifier }, { feed }) => feed.follow(normaliseJobIdentifier(jobIdentifier), 'anything'),
    resolve: (change: JobChange) => change.job,
  }),
}));

builder.mutationFields((t) => ({
  stopModelInvocationJob: t.field({
    type: ModelInvocationJobRef,
    nullable: true,
    description:
      'Asks Bedrock to stop an unfinished job (it goes STOPPING, then STOPPED) and returns it; subscribers see the change at once. Stopping a STOPPING job is a no-op; a finished job is a CONFLICT.',
    args: { jobIdentifier: t.arg.string({ required: true }) },
    resolve: async (_, { jobIdentifier }, { jobs, poller }) => {
      const jobId = normaliseJobIdentifier(jobIdentifier);
      const job = await jobs.getJob(jobId);
      if (job.status === 'Stopping') return job;
      if (isTerminalStatus(job.status)) {
        throw createGatewayError(
          ErrorCode.CONFLICT,
          `The job is already ${job.status}; only unfinished jobs can be stopped`,
          { status: job.status },
        );
      }
      await jobs.stopJob(jobId);
      return poller.refresh(jobId, { paced: false });
    },
  }),
}));
