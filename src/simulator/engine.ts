// The simulator's engine: the job store, the lifecycle rules and the shared clock put together
// behind the operations the server calls and the controls tests use. No HTTP here; server.ts
// turns requests into calls on this engine.
import type { Logger } from 'pino';
import { createClock } from './clock.ts';
import { SimulatorError } from './errors.ts';
import { createJobFactory, type CreateJobOptions } from './job-factory.ts';
import { createJobStore, type JobRecord, type ListJobsPage, type ListJobsQuery } from './job-store.ts';
import { applyChange, expiry, isTerminalStatus, jumpTo, nextStep, stopping, type InputInspection } from './lifecycle.ts';
import { createRandom } from './random.ts';
import type { InputDataConfig, SimulatedJob, SimulatedJobStatus, SubmitJobRequest } from './simulated-job.ts';

/** Called after every change (including creation) with the new job and the one it replaced. */
export type JobChangeListener = (job: SimulatedJob, previous: SimulatedJob | undefined) => void;

export interface EngineOptions {
  /** Interval of the one shared clock that moves every running job a step. Throws RangeError unless positive. @default 1500 */
  stepMs?: number;
  /** Seed for job ids, record counts and outcomes; equal seeds give equal runs. @default 1 */
  randomSeed?: number;
  /** Most unfinished jobs at once; `submit()` beyond it throws ServiceQuotaExceededException. @default unlimited */
  maxJobs?: number;
  /** Start the clock at once. @default true */
  autoStart?: boolean;
  /** Receives errors thrown by change listeners (they must not stop the clock). @default silent */
  logger?: Logger;
  /**
   * What a new job's input location holds (called at creation unless a record count is given):
   * the number of records, which becomes the job's totalRecordCount, or the problem that fails
   * its validation. Undefined when nothing is there. @default nothing is ever there
   */
  inspectInput?(config: InputDataConfig): InputInspection | undefined;
  /** Fewest records an inspected input may hold; fewer fail the job at validation, as Bedrock does. @default 100 */
  minRecordsPerJob?: number;
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

export function createEngine(options: EngineOptions = {}): SimulatorEngine {
  const seed = options.randomSeed ?? 1;
  const { maxJobs, logger } = options;
  const store = createJobStore();
  const factory = createJobFactory({ seed, isTaken: store.has, inspectInput: options.inspectInput, minRecordsPerJob: options.minRecordsPerJob });
  const listeners = createChangeListeners(logger);

  const clock = createClock<JobRecord>({
    stepMs: options.stepMs ?? 1500,
    // Its own stream: ids and plans must not depend on how many clock ticks ran meanwhile.
    random: createRandom(seed ^ 0x5bd1e995),
    expire(record, now) {
      const change = expiry(record.job, record.plan, now);
      if (change) update(record, change);
      return change !== undefined;
    },
    step(record) {
      const change = nextStep(record.job, record.plan);
      if (change) update(record, change);
    },
  });

  /** Apply a change: the new value replaces the old one everywhere, then listeners hear of it. */
  const update = (record: JobRecord, change: Partial<SimulatedJob>): SimulatedJob => {
    const previous = record.job;
    record.job = applyChange(previous, change, new Date());
    track(record);
    listeners.emit(record.job, previous);
    return record.job;
  };

  /** Keep the quota count and the clock in step with a record's status. */
  const track = (record: JobRecord): void => {
    store.changed(record);
    clock.follow(record, !record.paused && !isTerminalStatus(record.job.status));
  };

  const add = (record: JobRecord): void => {
    store.add(record);
    track(record);
  };

  const engine: SimulatorEngine = {
    get size() {
      return store.size;
    },
    get running() {
      return clock.running;
    },
    get: (jobIdentifier) => store.find(jobIdentifier)?.job,
    list: (query = {}) => store.list(query),

    submit(request) {
      const existing = request.clientRequestToken === undefined ? undefined : store.byClientToken(request.clientRequestToken);
      if (existing) return existing.job;
      if (maxJobs !== undefined && store.unfinished >= maxJobs) {
        throw new SimulatorError(
          'ServiceQuotaExceededException',
          `The number of unfinished batch inference jobs has reached the quota of ${maxJobs}.`,
        );
      }
      return engine.createJob({ ...request, status: 'Submitted' });
    },

    stop(jobIdentifier) {
      const record = store.get(jobIdentifier);
      return update(record, stopping(record.job));
    },

    createJob(partial = {}, createOptions = {}) {
      const record = factory.build(partial, createOptions, partial.submitTime ?? new Date());
      add(record);
      listeners.emit(record.job, undefined);
      return record.job;
    },

    addJobs(count, partial = {}, createOptions = {}) {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
      const end = Date.now();
      const records: JobRecord[] = [];
      for (let i = 0; i < count; i++) {
        const record = factory.build(partial, createOptions, partial.submitTime ?? new Date(end - (count - 1 - i)));
        add(record);
        records.push(record);
      }
      // Listeners hear of the jobs once all of them are there.
      for (const record of records) listeners.emit(record.job, undefined);
      return records.map((record) => record.job);
    },

    advance(jobIdentifier) {
      const record = store.get(jobIdentifier);
      const change = nextStep(record.job, record.plan);
      return change ? update(record, change) : record.job;
    },

    setStatus(jobIdentifier, status, patch = {}) {
      const record = store.get(jobIdentifier);
      return update(record, jumpTo(record.job, record.plan, status, patch));
    },

    pause: () => clock.pause(),
    resume: () => clock.start(),

    onChange: (listener) => listeners.add(listener),

    dispose() {
      clock.dispose();
      listeners.clear();
    },
  };

  if (options.autoStart ?? true) clock.start();
  return engine;
}

/** Change listeners, called in turn; one that throws is logged, and the others (and the clock) go on. */
function createChangeListeners(logger: Logger | undefined) {
  const listeners = new Set<JobChangeListener>();
  return {
    emit(job: SimulatedJob, previous: SimulatedJob | undefined): void {
      for (const listener of listeners) {
        try {
          listener(job, previous);
        } catch (error) {
          logger?.error({ err: error, jobArn: job.jobArn }, 'simulator change listener threw');
        }
      }
    },
    /** Returns the unsubscribe function. */
    add(listener: JobChangeListener): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    clear: () => listeners.clear(),
  };
}
