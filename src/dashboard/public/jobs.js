// What the page knows about a job record: how its status and progress read, which statuses can
// still be stopped, the name to show, and the order and recency rules the table keeps.
import { formatCount } from './format.js';

export const STATUS_LABELS = {
  SUBMITTED: 'Submitted',
  VALIDATING: 'Validating',
  SCHEDULED: 'Scheduled',
  IN_PROGRESS: 'In progress',
  STOPPING: 'Stopping',
  COMPLETED: 'Completed',
  PARTIALLY_COMPLETED: 'Partially completed',
  FAILED: 'Failed',
  STOPPED: 'Stopped',
  EXPIRED: 'Expired',
};
const STOPPABLE = new Set(['SUBMITTED', 'VALIDATING', 'SCHEDULED', 'IN_PROGRESS']);

/** The label of a status; the status itself when it is one this page does not know. */
export function statusLabel(status) {
  return STATUS_LABELS[status] ?? status;
}

/** The status chip's class: `chip chip-partially-completed`, say. */
export function statusChipClass(status) {
  return `chip chip-${(status ?? 'unknown').toLowerCase().replace(/_/g, '-')}`;
}

/** `{ percent, text }`: percent is null while the total is unknown, e.g. `40% · 800 / 2,000 · 3 failed`. */
export function describeProgress(job) {
  if (job.progress === null || job.progress === undefined) {
    return { percent: null, text: job.totalRecordCount ? `${formatCount(job.totalRecordCount)} records` : '—' };
  }
  const percent = Math.floor(job.progress * 100);
  const failed = job.errorRecordCount ? ` · ${formatCount(job.errorRecordCount)} failed` : '';
  return {
    percent,
    text: `${percent}% · ${formatCount(job.processedRecordCount)} / ${formatCount(job.totalRecordCount)}${failed}`,
  };
}

/** From submission to the end, or to now while the job is unfinished. */
export function jobDuration(job) {
  const start = Date.parse(job.submitTime);
  const end = job.isTerminal ? Date.parse(job.endTime ?? job.lastModifiedTime ?? job.submitTime) : Date.now();
  return end - start;
}

export function isStoppable(job) {
  return STOPPABLE.has(job.status);
}

export function displayName(job) {
  return job.jobName || job.jobId;
}

/** Negative when `a` comes first in newest-first order (by submit time, then id, like the list). */
export function compareNewestFirst(a, b) {
  const byTime = Date.parse(b.submitTime) - Date.parse(a.submitTime);
  return byTime !== 0 ? byTime : a.jobId < b.jobId ? 1 : a.jobId > b.jobId ? -1 : 0;
}

/** Streams and mutation answers can cross: never let an older state overwrite a newer one. */
export function isOlder(job, than) {
  return Date.parse(job.lastModifiedTime) < Date.parse(than.lastModifiedTime);
}
