// The jobs list's rows, kept current: a job's latest state, from a list page, the account-wide
// stream, its progress stream or a stop's answer, goes into its row (or into a new row, when the
// job now belongs in the table), and never an older state over a newer one. Status changes and
// new jobs are announced. The rows' Stop buttons run here too, since a stop's answer is one more
// state of a job; stop-permission.js says where Stop is offered.
import { matchesFilters } from './filters.js';
import { errorCode, firstError } from './gateway-error.js';
import { graphql } from './graphql-http.js';
import { createJobRow, renderRow } from './job-row.js';
import { displayName, isOlder, statusLabel } from './jobs.js';
import { STOP_MUTATION } from './operations.js';

/**
 * `table` is the job-table; `notices` the page's notices; `permission` the stop-permission;
 * `filters()` the list's current filters; `syncProgress(row)` starts or ends the row's progress
 * stream as its job's status now wants (progress-streams.js).
 */
export function createLiveRows({ table, notices, permission, filters, syncProgress }) {
  /** A row for `job`, rendered, not yet in the table. */
  function create(job) {
    const row = createJobRow(job, { onStop: stop });
    render(row);
    return row;
  }

  function render(row) {
    renderRow(row, { matchesFilter: matchesFilters(filters(), row.job), ...permission.rowOptions });
  }

  function renderAll() {
    for (const row of table.rows.values()) render(row);
  }

  /** Puts a job's latest state into the table; returns its row, if it has (or gets) one. */
  function apply(job) {
    const row = table.rows.get(job.jobId);
    if (row) {
      if (isOlder(job, row.job)) return row;
      const previousStatus = row.job.status;
      row.job = job;
      if (previousStatus !== job.status) {
        row.error = '';
        notices.announce(`${displayName(job)}: ${statusLabel(job.status)}`);
      }
      render(row);
      syncProgress(row);
      table.updateCaption(filters());
      return row;
    }
    // A job the table does not show yet: a new one, or one that now matches the filter.
    if (!matchesFilters(filters(), job) || !table.isWithinLoadedRange(job)) return undefined;
    const created = create(job);
    table.rows.insert(created);
    syncProgress(created);
    table.updateCaption(filters());
    return created;
  }

  /** An account-wide stream's `{ job, previousStatus }`. */
  function applyChange({ job, previousStatus }) {
    const isNew = previousStatus === null && !table.rows.has(job.jobId);
    const row = apply(job);
    if (row && isNew) notices.announce(`New job ${displayName(job)}, ${statusLabel(job.status)}`);
  }

  async function stop(row) {
    const name = displayName(row.job);
    if (!confirm(`Stop the job “${name}”? A stopped job cannot be resumed.`)) return;
    row.stopping = true;
    row.error = '';
    render(row);
    try {
      const result = await graphql(STOP_MUTATION, { jobIdentifier: row.job.jobArn });
      const job = result.data?.stopModelInvocationJob;
      if (!job) throw firstError(result.errors);
      apply(job);
    } catch (error) {
      row.error = `Could not stop (${errorCode(error)}): ${error.message}`;
      permission.refused(error);
    } finally {
      row.stopping = false;
      renderAll();
    }
  }

  return { create, apply, applyChange, renderAll };
}
