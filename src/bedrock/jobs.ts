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
import { ErrorCode, createGatewayError, errorCodeOf } from '../errors.ts';
import type { FairShare } from '../limits/fair-share.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { credentialFailureOf, describeCredentialFailure, logCause } from './credential-failure.ts';
import type { ModelInvocationJob } from './job.ts';
import { createJobIdentifiers, type JobIdentifiers } from './job-identifier.ts';
import type { JobCache } from './job-cache.ts';
import { createInProcessJobHistory, type JobHistory, type JobHistoryStore } from './job-history.ts';

export interface JobsApiOptions {
  client: BedrockClient;
  /** Jobs served without an upstream call: finished ones, and with Redis recently fetched ones. */
  cache: JobCache;
  /** Where every read is recorded as an observation (start time, rate, timeline). @default in process */
  history?: JobHistoryStore;
  /** Ceiling for one call, retries included. */
  deadlineMs: number;
  logger: Logger;
  /** Fails calls fast while Bedrock is down. @default none */
  circuitBreaker?: CircuitBreaker;
  /**
   * The budget every call of this instance takes from (UPSTREAM_CALLS_PER_SECOND), shared fairly
   * between callers (see `forCaller`): a call waits for a token within its deadline and fails
   * with THROTTLED when it could not get one in time. @default none
   */
  callBudget?: Pick<FairShare, 'acquire' | 'waiting'>;
  /** Told about every call when it ends (metrics). @default none */
  onCall?: (call: UpstreamCall) => void;
  /** Wraps every call in a client span. @default none */
  tracing?: Tracing;
}

/**
 * How an upstream call ended: `success`; `rejected`: Bedrock answered with a 4xx other than
 * throttling (not found, validation, access denied, conflict); `throttled` (after the SDK's
 * retries); `error`: transport error or 5xx; `timeout`; not sent: `circuit_open`, or
 * `over_budget` (no token from UPSTREAM_CALLS_PER_SECOND within the deadline).
 */
export type UpstreamOutcome = 'success' | 'rejected' | 'throttled' | 'error' | 'timeout' | 'circuit_open' | 'over_budget';

export interface UpstreamCall {
  operation: string;
  /** Whose share of the call budget it was charged to (see JobsApi.forCaller). */
  caller: string;
  outcome: UpstreamOutcome;
  /** HTTP attempts the SDK made (1 + retries); 0 when the circuit refused the call. */
  attempts: number;
  durationMs: number;
}

export interface JobPage {
  jobs: ModelInvocationJob[];
  nextToken?: string;
}

export type ListJobsInput = Omit<ListModelInvocationJobsRequest, 'sortBy'>;
export type CreateJobInput = CreateModelInvocationJobRequest;

export interface JobsApi {
  /** Reads job identifiers as this endpoint's (region and account learnt from its answers). */
  readonly identifiers: JobIdentifiers;
  /** Whose share of the call budget this view's calls are charged to. */
  readonly caller: string;
  /**
   * The same API with its calls charged to `caller`'s share of the call budget: a credential
   * (`key:…`, `jwt:…`), a client address (`ip:…`), `anonymous`, or `poller`.
   */
  forCaller(caller: string): JobsApi;
  /**
   * One job by bare id; rejects with a GraphQL error carrying a gateway code. Served from the
   * cache when it may be; `fresh` asks Bedrock unless the job is finished (the poller's refresh).
   */
  getJob(jobId: string, options?: { fresh?: boolean }): Promise<ModelInvocationJob>;
  /** What the cache knows of these jobs, without any upstream call (the map holds the hits). */
  cachedJobs(jobIds: readonly string[]): Promise<Map<string, ModelInvocationJob>>;
  /** What was observed of these jobs over time, on any instance; never rejects, no upstream call. */
  histories(jobIds: readonly string[]): Promise<Map<string, JobHistory>>;
  /** One page of ListModelInvocationJobs, sorted by creation time. */
  listJobs(input: ListJobsInput): Promise<JobPage>;
  /**
   * Asks Bedrock to stop the job (it goes Stopping → Stopped). Resolves as well when Bedrock says
   * the job is Stopping or Stopped already (another stop came first); rejects with CONFLICT
   * (`extensions.status`) for a job that finished otherwise.
   */
  stopJob(jobId: string): Promise<void>;
  /** Submits a job; resolves with its ARN. Idempotent per clientRequestToken. */
  createJob(input: CreateJobInput): Promise<string>;
}

/** The caller of calls made without one (the readiness probe). */
export const GATEWAY_CALLER = 'gateway';
/** The poller's calls: its rounds and pushed refreshes, not the first read of a subscription. */
export const POLLER_CALLER = 'poller';

export function createJobsApi(options: JobsApiOptions): JobsApi {
  const { client, cache, deadlineMs, logger, circuitBreaker, callBudget, onCall, tracing } = options;

  const attempt = async <T extends { $metadata: { attempts?: number } }>(
    operation: string,
    caller: string,
    run: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    const startedAt = performance.now();
    const report = (outcome: UpstreamOutcome, attempts: number) =>
      onCall?.({ operation, caller, outcome, attempts, durationMs: performance.now() - startedAt });

    const admission = circuitBreaker?.admit() ?? { admitted: true as const, ticket: undefined };
    if (!admission.admitted) {
      report('circuit_open', 0);
      throw createGatewayError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `Bedrock is unavailable: ${admission.consecutiveFailures} calls in a row failed, so the gateway is not calling it for the next ${Math.ceil(admission.retryAfterMs / 1000)} s (circuit breaker)`,
      );
    }
    const signal = AbortSignal.timeout(deadlineMs);
    // Waits for a token of the shared call budget, in the caller's turn; none before the deadline
    // is a refusal.
    const budgeted = callBudget
      ? await callBudget.acquire(caller, { signal, maxWaitMs: startedAt + deadlineMs - performance.now() }).catch(() => false)
      : true;
    if (!budgeted) {
      // Nothing was sent: says nothing about Bedrock, so a half-open circuit stays half-open.
      admission.ticket?.abandon();
      report('over_budget', 0);
      const queued = callBudget?.waiting(caller) ?? 0;
      throw createGatewayError(
        ErrorCode.THROTTLED,
        queued > 0
          ? `The gateway's budget of calls to Bedrock (UPSTREAM_CALLS_PER_SECOND) is shared between callers in turn, and this caller's ${queued} earlier calls are still waiting for theirs; retry later`
          : `The gateway's budget of calls to Bedrock (UPSTREAM_CALLS_PER_SECOND) is used up; retry later`,
      );
    }
    try {
      const output = await run(signal);
      admission.ticket?.success();
      report('success', output.$metadata.attempts ?? 1);
      return output;
    } catch (error) {
      const mapped = toGatewayError(error, operation);
      const outcome = outcomeOf(error, mapped);
      if (outcome === 'error' || outcome === 'timeout') admission.ticket?.failure();
      else admission.ticket?.success();
      report(outcome, (error as UpstreamFailure).$metadata?.attempts ?? 1);
      if (mapped.extensions.code !== ErrorCode.NOT_FOUND) {
        logger.warn({ operation, ...logCause(error), code: mapped.extensions.code }, 'upstream call failed');
      }
      throw mapped;
    }
  };

  const send = <T extends { $metadata: { attempts?: number } }>(
    operation: string,
    caller: string,
    run: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> =>
    tracing?.enabled
      ? tracing.span(`Bedrock ${operation}`, { kind: 'client', attributes: rpcAttributes(operation) }, async (span) => {
          const output = await attempt(operation, caller, run);
          span.setAttribute('aws.attempts', output.$metadata.attempts ?? 1);
          return output;
        })
      : attempt(operation, caller, run);

  const history = options.history ?? createInProcessJobHistory();
  const stopsInFlight = new Map<string, Promise<void>>();
  const identifiers = createJobIdentifiers();
  // The region the client calls; without one configured, the first ARN Bedrock returns names it.
  void Promise.resolve()
    .then(() => client.config.region())
    .then(identifiers.knowRegion, () => undefined);

  // One view per caller; everything but whose share a call is charged to is shared.
  const forCaller = (caller: string): JobsApi => ({
    identifiers,
    caller,
    forCaller,

    async getJob(jobId, { fresh = false } = {}) {
      const cached = await cache.get(jobId, { finishedOnly: fresh });
      if (cached) return cached;
      const { $metadata: _, ...output } = await send('GetModelInvocationJob', caller, (abortSignal) =>
        client.send(new GetModelInvocationJobCommand({ jobIdentifier: jobId }), { abortSignal }),
      );
      const job = output as ModelInvocationJob;
      identifiers.learn(job.jobArn);
      // Awaited, so that once this answer is out, any instance asking next finds it (and its history).
      await Promise.all([cache.offer([job]), history.record([job], Date.now())]);
      return job;
    },

    cachedJobs: (jobIds) => cache.getMany(jobIds),

    histories: (jobIds) => history.read(jobIds),

    async listJobs(input) {
      const output = await send('ListModelInvocationJobs', caller, (abortSignal) =>
        client.send(new ListModelInvocationJobsCommand({ ...input, sortBy: 'CreationTime' }), { abortSignal }),
      );
      const jobs = (output.invocationJobSummaries ?? []) as ModelInvocationJob[];
      if (jobs[0]) identifiers.learn(jobs[0].jobArn);
      await Promise.all([cache.offer(jobs, { partial: true }), history.record(jobs, Date.now())]);
      return { jobs, nextToken: output.nextToken };
    },

    stopJob(jobId) {
      // Concurrent stops of one job share one call: only the first could change anything.
      let stop = stopsInFlight.get(jobId);
      if (!stop) {
        stop = send('StopModelInvocationJob', caller, (abortSignal) =>
          client.send(new StopModelInvocationJobCommand({ jobIdentifier: jobId }), { abortSignal }),
        ).then(
          () => undefined,
          (error: unknown) => {
            // Someone else's stop got there first: what was asked for is under way, or done.
            if (STOPPED_ALREADY.has(String((error as GraphQLError).extensions?.status))) return;
            throw error;
          },
        );
        stopsInFlight.set(jobId, stop);
        void stop.finally(() => stopsInFlight.delete(jobId)).catch(() => undefined);
      }
      return stop;
    },

    async createJob(input) {
      const output = await send('CreateModelInvocationJob', caller, (abortSignal) =>
        client.send(new CreateModelInvocationJobCommand(input), { abortSignal }),
      );
      identifiers.learn(output.jobArn as string);
      return output.jobArn as string;
    },
  });
  return forCaller(GATEWAY_CALLER);
}

/** Statuses in which a stop has nothing left to do. */
const STOPPED_ALREADY: ReadonlySet<string> = new Set(['Stopping', 'Stopped']);

interface UpstreamFailure {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const rpcAttributes = (operation: string) => ({ 'rpc.system': 'aws-api', 'rpc.service': 'Bedrock', 'rpc.method': operation });

function outcomeOf(error: unknown, mapped: GraphQLError): UpstreamOutcome {
  const name = (error as UpstreamFailure | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  // The gateway's own credentials are missing or refused: nothing says Bedrock is down, so the
  // circuit stays closed and clients keep hearing what is wrong instead of "circuit open".
  if (credentialFailureOf(error)) return 'rejected';
  switch (errorCodeOf(mapped)) {
    case ErrorCode.THROTTLED:
      return 'throttled';
    case ErrorCode.UPSTREAM_UNAVAILABLE: {
      // A 4xx that maps to "unavailable" (e.g. expired gateway credentials) is an answer, not an outage.
      const status = (error as UpstreamFailure | null)?.$metadata?.httpStatusCode;
      return status !== undefined && status < 500 ? 'rejected' : 'error';
    }
    default:
      return 'rejected';
  }
}

/** Maps an SDK or network failure to the code a client can act on. */
function toGatewayError(error: unknown, operation: string): GraphQLError {
  const failure = (error ?? {}) as UpstreamFailure;
  const status = failure.$metadata?.httpStatusCode;
  const upstreamMessage = failure.message ?? String(error);
  // The gateway's own credentials are missing, expired or refused: the operator's to fix.
  const credentials = credentialFailureOf(error);
  if (credentials) return createGatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, describeCredentialFailure(credentials, `Bedrock ${operation}`));
  switch (failure.name) {
    case 'ResourceNotFoundException':
      return createGatewayError(ErrorCode.NOT_FOUND, 'No model invocation job with that identifier');
    case 'ValidationException': {
      // Bedrock refuses to stop a job that is not running with "… State was: <status>".
      const state = operation === 'StopModelInvocationJob' ? /State was: (\w+)/.exec(upstreamMessage)?.[1] : undefined;
      if (state) {
        return createGatewayError(ErrorCode.CONFLICT, `The job is already ${state}; only unfinished jobs can be stopped`, { status: state });
      }
      return createGatewayError(ErrorCode.BAD_USER_INPUT, `Bedrock rejected the request: ${upstreamMessage}`);
    }
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
  // Anything else is not the caller's to fix: an unavailable upstream, and the log says why.
  return createGatewayError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    status === undefined ? `Bedrock is unreachable for ${operation}` : `Bedrock answered ${operation} with HTTP ${status}`,
  );
}
