// How a new job is made: a fresh id, a planned course, and every member the caller left out,
// consistent with the status it starts in. Ids and plans come from one seeded stream, so equal
// seeds give equal jobs.
import { DEMO_MODELS, DEMO_NAME_STEMS } from './demo-data.ts';
import type { JobRecord } from './job-store.ts';
import { countsFor, DEFAULT_TIMEOUT_HOURS, isTerminalStatus, messageFor, planJob, type InputInspection, type JobOutcome } from './lifecycle.ts';
import { createRandom } from './random.ts';
import { SIMULATOR_ACCOUNT_ID, SIMULATOR_REGION, type InputDataConfig, type JobDraft, type SimulatedJob } from './simulated-job.ts';

const HOUR_MS = 3_600_000;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface CreateJobOptions {
  /** Where the job's lifecycle ends. @default random: mostly Completed, some PartiallyCompleted/Failed, rarely Expired */
  outcome?: JobOutcome;
  /** Keep the job out of the automatic clock; it moves only through `advance()`/`setStatus()`. @default false */
  paused?: boolean;
  /** Records in the job's input; given, the input is not inspected (nor held to the minimum). @default counted from the input when it exists, else random 100..5000 */
  totalRecordCount?: number;
  /** Records processed at every clock step while in progress: a steady job. @default 10–30 % of the total per step, drawn */
  recordsPerStep?: number;
}

export interface JobFactoryOptions {
  /** Seed of ids, names, models and plans. */
  seed: number;
  /** Whether an id is in use already; the factory draws again until it is not. */
  isTaken(jobId: string): boolean;
  /** What a job's given input location holds: undefined when nothing is there. @default nothing is ever there */
  inspectInput?(config: InputDataConfig): InputInspection | undefined;
  /** Fewest records an inspected input may hold; fewer fail the job at validation. @default MIN_RECORDS_PER_JOB (100) */
  minRecordsPerJob?: number;
}

export interface JobFactory {
  /** A new record; members of `partial` win over generated ones, `status` included, but never `jobArn` or `jobId`. */
  build(partial: Partial<SimulatedJob>, options: CreateJobOptions, submitTime: Date): JobRecord;
}

export function createJobFactory({ seed, isTaken, inspectInput, minRecordsPerJob }: JobFactoryOptions): JobFactory {
  const rng = createRandom(seed);

  const newId = (): string => {
    for (;;) {
      let id = '';
      for (let i = 0; i < 12; i++) id += ID_ALPHABET[Math.floor(rng.next() * ID_ALPHABET.length)];
      if (!isTaken(id)) return id;
    }
  };

  return {
    build(partial, options, submitTime) {
      const jobId = newId();
      const own = createRandom(rng.int(0, 0xffffffff));
      const totalRecordCount = options.totalRecordCount ?? partial.totalRecordCount;
      // Only a given location is inspected: nothing is ever put at the generated default.
      const input = totalRecordCount === undefined && partial.inputDataConfig ? inspectInput?.(partial.inputDataConfig) : undefined;
      const plan = planJob(own, {
        outcome: options.outcome,
        totalRecordCount,
        input,
        minRecords: minRecordsPerJob,
        recordsPerStep: options.recordsPerStep,
      });
      const jobName = partial.jobName ?? `${own.pick(DEMO_NAME_STEMS)}-${jobId.slice(0, 6)}`;
      const timeoutDurationInHours = partial.timeoutDurationInHours ?? DEFAULT_TIMEOUT_HOURS;
      const status = partial.status ?? 'Submitted';
      const jobArn = `arn:aws:bedrock:${SIMULATOR_REGION}:${SIMULATOR_ACCOUNT_ID}:model-invocation-job/${jobId}`;
      const base: SimulatedJob = {
        jobArn,
        jobId,
        jobName,
        modelId: partial.modelId ?? own.pick(DEMO_MODELS),
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
      const job: JobDraft = { ...base, ...countsFor(plan, status, partial), ...partial, jobArn, jobId };
      if (job.message === undefined && status !== 'Submitted') job.message = messageFor(plan, status, job);
      if (isTerminalStatus(status)) job.endTime ??= job.lastModifiedTime ?? submitTime;
      // Drop members a partial explicitly set to undefined, so that `key in job` means "set".
      for (const key of Object.keys(job) as (keyof JobDraft)[]) if (job[key] === undefined) delete job[key];
      return { job, plan, paused: options.paused ?? false };
    },
  };
}
