// The rules a job's life follows: Submitted → Validating → Scheduled → InProgress → Completed |
// PartiallyCompleted | Failed (or Stopping → Stopped, or Expired). Each rule takes a job and its
// plan and returns the change to make; nothing here holds state or knows about time passing.
import { SimulatorError } from './errors.ts';
import type { Random } from './random.ts';
import type { JobDraft, SimulatedJob, SimulatedJobStatus } from './simulated-job.ts';

const TERMINAL: ReadonlySet<SimulatedJobStatus> = new Set([
  'Completed',
  'PartiallyCompleted',
  'Failed',
  'Stopped',
  'Expired',
]);

const STOPPABLE: ReadonlySet<SimulatedJobStatus> = new Set(['Submitted', 'Validating', 'Scheduled', 'InProgress']);

/** AWS's default (and largest) timeoutDurationInHours. */
export const DEFAULT_TIMEOUT_HOURS = 168;

/** Bedrock's minimum number of records per batch inference job (the default quota; some models' differ). */
export const MIN_RECORDS_PER_JOB = 100;

const VALIDATION_FAILURES = [
  'Unable to read the input file: access denied to the S3 location. Check the permissions of the service role.',
  'The input file contains records that are not valid JSON (first at line 17).',
  'The number of records in the input file is below the minimum of 100 required for batch inference.',
] as const;

const PROCESSING_FAILURES = [
  'Internal error while processing records. Retry the job.',
  'Unable to write results to the output location: access denied to the S3 location.',
] as const;

export function isTerminalStatus(status: SimulatedJobStatus): boolean {
  return TERMINAL.has(status);
}

/** How a job ends if nobody stops it. */
export type JobOutcome = 'Completed' | 'PartiallyCompleted' | 'Failed' | 'Expired';

/** A job's course, fixed when it is created. */
export interface JobPlan {
  readonly outcome: JobOutcome;
  /** For outcome Failed: fail while validating (-1), or once this share of records is processed. */
  readonly failAt: number;
  /** Share of records that end in error (0 unless PartiallyCompleted). */
  readonly errorRate: number;
  /** Records in the input, unless the job itself says otherwise. */
  readonly plannedTotal: number;
  /** Records processed per step while in progress; undefined: a drawn share of the total each step. */
  readonly recordsPerStep?: number;
  /** Why validation fails, when the input itself is the reason (outcome Failed, failAt -1). */
  readonly validationFailure?: string;
  /** The job's own stream, so its course doesn't depend on how other jobs' steps interleave. */
  readonly rng: Random;
}

/** What the simulator found at a job's input location when it was created. */
export type InputInspection = { records: number; problem?: undefined } | { records?: undefined; problem: string };

/**
 * Plans a job's course from its own random stream; given members win over drawn ones. An
 * inspected input decides the record count, and fails the job at validation, whatever its
 * planned outcome, when it is not valid or holds fewer records than Bedrock's minimum.
 */
export function planJob(
  rng: Random,
  given: { outcome?: JobOutcome; totalRecordCount?: number; input?: InputInspection; minRecords?: number; recordsPerStep?: number },
): JobPlan {
  const validationFailure = validationFailureOf(given.input, given.minRecords ?? MIN_RECORDS_PER_JOB);
  if (validationFailure !== undefined) {
    return { outcome: 'Failed', failAt: -1, errorRate: 0, plannedTotal: given.input?.records ?? 0, validationFailure, rng };
  }
  const outcome = given.outcome ?? randomOutcome(rng);
  return {
    outcome,
    failAt: outcome === 'Failed' ? (rng.chance(0.5) ? -1 : 0.2 + rng.next() * 0.6) : 1,
    errorRate: outcome === 'PartiallyCompleted' ? 0.01 + rng.next() * 0.14 : 0,
    plannedTotal: given.totalRecordCount ?? given.input?.records ?? rng.int(100, 5000),
    recordsPerStep: given.recordsPerStep,
    rng,
  };
}

function validationFailureOf(input: InputInspection | undefined, minRecords: number): string | undefined {
  if (input === undefined) return undefined;
  if (input.problem !== undefined) return input.problem;
  if (input.records < minRecords) {
    return `The input contains ${input.records} records, fewer than the minimum of ${minRecords} records required for a batch inference job.`;
  }
  return undefined;
}

function randomOutcome(rng: Random): JobOutcome {
  const roll = rng.next();
  return roll < 0.72 ? 'Completed' : roll < 0.87 ? 'PartiallyCompleted' : roll < 0.97 ? 'Failed' : 'Expired';
}

/** One step of a job's life, or undefined when nothing moves (a finished job stays as it is). */
export function nextStep(job: SimulatedJob, plan: JobPlan): Partial<SimulatedJob> | undefined {
  switch (job.status) {
    case 'Submitted':
      return { status: 'Validating' };
    case 'Validating':
      if (plan.outcome === 'Failed' && plan.failAt < 0) return { status: 'Failed', message: messageFor(plan, 'Failed', job) };
      return { status: 'Scheduled', totalRecordCount: job.totalRecordCount ?? plan.plannedTotal };
    case 'Scheduled':
      if (plan.outcome === 'Expired') return { status: 'Expired', message: compressedExpiryMessage(plan, job) };
      return {
        status: 'InProgress',
        totalRecordCount: job.totalRecordCount ?? plan.plannedTotal,
        processedRecordCount: 0,
        successRecordCount: 0,
        errorRecordCount: 0,
      };
    case 'InProgress':
      return progress(job, plan);
    case 'Stopping':
      return { status: 'Stopped' };
    default:
      return undefined;
  }
}

/** A chunk of records processed; the last chunk (or the failure point) ends the job. */
function progress(job: SimulatedJob, plan: JobPlan): Partial<SimulatedJob> {
  const total = job.totalRecordCount ?? plan.plannedTotal;
  const processed = job.processedRecordCount ?? 0;
  const chunk = plan.recordsPerStep ?? Math.max(1, Math.round(total * (0.1 + plan.rng.next() * 0.2)));
  const nextProcessed = Math.min(total, processed + chunk);
  const delta = nextProcessed - processed;
  let errors = (job.errorRecordCount ?? 0) + Math.min(delta, Math.round(delta * plan.errorRate * (0.5 + plan.rng.next())));
  const done = nextProcessed >= total;
  if (done && plan.outcome === 'PartiallyCompleted' && errors === 0) errors = 1;
  const counts = {
    totalRecordCount: total,
    processedRecordCount: nextProcessed,
    successRecordCount: nextProcessed - errors,
    errorRecordCount: errors,
  };
  if (plan.outcome === 'Failed' && nextProcessed >= total * plan.failAt) {
    return { ...counts, status: 'Failed', message: messageFor(plan, 'Failed', job) };
  }
  if (!done) return counts;
  const status: SimulatedJobStatus = plan.outcome === 'PartiallyCompleted' ? 'PartiallyCompleted' : 'Completed';
  return { ...counts, status, message: messageFor(plan, status, counts) };
}

/**
 * The message of a job planned to expire, which the clock expires a few steps after submission:
 * Bedrock's words, and that its timeout did not really run out (seconds after it started, a bare
 * "did not complete within its timeout of 168 hours" reads as a bug).
 */
function compressedExpiryMessage(plan: JobPlan, job: SimulatedJob): string {
  const hours = job.timeoutDurationInHours ?? DEFAULT_TIMEOUT_HOURS;
  return `${messageFor(plan, 'Expired', job)} (Simulated: the simulator's compressed clock ends it as Expired a few steps after submission, not after ${hours} hours.)`;
}

/** Expired, once an unfinished job's jobExpirationTime has passed; otherwise undefined. */
export function expiry(job: SimulatedJob, plan: JobPlan, now: number): Partial<SimulatedJob> | undefined {
  const { jobExpirationTime } = job;
  if (!jobExpirationTime || jobExpirationTime.getTime() > now) return undefined;
  return { status: 'Expired', message: messageFor(plan, 'Expired', job) };
}

/** StopModelInvocationJob's change, or the ValidationException AWS answers for a job that cannot stop. */
export function stopping(job: SimulatedJob): Partial<SimulatedJob> {
  if (!STOPPABLE.has(job.status)) {
    // Wording as AWS answers it for a finished job (matched on by e.g. Airflow's Bedrock hooks).
    throw new SimulatorError(
      'ValidationException',
      `Failed to stop job ${job.jobArn}: only jobs in Submitted, Validating, Scheduled or InProgress can be stopped. State was: ${job.status}`,
    );
  }
  return { status: 'Stopping' };
}

/** The change that puts a job straight into `status`, with counts and message to match unless `patch` sets them. */
export function jumpTo(job: SimulatedJob, plan: JobPlan, status: SimulatedJobStatus, patch: Partial<SimulatedJob>): Partial<SimulatedJob> {
  const recount = job.processedRecordCount === undefined || status === 'Completed' || status === 'PartiallyCompleted';
  const counts = recount ? countsFor(plan, status, { ...job, ...patch }) : {};
  const next: Partial<JobDraft> = { ...counts, ...patch, status };
  if (!('message' in patch)) next.message = messageFor(plan, status, { ...job, ...next });
  return next;
}

/** `job` with `change` applied: lastModifiedTime stamped, endTime set exactly while terminal. */
export function applyChange(job: SimulatedJob, change: Partial<SimulatedJob>, now: Date): SimulatedJob {
  const next: JobDraft = { ...job, ...change, lastModifiedTime: change.lastModifiedTime ?? now };
  if (!isTerminalStatus(next.status)) delete next.endTime;
  else next.endTime ??= now;
  return next;
}

/** Record counts consistent with a job put straight into `status` (created or set there). */
export function countsFor(plan: JobPlan, status: SimulatedJobStatus, job: Partial<SimulatedJob>): Partial<SimulatedJob> {
  const total = job.totalRecordCount ?? plan.plannedTotal;
  const errorsAt = (processed: number): number => (plan.errorRate > 0 ? Math.max(1, Math.round(processed * plan.errorRate)) : 0);
  const counts = (processed: number, errors: number): Partial<SimulatedJob> => ({
    totalRecordCount: total,
    processedRecordCount: processed,
    successRecordCount: processed - errors,
    errorRecordCount: errors,
  });
  switch (status) {
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
    default:
      return {};
  }
}

/** The message Bedrock gives a job in `status`, if any. */
export function messageFor(plan: JobPlan, status: SimulatedJobStatus, job: Partial<SimulatedJob>): string | undefined {
  switch (status) {
    case 'Failed':
      return plan.validationFailure ?? plan.rng.pick(plan.failAt < 0 ? VALIDATION_FAILURES : PROCESSING_FAILURES);
    case 'PartiallyCompleted':
      return `${job.errorRecordCount ?? 0} of ${job.totalRecordCount ?? 0} records failed. See the manifest in the output location for details.`;
    case 'Expired':
      return `The job did not complete within its timeout of ${job.timeoutDurationInHours ?? DEFAULT_TIMEOUT_HOURS} hours.`;
    default:
      return undefined;
  }
}
