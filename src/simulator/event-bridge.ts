// What Amazon Bedrock publishes to EventBridge when a batch inference job changes status
// ("Batch Inference Job State Change"), delivered the way an EventBridge API destination delivers
// it: one JSON POST per event to an HTTP endpoint. Best effort like EventBridge itself: no retries,
// a short timeout, failures only counted and logged, never felt by the engine.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { JobChangeListener } from './engine.ts';
import {
  SIMULATOR_ACCOUNT_ID,
  SIMULATOR_REGION,
  type InputDataConfig,
  type OutputDataConfig,
  type SimulatedJob,
  type SimulatedJobStatus,
} from './simulated-job.ts';

const BATCH_JOB_STATE_CHANGE = 'Batch Inference Job State Change';

/**
 * Header carrying `EventBridgeTarget.secret`: configure the API destination's connection as
 * AuthorizationType API_KEY with this ApiKeyName, and EventBridge sends it on every delivery.
 */
const EVENT_BRIDGE_SECRET_HEADER = 'x-eventbridge-secret';

/** Where the simulator POSTs its events: the endpoint an EventBridge API destination would call. */
export interface EventBridgeTarget {
  /** Absolute http(s) URL that receives each event as a JSON POST body. */
  url: string;
  /** Sent as the `x-eventbridge-secret` header when set, as an API-key connection would. @default none */
  secret?: string;
}

/**
 * The `detail` of a Batch Inference Job State Change event. Members up to `creationTime` are the
 * ones in AWS's sample event (Bedrock user guide, "How EventBridge for Amazon Bedrock works").
 */
interface BatchInferenceJobStateChangeDetail {
  version: '0.0';
  accountId: string;
  batchJobName: string;
  batchJobArn: string;
  /** The job's modelId as submitted (AWS's sample shows a foundation-model ARN here). */
  batchModelId: string;
  status: SimulatedJobStatus;
  /** The job's message; `""` when it has none, as in AWS's sample for a Completed job. */
  failureMessage: string;
  /** The submit time as the console prints it, in UTC: `Aug 28, 2024, 10:47:53 PM` (not ISO). */
  creationTime: string;
  // Not in AWS's sample (which points to GetModelInvocationJob for "fields specific to batch
  // inference"), so unconfirmed: the record counts, when the job has them, and the data configs.
  totalRecordCount?: number;
  processedRecordCount?: number;
  successRecordCount?: number;
  errorRecordCount?: number;
  inputDataConfig: InputDataConfig;
  outputDataConfig: OutputDataConfig;
}

/** The EventBridge envelope around it (EventBridge user guide, "Event structure reference"). */
export interface BatchInferenceJobStateChangeEvent {
  version: '0';
  /** A v4 UUID per event. */
  id: string;
  'detail-type': typeof BATCH_JOB_STATE_CHANGE;
  source: 'aws.bedrock';
  account: string;
  /** ISO-8601 UTC to the second, e.g. `2026-11-29T05:00:00Z`. */
  time: string;
  region: string;
  /** The job's ARN. */
  resources: string[];
  detail: BatchInferenceJobStateChangeDetail;
}

/** The event Bedrock would publish for `job`'s current status, observed at `now`. */
export function toStateChangeEvent(job: SimulatedJob, now: Date = new Date()): BatchInferenceJobStateChangeEvent {
  const counts = {
    totalRecordCount: job.totalRecordCount,
    processedRecordCount: job.processedRecordCount,
    successRecordCount: job.successRecordCount,
    errorRecordCount: job.errorRecordCount,
  };
  for (const key of Object.keys(counts) as (keyof typeof counts)[]) if (counts[key] === undefined) delete counts[key];
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': BATCH_JOB_STATE_CHANGE,
    source: 'aws.bedrock',
    account: SIMULATOR_ACCOUNT_ID,
    // AWS's Bedrock sample shows `Wed Aug 28 22:58:30 UTC 2024` here, but the EventBridge envelope
    // reference and every other AWS sample use ISO-8601 to the second; receivers parse that.
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: SIMULATOR_REGION,
    resources: [job.jobArn],
    detail: {
      version: '0.0',
      accountId: SIMULATOR_ACCOUNT_ID,
      batchJobName: job.jobName,
      batchJobArn: job.jobArn,
      batchModelId: job.modelId,
      status: job.status,
      failureMessage: job.message ?? '',
      creationTime: consoleTime(job.submitTime),
      ...counts,
      inputDataConfig: job.inputDataConfig,
      outputDataConfig: job.outputDataConfig,
    },
  };
}

export interface EventBridgeEmitterOptions {
  /** Where to deliver; nothing is sent while unset. @default unset */
  target?: EventBridgeTarget;
  /** How long one delivery may take before it counts as failed. @default 2000 */
  timeoutMs?: number;
  /** Most deliveries queued or in flight at once; events beyond it are dropped and counted as failed. @default 1000 */
  maxPending?: number;
  /** Receives one debug line per failed or dropped delivery. @default silent */
  logger?: Logger;
}

export interface EventBridgeEmitterCounts {
  /** Events the target answered with a 2xx. */
  sent: number;
  /** Events that got a non-2xx answer, a network error or no answer in time, or were dropped for `maxPending`. */
  failed: number;
}

export interface EventBridgeEmitter {
  /** Subscribe this to `engine.onChange`: emits one event per status change, creation included. */
  readonly listener: JobChangeListener;
  readonly target: EventBridgeTarget | undefined;
  /** Replace or clear (undefined) the target; changes from now on go there. Throws TypeError for a bad URL. */
  setTarget(target: EventBridgeTarget | undefined): void;
  counts(): EventBridgeEmitterCounts;
  resetCounts(): void;
  /** Stops emitting, aborts deliveries in flight (not counted) and resolves once all have settled. */
  close(): Promise<void>;
}

export function createEventBridgeEmitter(options: EventBridgeEmitterOptions = {}): EventBridgeEmitter {
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxPending = options.maxPending ?? 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  if (!Number.isInteger(maxPending) || maxPending <= 0) throw new RangeError(`maxPending must be a positive integer, got ${maxPending}`);
  const { logger } = options;
  let target = checkTarget(options.target);
  let sent = 0;
  let failed = 0;
  let pending = 0;
  let closed = false;
  /** Tail of each job's delivery chain, so that one job's events arrive in change order. */
  const chains = new Map<string, Promise<void>>();
  const inFlight = new Set<AbortController>();

  /** Never rejects: a failure is counted and logged, and the job's next event goes out regardless. */
  const deliver = async (to: EventBridgeTarget, event: BatchInferenceJobStateChangeEvent): Promise<void> => {
    if (closed) return;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    inFlight.add(abort);
    const context = { url: to.url, jobArn: event.detail.batchJobArn, status: event.detail.status };
    try {
      const response = await fetch(to.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(to.secret === undefined ? {} : { [EVENT_BRIDGE_SECRET_HEADER]: to.secret }) },
        body: JSON.stringify(event),
        signal: abort.signal,
      });
      // Release the connection for reuse; the answer's body means nothing to EventBridge either.
      await response.body?.cancel();
      if (response.ok) {
        sent += 1;
      } else {
        failed += 1;
        logger?.debug({ ...context, httpStatus: response.status }, 'simulator event delivery rejected');
      }
    } catch (error) {
      if (closed) return;
      failed += 1;
      logger?.debug({ ...context, err: error }, 'simulator event delivery failed');
    } finally {
      clearTimeout(timer);
      inFlight.delete(abort);
    }
  };

  const listener: JobChangeListener = (job, previous) => {
    if (closed || target === undefined || previous?.status === job.status) return;
    if (pending >= maxPending) {
      failed += 1;
      logger?.debug({ url: target.url, jobArn: job.jobArn, status: job.status, maxPending }, 'simulator event dropped');
      return;
    }
    pending += 1;
    const event = toStateChangeEvent(job);
    const to = target;
    const next = (chains.get(job.jobArn) ?? Promise.resolve())
      .then(() => deliver(to, event))
      // deliver() catches its own failures; this only keeps a broken logger from ending the chain.
      .catch((error: unknown) => logger?.error({ err: error, jobArn: job.jobArn }, 'simulator event delivery threw'));
    chains.set(job.jobArn, next);
    void next.then(() => {
      pending -= 1;
      if (chains.get(job.jobArn) === next) chains.delete(job.jobArn);
    });
  };

  let closing: Promise<void> | undefined;
  return {
    listener,
    get target() {
      return target;
    },
    setTarget(next) {
      target = checkTarget(next);
    },
    counts: () => ({ sent, failed }),
    resetCounts() {
      sent = 0;
      failed = 0;
    },
    close() {
      closing ??= (async () => {
        closed = true;
        for (const abort of inFlight) abort.abort(new Error('simulator closed'));
        await Promise.all(chains.values());
      })();
      return closing;
    },
  };
}

function checkTarget(target: EventBridgeTarget | undefined): EventBridgeTarget | undefined {
  if (target === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(target.url);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new TypeError(`eventBridge.url must be an absolute http(s) URL, got ${JSON.stringify(target.url)}`);
  }
  if (target.secret !== undefined && (typeof target.secret !== 'string' || target.secret === '')) {
    throw new TypeError('eventBridge.secret must be a non-empty string when set');
  }
  return { url: target.url, ...(target.secret === undefined ? {} : { secret: target.secret }) };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

// By hand rather than Intl: ICU versions differ on the space before AM/PM (U+0020 vs U+202F).
function consoleTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hours = date.getUTCHours();
  return (
    `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ` +
    `${hours % 12 || 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`
  );
}
