// The simulator's job store and lifecycle: jobs move Submitted → Validating → Scheduled →
// InProgress → Completed | PartiallyCompleted | Failed (or Stopping → Stopped, or Expired) on one
// shared clock. No HTTP here; server.ts turns requests into calls on this engine.
import type { Logger } from 'pino';
import { SimulatorError } from './errors.ts';
import { createRandom, type Random } from './random.ts';

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

const TERMINAL: ReadonlySet<SimulatedJobStatus> = new Set([
  'Completed',
  'PartiallyCompleted',
  'Failed',
  'Stopped',
  'Expired',
]);

const STOPPABLE: ReadonlySet<SimulatedJobStatus> = new Set(['Submitted', 'Validating', 'Scheduled', 'InProgress']);

export function isTerminalStatus(status: SimulatedJobStatus): boolean {
  return TERMINAL.has(status);
}

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

/** How a job ends if nobody stops it. */
export type JobOutcome = 'Completed' | 'PartiallyCompleted' | 'Failed' | 'Expired';

export interface CreateJobOptions {
  /** Where the job's lifecycle ends. @default random: mostly Completed, some PartiallyCompleted/Failed, rarely Expired */
  outcome?: JobOutcome;
  /** Keep the job out of the automatic clock; it moves only through `advance()`/`setStatus()`. @default false */
  paused?: boolean;
  /** Records in the job's input. @default random 100..5000 */
  totalRecordCount?: number;
}

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

export type SortOrder = 'Ascending' | 'Descending';

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

/** Called after every change (including creation) with the new job and the one it replaced. */
export type JobChangeListener = (job: SimulatedJob, previous: SimulatedJob | undefined) => void;

export interface EngineOptions {
  /** Interval of the one shared clock that moves every running job a step. @default 1500 */
  stepMs?: number;
  /** Seed for job ids, record counts and outcomes; equal seeds give equal runs. @default 1 */
  randomSeed?: number;
  /** Most unfinished jobs at once; `submit()` beyond it throws ServiceQuotaExceededException. @default unlimited */
  maxJobs?: number;
  /** Start the clock at once. @default true */
  autoStart?: boolean;
  /** Receives errors thrown by change listeners (they must not stop the clock). */
  logger?: Logger;
}

export interface SimulatorEngine {
  /** Number of jobs held. */
  readonly size: number;
  /** Whether the automatic clock is running. */
  readonly running: boolean;
  /** A job by ARN or bare 12-character id. */
  get(jobIdentifier: string): SimulatedJob | undefined;
  /** One page of jobs, filtered and sorted like ListModelInvocationJobs. Throws ValidationException for a bad token. */
  list(query?: ListJobsQuery): ListJobsPage;
  /** CreateModelInvocationJob: idempotent per clientRequestToken, subject to `maxJobs`. */
  submit(request: SubmitJobRequest): SimulatedJob;
  /** StopModelInvocationJob. Throws ResourceNotFoundException or, when the job cannot be stopped, ValidationException. */
  stop(jobIdentifier: string): SimulatedJob;

  /** Test control: add one job (no quota). Members of `partial` win over generated ones, `status` included. */
  createJob(partial?: Partial<SimulatedJob>, options?: CreateJobOptions): SimulatedJob;
  /** Test control: add `count` jobs at once, submitted 1 ms apart ending now (unless `partial.submitTime`). */
  addJobs(count: number, partial?: Partial<SimulatedJob>, options?: CreateJobOptions): SimulatedJob[];
  /** Test control: move one job one step now, paused or not. A finished job stays as it is. */
  advance(jobIdentifier: string): SimulatedJob;
  /** Test control: put a job into `status` (and apply `patch`), with endTime set when terminal. */
  setStatus(jobIdentifier: string, status: SimulatedJobStatus, patch?: Partial<SimulatedJob>): SimulatedJob;
  /** Stop the automatic clock (jobs keep their state). */
  pause(): void;
  resume(): void;
  /** Subscribe to changes; returns the unsubscribe function. */
  onChange(listener: JobChangeListener): () => void;
  /** Stop the clock and drop all listeners. */
  dispose(): void;
}

const MODELS = [
  'anthropic.claude-3-haiku-20240307-v1:0',
  'anthropic.claude-3-5-sonnet-20240620-v1:0',
  'anthropic.claude-3-5-haiku-20241022-v1:0',
  'amazon.nova-lite-v1:0',
  'amazon.nova-pro-v1:0',
  'meta.llama3-1-70b-instruct-v1:0',
  'mistral.mistral-large-2407-v1:0',
  'amazon.titan-embed-text-v2:0',
] as const;

const NAME_STEMS = [
  'support-ticket-triage',
  'product-review-sentiment',
  'invoice-field-extraction',
  'catalog-description-rewrite',
  'call-transcript-summaries',
  'search-query-embeddings',
  'contract-clause-tagging',
  'faq-answer-drafts',
] as const;

const VALIDATION_FAILURES = [
  'Unable to read the input file: access denied to the S3 location. Check the permissions of the service role.',
  'The input file contains records that are not valid JSON (first at line 17).',
  'The number of records in the input file is below the minimum of 100 required for batch inference.',
] as const;

const PROCESSING_FAILURES = [
  'Internal error while processing records. Retry the job.',
  'Unable to write results to the output location: access denied to the S3 location.',
] as const;

/** Share of running jobs that move on a tick, so that jobs don't march in lockstep. */
const STEP_CHANCE = 0.75;
const DEFAULT_TIMEOUT_HOURS = 168;
const HOUR_MS = 3_600_000;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

type JobDraft = { -readonly [K in keyof SimulatedJob]: SimulatedJob[K] };

interface JobRecord {
  job: SimulatedJob;
  outcome: JobOutcome;
  /** For outcome Failed: fail while validating (-1), or once this share of records is processed. */
  failAt: number;
  /** Share of records that end in error (0 unless PartiallyCompleted). */
  errorRate: number;
  plannedTotal: number;
  paused: boolean;
  /** The job's own stream, so its course doesn't depend on how other jobs' steps interleave. */
  rng: Random;
}

export function createEngine(options: EngineOptions = {}): SimulatorEngine {
  const stepMs = options.stepMs ?? 1500;
  if (!Number.isFinite(stepMs) || stepMs <= 0) throw new RangeError(`stepMs must be a positive number, got ${stepMs}`);
  const seed = options.randomSeed ?? 1;
  // Separate streams: ids and plans must not depend on how many clock ticks ran meanwhile.
  const rng = createRandom(seed);
  const clockRng = createRandom(seed ^ 0x5bd1e995);
  const { maxJobs, logger } = options;

  const byId = new Map<string, JobRecord>();
  const byToken = new Map<string, JobRecord>();
  /** Every record, sorted ascending by (submitTime, jobId): the list order and cursor space. */
  const ordered: JobRecord[] = [];
  /** Unfinished jobs the clock moves. */
  const ticking = new Set<JobRecord>();
  /** Unfinished jobs, paused or not (the quota counts these). */
  const unfinished = new Set<JobRecord>();
  const listeners = new Set<JobChangeListener>();
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;

  const newId = (): string => {
    for (;;) {
      let id = '';
      for (let i = 0; i < 12; i++) id += ID_ALPHABET[Math.floor(rng.next() * ID_ALPHABET.length)];
      if (!byId.has(id)) return id;
    }
  };

  const emit = (job: SimulatedJob, previous: SimulatedJob | undefined): void => {
    for (const listener of listeners) {
      try {
        listener(job, previous);
      } catch (error) {
        logger?.error({ err: error, jobArn: job.jobArn }, 'simulator change listener threw');
      }
    }
  };

  const track = (record: JobRecord): void => {
    if (isTerminalStatus(record.job.status)) {
      ticking.delete(record);
      unfinished.delete(record);
    } else {
      unfinished.add(record);
      if (record.paused) ticking.delete(record);
      else ticking.add(record);
    }
  };

  /** Replace a job's value with `patch` applied; stamps lastModifiedTime (and endTime when it ends). */
  const update = (record: JobRecord, patch: Partial<SimulatedJob>): SimulatedJob => {
    const previous = record.job;
    const now = new Date();
    const next: JobDraft = { ...previous, ...patch, lastModifiedTime: patch.lastModifiedTime ?? now };
    if (!isTerminalStatus(next.status)) delete next.endTime;
    else next.endTime ??= now;
    record.job = next;
    track(record);
    emit(next, previous);
    return next;
  };

  const find = (jobIdentifier: string): JobRecord | undefined => {
    const slash = jobIdentifier.lastIndexOf('/');
    if (slash < 0) return byId.get(jobIdentifier);
    const record = byId.get(jobIdentifier.slice(slash + 1));
    return record?.job.jobArn === jobIdentifier ? record : undefined;
  };

  const mustFind = (jobIdentifier: string): JobRecord => {
    const record = find(jobIdentifier);
    if (!record) throw new SimulatorError('ResourceNotFoundException', `Model invocation job ${jobIdentifier} not found.`);
    return record;
  };

  const compare = (a: SimulatedJob, b: SimulatedJob): number =>
    a.submitTime.getTime() - b.submitTime.getTime() || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);

  /** First index whose job sorts after (t, id), or at-or-after it when `inclusive`. */
  const bound = (t: number, id: string, inclusive: boolean): number => {
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
  };

  const insertOrdered = (record: JobRecord): void => {
    const last = ordered[ordered.length - 1];
    if (!last || compare(last.job, record.job) < 0) ordered.push(record);
    else ordered.splice(bound(record.job.submitTime.getTime(), record.job.jobId, false), 0, record);
  };

  const randomOutcome = (random: Random): JobOutcome => {
    const roll = random.next();
    return roll < 0.72 ? 'Completed' : roll < 0.87 ? 'PartiallyCompleted' : roll < 0.97 ? 'Failed' : 'Expired';
  };

  /** Record counts consistent with a job put straight into `status` (created or setStatus'd there). */
  const countsFor = (record: JobRecord, status: SimulatedJobStatus, job: Partial<SimulatedJob>): Partial<SimulatedJob> => {
    const total = job.totalRecordCount ?? record.plannedTotal;
    const errorsAt = (processed: number): number =>
      record.errorRate > 0 ? Math.max(1, Math.round(processed * record.errorRate)) : 0;
    const counts = (processed: number, errors: number): Partial<SimulatedJob> => ({
      totalRecordCount: total,
      processedRecordCount: processed,
      successRecordCount: processed - errors,
      errorRecordCount: errors,
    });
    switch (status) {
      case 'Submitted':
      case 'Validating':
        return {};
      case 'Scheduled':
        return { totalRecordCount: total };
      case 'InProgress':
      case 'Stopping':
      case 'Stopped': {
        const processed = Math.floor(total * 0.4);
        return counts(processed, Math.min(processed, errorsAt(processed)));
      }
      case 'Completed':
        return counts(total, 0);
      case 'PartiallyCompleted':
        return counts(total, Math.min(total, Math.max(1, errorsAt(total))));
      case 'Failed':
        return {};
      case 'Expired':
        return {};
    }
  };

  const messageFor = (record: JobRecord, status: SimulatedJobStatus, job: Partial<SimulatedJob>): string | undefined => {
    switch (status) {
      case 'Failed':
        return record.rng.pick(record.failAt < 0 ? VALIDATION_FAILURES : PROCESSING_FAILURES);
      case 'PartiallyCompleted':
        return `${job.errorRecordCount ?? 0} of ${job.totalRecordCount ?? 0} records failed. See the manifest in the output location for details.`;
      case 'Expired':
        return `The job did not complete within its timeout of ${job.timeoutDurationInHours ?? DEFAULT_TIMEOUT_HOURS} hours.`;
      default:
        return undefined;
    }
  };

  const build = (partial: Partial<SimulatedJob>, options: CreateJobOptions, submitTime: Date): JobRecord => {
    const jobId = newId();
    const own = createRandom(rng.int(0, 0xffffffff));
    const outcome = options.outcome ?? randomOutcome(own);
    const record: JobRecord = {
      job: undefined as unknown as SimulatedJob,
      outcome,
      failAt: outcome === 'Failed' ? (own.chance(0.5) ? -1 : 0.2 + own.next() * 0.6) : 1,
      errorRate: outcome === 'PartiallyCompleted' ? 0.01 + own.next() * 0.14 : 0,
      plannedTotal: options.totalRecordCount ?? partial.totalRecordCount ?? own.int(100, 5000),
      paused: options.paused ?? false,
      rng: own,
    };
    const jobName = partial.jobName ?? `${own.pick(NAME_STEMS)}-${jobId.slice(0, 6)}`;
    const timeoutDurationInHours = partial.timeoutDurationInHours ?? DEFAULT_TIMEOUT_HOURS;
    const status = partial.status ?? 'Submitted';
    const base: SimulatedJob = {
      jobArn: `arn:aws:bedrock:${SIMULATOR_REGION}:${SIMULATOR_ACCOUNT_ID}:model-invocation-job/${jobId}`,
      jobId,
      jobName,
      modelId: partial.modelId ?? own.pick(MODELS),
      roleArn: `arn:aws:iam::${SIMULATOR_ACCOUNT_ID}:role/BedrockBatchInferenceRole`,
      status,
      submitTime,
      lastModifiedTime: submitTime,
      inputDataConfig: {
        s3InputDataConfig: { s3InputFormat: 'JSONL', s3Uri: `s3://simulator-batch-input/${jobName}/records.jsonl` },
      },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://simulator-batch-output/${jobName}/` } },
      timeoutDurationInHours,
      jobExpirationTime: new Date(submitTime.getTime() + timeoutDurationInHours * HOUR_MS),
      modelInvocationType: 'InvokeModel',
    };
    const job: JobDraft = { ...base, ...countsFor(record, status, partial), ...partial, jobArn: base.jobArn, jobId };
    if (job.message === undefined && status !== 'Submitted') job.message = messageFor(record, status, job);
    if (isTerminalStatus(status)) job.endTime ??= job.lastModifiedTime ?? submitTime;
    // Drop members a partial explicitly set to undefined, so that `key in job` means "set".
    for (const key of Object.keys(job) as (keyof JobDraft)[]) if (job[key] === undefined) delete job[key];
    record.job = job;
    return record;
  };

  const register = (record: JobRecord): void => {
    byId.set(record.job.jobId, record);
    if (record.job.clientRequestToken !== undefined) byToken.set(record.job.clientRequestToken, record);
    track(record);
  };

  /** One lifecycle step; returns the patch to apply, or undefined when nothing moves. */
  const step = (record: JobRecord): Partial<SimulatedJob> | undefined => {
    const job = record.job;
    switch (job.status) {
      case 'Submitted':
        return { status: 'Validating' };
      case 'Validating':
        if (record.outcome === 'Failed' && record.failAt < 0) {
          return { status: 'Failed', message: messageFor(record, 'Failed', job) };
        }
        return { status: 'Scheduled', totalRecordCount: job.totalRecordCount ?? record.plannedTotal };
      case 'Scheduled':
        if (record.outcome === 'Expired') {
          return { status: 'Expired', message: messageFor(record, 'Expired', job) };
        }
        return {
          status: 'InProgress',
          totalRecordCount: job.totalRecordCount ?? record.plannedTotal,
          processedRecordCount: 0,
          successRecordCount: 0,
          errorRecordCount: 0,
        };
      case 'InProgress':
        return progress(record);
      case 'Stopping':
        return { status: 'Stopped' };
      default:
        return undefined;
    }
  };

  const progress = (record: JobRecord): Partial<SimulatedJob> => {
    const job = record.job;
    const total = job.totalRecordCount ?? record.plannedTotal;
    const processed = job.processedRecordCount ?? 0;
    const chunk = Math.max(1, Math.round(total * (0.1 + record.rng.next() * 0.2)));
    const nextProcessed = Math.min(total, processed + chunk);
    const delta = nextProcessed - processed;
    let errors = (job.errorRecordCount ?? 0) + Math.min(delta, Math.round(delta * record.errorRate * (0.5 + record.rng.next())));
    const done = nextProcessed >= total;
    if (done && record.outcome === 'PartiallyCompleted' && errors === 0) errors = 1;
    const counts = {
      totalRecordCount: total,
      processedRecordCount: nextProcessed,
      successRecordCount: nextProcessed - errors,
      errorRecordCount: errors,
    };
    if (record.outcome === 'Failed' && nextProcessed >= total * record.failAt) {
      return { ...counts, status: 'Failed', message: messageFor(record, 'Failed', job) };
    }
    if (!done) return counts;
    const status: SimulatedJobStatus = record.outcome === 'PartiallyCompleted' ? 'PartiallyCompleted' : 'Completed';
    return { ...counts, status, message: messageFor(record, status, counts) };
  };

  const tick = (): void => {
    const now = Date.now();
    for (const record of Array.from(ticking)) {
      const { jobExpirationTime } = record.job;
      if (jobExpirationTime && jobExpirationTime.getTime() <= now) {
        update(record, { status: 'Expired', message: messageFor(record, 'Expired', record.job) });
        continue;
      }
      if (!clockRng.chance(STEP_CHANCE)) continue;
      const patch = step(record);
      if (patch) update(record, patch);
    }
  };

  const start = (): void => {
    if (timer || disposed) return;
    timer = setInterval(tick, stepMs);
    // The simulator must never be what keeps a process (or a vitest worker) alive.
    timer.unref();
  };

  const engine: SimulatorEngine = {
    get size() {
      return byId.size;
    },
    get running() {
      return timer !== undefined;
    },

    get: (jobIdentifier) => find(jobIdentifier)?.job,

    list(query = {}) {
      const descending = (query.sortOrder ?? 'Descending') === 'Descending';
      const maxResults = query.maxResults ?? 1000;
      let index = descending ? ordered.length - 1 : 0;
      if (query.nextToken !== undefined) {
        const cursor = decodeToken(query.nextToken);
        index = descending ? bound(cursor.t, cursor.id, true) - 1 : bound(cursor.t, cursor.id, false);
      }
      const after = query.submitTimeAfter?.getTime();
      const before = query.submitTimeBefore?.getTime();
      const jobs: SimulatedJob[] = [];
      const stepBy = descending ? -1 : 1;
      for (; index >= 0 && index < ordered.length; index += stepBy) {
        const job = (ordered[index] as JobRecord).job;
        const t = job.submitTime.getTime();
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
        if (jobs.length === maxResults) {
          const last = jobs[jobs.length - 1] as SimulatedJob;
          return { jobs, nextToken: encodeToken(last) };
        }
        jobs.push(job);
      }
      return { jobs };
    },

    submit(request) {
      const token = request.clientRequestToken;
      const existing = token === undefined ? undefined : byToken.get(token);
      if (existing) return existing.job;
      if (maxJobs !== undefined && unfinished.size >= maxJobs) {
        throw new SimulatorError(
          'ServiceQuotaExceededException',
          `The number of unfinished batch inference jobs has reached the quota of ${maxJobs}.`,
        );
      }
      return engine.createJob({ ...request, tags: request.tags, status: 'Submitted' });
    },

    stop(jobIdentifier) {
      const record = mustFind(jobIdentifier);
      const { status } = record.job;
      if (!STOPPABLE.has(status)) {
        // Wording as AWS answers it for a finished job (matched on by e.g. Airflow's Bedrock hooks).
        throw new SimulatorError(
          'ValidationException',
          `Failed to stop job ${record.job.jobArn}: only jobs in Submitted, Validating, Scheduled or InProgress can be stopped. State was: ${status}`,
        );
      }
      return update(record, { status: 'Stopping' });
    },

    createJob(partial = {}, createOptions = {}) {
      const record = build(partial, createOptions, partial.submitTime ?? new Date());
      insertOrdered(record);
      register(record);
      emit(record.job, undefined);
      return record.job;
    },

    addJobs(count, partial = {}, createOptions = {}) {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
      const end = Date.now();
      const records: JobRecord[] = [];
      for (let i = 0; i < count; i++) {
        const record = build(partial, createOptions, partial.submitTime ?? new Date(end - (count - 1 - i)));
        register(record);
        records.push(record);
      }
      // One sort instead of `count` sorted inserts.
      ordered.push(...records);
      ordered.sort((a, b) => compare(a.job, b.job));
      for (const record of records) emit(record.job, undefined);
      return records.map((record) => record.job);
    },

    advance(jobIdentifier) {
      const record = mustFind(jobIdentifier);
      const patch = step(record);
      return patch ? update(record, patch) : record.job;
    },

    setStatus(jobIdentifier, status, patch = {}) {
      const record = mustFind(jobIdentifier);
      const recount = record.job.processedRecordCount === undefined || status === 'Completed' || status === 'PartiallyCompleted';
      const counts = recount ? countsFor(record, status, { ...record.job, ...patch }) : {};
      const next: Partial<JobDraft> = { ...counts, ...patch, status };
      if (!('message' in patch)) next.message = messageFor(record, status, { ...record.job, ...next });
      return update(record, next);
    },

    pause() {
      clearInterval(timer);
      timer = undefined;
    },
    resume: start,

    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    dispose() {
      disposed = true;
      engine.pause();
      listeners.clear();
    },
  };

  if (options.autoStart ?? true) start();
  return engine;
}

interface Cursor {
  t: number;
  id: string;
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
