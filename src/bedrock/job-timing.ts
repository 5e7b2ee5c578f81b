// What a job's observed history says about its timing: when it started, how fast it goes, when it
// should finish, and the statuses it went through. Pure functions of the job and its history
// (job-history.ts); the schema exposes them as derived fields.
import { isTerminalStatus, type JobStatus, type ModelInvocationJob } from './job.ts';
import type { JobHistory, ProgressSample } from './job-history.ts';

/**
 * How far back the rate looks. Long enough that counts Bedrock updates in jumps, or a burst,
 * average out; short enough that a job slowing down (or pausing) shows within minutes.
 */
export const RATE_WINDOW_MS = 5 * 60_000;

export interface Throughput {
  recordsPerMinute: number;
  /** The span the rate was measured over, in whole seconds (rounded up). */
  windowSeconds: number;
  /** The newest sample the rate ends with. */
  last: ProgressSample;
}

export interface TimelineEntry {
  status: JobStatus;
  at: Date;
  /** False when the time is Bedrock's own (submitTime, endTime), for a job the gateway saw late. */
  observed: boolean;
}

/** When the job was first observed IN_PROGRESS; null when the gateway never saw it running. */
export function startedAtOf(history: JobHistory): Date | null {
  const at = history.firstSeen.InProgress;
  return at === undefined ? null : new Date(at);
}

/**
 * Records per minute over the last RATE_WINDOW_MS of samples: the processed records between the
 * window's first and last observation over the time between them. A burst counts spread over the
 * window, and a pause lowers the rate as it lasts, down to 0 once the window holds nothing else.
 * Null unless the job is running and was observed running at two different times.
 */
export function throughputOf(job: ModelInvocationJob, history: JobHistory): Throughput | null {
  if (job.status !== 'InProgress') return null;
  const { samples } = history;
  const last = samples.at(-1);
  if (!last) return null;
  const first = samples.find(({ at }) => at >= last.at - RATE_WINDOW_MS) as ProgressSample;
  const spanMs = last.at - first.at;
  if (spanMs <= 0) return null;
  const recordsPerMinute = (Math.max(0, last.processed - first.processed) / spanMs) * 60_000;
  return { recordsPerMinute, windowSeconds: Math.ceil(spanMs / 1000), last };
}

/**
 * When the job should finish at its current rate: the last observation plus the records left over
 * the rate. Null unless it is running, with a positive rate and a known total.
 */
export function estimatedCompletionOf(job: ModelInvocationJob, history: JobHistory): Date | null {
  const throughput = throughputOf(job, history);
  const total = job.totalRecordCount;
  if (!throughput || throughput.recordsPerMinute <= 0 || !total) return null;
  const { at, processed } = throughput.last;
  const remaining = Math.max(0, total - processed);
  return new Date(at + (remaining / throughput.recordsPerMinute) * 60_000);
}

/**
 * The order statuses are first reached in, whatever path a job takes (STOPPING comes after
 * whichever unfinished status it left, a final status last).
 */
const LIFECYCLE: readonly JobStatus[] = [
  'Submitted', 'Validating', 'Scheduled', 'InProgress', 'Stopping',
  'Completed', 'PartiallyCompleted', 'Failed', 'Stopped', 'Expired',
];

/**
 * The statuses the job went through, in lifecycle order, with when each was first observed; times
 * never go back (instances' clocks may disagree by a little: a later status never shows an earlier
 * time than the one before it). A job seen
 * late gets SUBMITTED at its submitTime; a finish the gateway did not watch happen (the job was
 * first seen finished) gets the final status at its endTime; both `observed: false`. The
 * current status is always there, at its lastModifiedTime when no observation of it is recorded.
 */
export function timelineOf(job: ModelInvocationJob, history: JobHistory): TimelineEntry[] {
  const { firstSeen } = history;
  const entries: TimelineEntry[] = [];
  const derived = (status: JobStatus, at: Date | string | undefined) =>
    entries.push({ status, at: new Date(at ?? job.submitTime), observed: false });

  const final = isTerminalStatus(job.status) ? job.status : undefined;
  const finishedAt = final && firstSeen[final];
  // Watched finishing: seen unfinished before it was seen finished.
  const watchedFinish =
    finishedAt !== undefined &&
    Object.entries(firstSeen).some(([status, at]) => !isTerminalStatus(status) && (at as number) < finishedAt);

  for (const [status, at] of Object.entries(firstSeen) as Array<[JobStatus, number]>) {
    if (status === final && !watchedFinish) continue;
    entries.push({ status, at: new Date(at), observed: true });
  }
  if (firstSeen.Submitted === undefined) derived('Submitted', job.submitTime);
  if (final && !watchedFinish) derived(final, job.endTime ?? job.lastModifiedTime ?? (finishedAt === undefined ? undefined : new Date(finishedAt)));
  else if (job.status && firstSeen[job.status] === undefined && job.status !== 'Submitted') derived(job.status, job.lastModifiedTime);

  entries.sort((a, b) => LIFECYCLE.indexOf(a.status) - LIFECYCLE.indexOf(b.status));
  for (let i = 1; i < entries.length; i++) {
    const entry = entries[i] as TimelineEntry;
    const before = (entries[i - 1] as TimelineEntry).at;
    if (entry.at < before) entry.at = before;
  }
  return entries;
}
