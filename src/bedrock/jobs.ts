// Bedrock job operations and the mapping of upstream failures to the gateway's error codes.
// Everything above this file sees jobs and GraphQL errors, never SDK exceptions.
import {
  CreateModelInvocationJobCommand,
  GetModelInvocationJobCommand,
  ListModelInvocationJobsCommand,
  StopModelInvocationJobCommand,
  type BedrockClient,
  type CreateModelInvocationJobRequest,
  type ListModelInvocationJobsRequest,
} from '@aws-sdk/client-bedrock';
import type { Logger } from 'pino';
import type { GraphQLError } from 'graphql';
import { ErrorCode, createGatewayError } from '../errors.ts';
import type { ModelInvocationJob } from './job.ts';
import type { JobCache } from './job-cache.ts';

export interface JobsApiOptions {
  client: BedrockClient;
  /** Jobs served without an upstream call: finished ones, and with Redis recently fetched ones. */
  cache: JobCache;
  /** Ceiling for one call, retries included. */
  deadlineMs: number;
  logger: Logger;
}

export interface JobPage {
  jobs: ModelInvocationJob[];
  nextToken?: string;
}

export type ListJobsInput = Omit<ListModelInvocationJobsRequest, 'sortBy'>;
export type CreateJobInput = CreateModelInvocationJobRequest;

export interface JobsApi {
  /**
   * One job by bare id; rejects with a GraphQL error carrying a gateway code. Served from the
   * cache when it may be; `fresh` asks Bedrock unless the job is finished (the poller's refresh).
   */
  getJob(jobId: string, options?: { fresh?: boolean }): Promise<ModelInvocationJob>;
  /** What the cache knows of these jobs, without any upstream call (the map holds the hits). */
  cachedJobs(jobIds: readonly string[]): Promise<Map<string, ModelInvocationJob>>;
  /** One page of ListModelInvocationJobs, sorted by creation time. */
  listJobs(input: ListJobsInput): Promise<JobPage>;
  /** Asks Bedrock to stop the job (it goes Stopping → Stopped). */
  stopJob(jobId: string): Promise<void>;
  /** Submits a job; resolves with its ARN. Idempotent per clientRequestToken. */
  createJob(input: CreateJobInput): Promise<string>;
}

export function createJobsApi({ client, cache, deadlineMs, logger }: JobsApiOptions): JobsApi {
  const send = async <T>(operation: string, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await run(AbortSignal.timeout(deadlineMs));
    } catch (error) {
      const mapped = toGatewayError(error, operation);
      if (mapped.extensions.code !== ErrorCode.NOT_FOUND) {
        logger.warn({ operation, err: error, code: mapped.extensions.code }, 'upstream call failed');
      }
      throw mapped;
    }
  };

  return {
    async getJob(jobId, { fresh = false } = {}) {
      const cached = await cache.get(jobId, { finishedOnly: fresh });
      if (cached) return cached;
      const { $metadata: _, ...output } = await send('GetModelInvocationJob', (abortSignal) =>
        client.send(new GetModelInvocationJobCommand({ jobIdentifier: jobId }), { abortSignal }),
      );
      const job = output as ModelInvocationJob;
      // Awaited, so that once this answer is out, any instance asking next finds it.
      await cache.offer([job]);
      return job;
    },

    cachedJobs: (jobIds) => cache.getMany(jobIds),

    async listJobs(input) {
      const output = await send('ListModelInvocationJobs', (abortSignal) =>
        client.send(new ListModelInvocationJobsCommand({ ...input, sortBy: 'CreationTime' }), { abortSignal }),
      );
      const jobs = (output.invocationJobSummaries ?? []) as ModelInvocationJob[];
      await cache.offer(jobs);
      return { jobs, nextToken: output.nextToken };
    },

    async stopJob(jobId) {
      await send('StopModelInvocationJob', (abortSignal) =>
        client.send(new StopModelInvocationJobCommand({ jobIdentifier: jobId }), { abortSignal }),
      );
    },

    async createJob(input) {
      const output = await send('CreateModelInvocationJob', (abortSignal) =>
        client.send(new CreateModelInvocationJobCommand(input), { abortSignal }),
      );
      return output.jobArn as string;
    },
  };
}

interface UpstreamFailure {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Maps an SDK or network failure to the code a client can act on. */
export function toGatewayError(error: unknown, operation: string): GraphQLError {
  const failure = (error ?? {}) as UpstreamFailure;
  const status = failure.$metadata?.httpStatusCode;
  const upstreamMessage = failure.message ?? String(error);
  switch (failure.name) {
    case 'ResourceNotFoundException':
      return createGatewayError(ErrorCode.NOT_FOUND, 'No model invocation job with that identifier');
    case 'ValidationException':
      return createGatewayError(ErrorCode.BAD_USER_INPUT, `Bedrock rejected the request: ${upstreamMessage}`);
    case 'ThrottlingException':
      return createGatewayError(ErrorCode.THROTTLED, `Bedrock is throttling ${operation}; retry later`);
    case 'AccessDeniedException':
      return createGatewayError(ErrorCode.FORBIDDEN, `Bedrock denied ${operation} to the gateway's role`);
    case 'ConflictException':
      return createGatewayError(ErrorCode.CONFLICT, upstreamMessage);
    case 'ServiceQuotaExceededException':
      return createGatewayError(ErrorCode.QUOTA_EXCEEDED, upstreamMessage);
    case 'TimeoutError':
    case 'AbortError':
      return createGatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `Bedrock did not answer ${operation} in time`);
  }
  if (status === 429) {
    return createGatewayError(ErrorCode.THROTTLED, `Bedrock is throttling ${operation}; retry later`);
  }
  // Credential problems are the gateway operator's to fix, not the caller's: they surface as an
  // unavailable upstream, and the log says why.
  return createGatewayError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    status === undefined ? `Bedrock is unreachable for ${operation}` : `Bedrock answered ${operation} with HTTP ${status}`,
  );
}
