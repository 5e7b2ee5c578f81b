// Fills the jobs table from the `modelInvocationJobs` query and keeps it live with two kinds of
// graphql-ws subscriptions on one WebSocket:
// - `modelInvocationJobsChanged` (one, account-wide): status changes of any job, new jobs too;
// - `modelInvocationJobUpdated` for each IN_PROGRESS row: its record counts (progress-streams.js).
// While an account-wide stream is open the gateway's poller reads list pages anyway, and those
// pages carry the running jobs' counts, so the per-job streams add no upstream calls beyond one
// lookup when each starts (none when another client already watches the job).
// Also runs the rows' Stop buttons, since a stop's answer is one more state of a job.
import { gatewayFilter, matchesFilters } from './filters.js';
import { errorCode, firstError, streamError } from './gateway-error.js';
import { graphql } from './graphql-http.js';
import { createJobRow, renderRow } from './job-row.js';
import { displayName, isOlder, statusLabel } from './jobs.js';
import { CHANGES_SUBSCRIPTION, LIST_QUERY, STOP_MUTATION } from './operations.js';
import { createProgressStreams } from './progress-streams.js';

/** Jobs per list page. */
const PAGE_SIZE = 50;

/**
 * `table` is the job-table; `subscribe(payload, sink)` subscribes on the current graphql-ws client;
 * `filters` are the filters to start with; `notices` the page's notices; `askForApiKey()` opens
 * the API key panel.
 */
export function createLiveJobs({ table, subscribe, filters: initialFilters, notices, askForApiKey }) {
  let filters = initialFilters;
  /** Bumped by every (re)load; callbacks of an older view ignore themselves. */
  let latestView = 0;
  /** Account-wide events that arrived before the first page; applied after it. */
  let pending = null;
  let stopAccountStream = null;
  /** False once a stop answered FORBIDDEN: the Stop buttons are hidden until the key changes. */
  let canStop = true;
  const progress = createProgressStreams({
    subscribe,
    currentView: () => latestView,
    onJob: applyJob,
    rowsInOrder: table.inOrder,
  });

  /** Empties the table and reads it afresh: the first page, and the streams that keep it live. */
  async function load() {
    const view = ++latestView;
    stopStreams();
    table.startLoading();
    if (canStop) notices.hide();
    else notices.showStopForbidden();

    // Stream first, list second: a change that happens while the list loads is then not lost.
    pending = [];
    startAccountStream(view);
    try {
      const page = await fetchPage(null);
      if (view !== latestView) return;
      addPage(page);
      for (const event of pending) applyChange(event);
      pending = null;
    } catch (error) {
      if (view !== latestView) return;
      pending = null;
      notices.showProblem(error, 'The jobs could not be loaded');
    } finally {
      if (view === latestView) table.finishLoading(filters);
    }
  }

  async function loadMore() {
    const view = latestView;
    table.setLoadingMore(true);
    try {
      const page = await fetchPage(table.endCursor);
      if (view === latestView) addPage(page);
    } catch (error) {
      if (view === latestView) notices.showProblem(error, 'More jobs could not be loaded');
    } finally {
      table.setLoadingMore(false);
    }
  }

  async function fetchPage(after) {
    const result = await graphql(LIST_QUERY, { filter: gatewayFilter(filters, true), first: PAGE_SIZE, after });
    const connection = result.data?.modelInvocationJobs;
    if (!connection) throw firstError(result.errors);
    return connection;
  }

  function addPage(connection) {
    for (const job of connection.nodes) {
      if (table.has(job.jobId)) applyJob(job);
      else table.append(createRow(job));
    }
    table.setPageInfo(connection.pageInfo);
    progress.fill();
    table.updateCaption(filters);
  }

  function startAccountStream(view) {
    stopAccountStream = subscribe(
      { query: CHANGES_SUBSCRIPTION, variables: { filter: gatewayFilter(filters, false) } },
      {
        next: (result) => {
          if (view !== latestView) return;
          const change = result.data?.modelInvocationJobsChanged;
          if (!change) return notices.showProblem(firstError(result.errors), 'Live updates failed');
          if (pending) pending.push(change);
          else applyChange(change);
        },
        error: (error) => {
          if (view === latestView) notices.showProblem(streamError(error), 'Live updates stopped');
        },
        complete: () => undefined,
      },
    );
  }

  function stopStreams() {
    stopAccountStream?.();
    stopAccountStream = null;
    for (const row of table.values()) row.stopProgress?.();
  }

  function applyChange({ job, previousStatus }) {
    const isNew = previousStatus === null && !table.has(job.jobId);
    const row = applyJob(job);
    if (row && isNew) notices.announce(`New job ${displayName(job)}, ${statusLabel(job.status)}`);
  }

  /** Puts a job's latest state into the table; returns its row, if it has (or gets) one. */
  function applyJob(job) {
    const row = table.get(job.jobId);
    if (row) {
      if (isOlder(job, row.job)) return row;
      const previousStatus = row.job.status;
      row.job = job;
      if (previousStatus !== job.status) {
        row.error = '';
        notices.announce(`${displayName(job)}: ${statusLabel(job.status)}`);
      }
      render(row);
      progress.sync(row);
      table.updateCaption(filters);
      return row;
    }
    // A job the table does not show yet: a new one, or one that now matches the filter.
    if (!matchesFilters(filters, job) || !table.isWithinLoadedRange(job)) return undefined;
    const created = createRow(job);
    table.insert(created);
    progress.sync(created);
    table.updateCaption(filters);
    return created;
  }

  function createRow(job) {
    const row = createJobRow(job, { onStop: stopJob });
    render(row);
    return row;
  }

  function render(row) {
    renderRow(row, { matchesFilter: matchesFilters(filters, row.job), canStop });
  }

  async function stopJob(row) {
    const name = displayName(row.job);
    if (!confirm(`Stop the job “${name}”? A stopped job cannot be resumed.`)) return;
    row.stopping = true;
    row.error = '';
    render(row);
    try {
      const result = await graphql(STOP_MUTATION, { jobIdentifier: row.job.jobArn });
      const job = result.data?.stopModelInvocationJob;
      if (!job) throw firstError(result.errors);
      applyJob(job);
    } catch (error) {
      const code = errorCode(error);
      row.error = `Could not stop (${code}): ${error.message}`;
      if (code === 'FORBIDDEN') {
        canStop = false;
        notices.showStopForbidden();
      } else if (code === 'UNAUTHENTICATED') {
        askForApiKey();
      }
    } finally {
      row.stopping = false;
      for (const each of table.values()) render(each);
    }
  }

  return {
    load,
    loadMore,
    setFilters(next) {
      filters = next;
    },
    /** A new API key brings new permissions: offer Stop again, and try the page's own stream cap. */
    forgetPermissions() {
      canStop = true;
      progress.resetCap();
    },
  };
}
