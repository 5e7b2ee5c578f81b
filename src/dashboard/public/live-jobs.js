// Fills the jobs table from the `modelInvocationJobs` query and keeps it live with two kinds of
// graphql-ws subscriptions on one WebSocket:
// - `modelInvocationJobsChanged` (one, account-wide): status changes of any job, new jobs too;
// - `modelInvocationJobUpdated` for each IN_PROGRESS row: its record counts (progress-streams.js).
// While an account-wide stream is open the gateway's poller reads list pages anyway, and those
// pages carry the running jobs' counts, so the per-job streams add no upstream calls beyond one
// lookup when each starts (none when another client already watches the job).
// Also runs the rows' Stop buttons, since a stop's answer is one more state of a job: offered only
// to a key with jobs:write (viewer.js), and only while the live connection is up.
import { gatewayFilter, matchesFilters } from './filters.js';
import { describeProblem, errorCode, firstError, streamError } from './gateway-error.js';
import { graphql } from './graphql-http.js';
import { createJobRow, renderRow } from './job-row.js';
import { displayName, isOlder, statusLabel } from './jobs.js';
import { CHANGES_SUBSCRIPTION, LIST_QUERY, STOP_MUTATION } from './operations.js';
import { createProgressStreams } from './progress-streams.js';
import { allows } from './viewer.js';

/** Jobs per list page. */
const PAGE_SIZE = 50;
const FORBIDDEN_HINT = 'This API key is not allowed to read jobs (it needs jobs:read).';

/**
 * `table` is the job-table; `subscribe(payload, sink)` subscribes on the current graphql-ws client;
 * `filters` are the filters to start with; `notices` the page's notices; `viewer` who the API key
 * is (viewer.js); `askForApiKey()` opens the API key panel; `onProblem(text)` hears what is wrong
 * with the list ('Not loaded', 'Not live'), null once nothing is.
 */
export function createLiveJobs({ table, subscribe, filters: initialFilters, notices, viewer, askForApiKey, onProblem }) {
  let filters = initialFilters;
  /** Bumped by every (re)load; callbacks of an older view ignore themselves. */
  let latestView = 0;
  /** Account-wide events that arrived before the first page; applied after it. */
  let pending = null;
  let stopAccountStream = null;
  /** Whether the key may stop jobs, as `viewer` says (true while it cannot say). */
  let mayStop = true;
  /** Why a stop answered FORBIDDEN, once one has: the Stop buttons are hidden until the key changes. */
  let stopForbidden = null;
  /** Whether the live connection is up: Stop waits for it. */
  let online = false;
  /** The current view's first page could not be read: the failure says why, streams say nothing more. */
  let failed = false;
  /** The current view's account-wide stream failed: the list is not live, whatever the socket says. */
  let streamFailed = false;
  const progress = createProgressStreams({
    subscribe,
    currentView: () => latestView,
    onJob: applyJob,
    rowsInOrder: table.inOrder,
  });

  /** Empties the table and reads it afresh: the first page, and the streams that keep it live. */
  async function load() {
    const view = ++latestView;
    failed = false;
    streamFailed = false;
    stopStreams();
    table.startLoading();
    if (stopForbidden) notices.showStopForbidden(stopForbidden);
    else notices.hide();

    // Stream first, list second: a change that happens while the list loads is then not lost.
    pending = [];
    startAccountStream(view);
    try {
      const [page, who] = await Promise.all([fetchPage(null), viewer.read()]);
      if (view !== latestView) return;
      mayStop = allows(who.viewer, 'jobs:write');
      addPage(page);
      for (const event of pending) applyChange(event);
      pending = null;
      table.finishLoading(filters);
      onProblem(streamFailed ? 'Not live' : null);
    } catch (error) {
      if (view !== latestView) return;
      pending = null;
      failed = true;
      stopStreams();
      // FORBIDDEN is this key's doing only when it lacks jobs:read; else Bedrock refused the gateway.
      const { viewer: who } = await viewer.read();
      if (view !== latestView) return;
      notices.hide();
      table.showFailure(describeProblem(error, 'The jobs could not be loaded', who?.scopes.includes('jobs:read') ? '' : FORBIDDEN_HINT));
      onProblem('Not loaded');
      if (errorCode(error) === 'UNAUTHENTICATED') askForApiKey();
    }
  }

  async function loadMore() {
    const view = latestView;
    const hadFocus = table.loadMoreHasFocus;
    table.setLoadingMore(true);
    try {
      const page = await fetchPage(table.endCursor);
      if (view !== latestView) return;
      const added = addPage(page);
      // The keyboard goes on where the new rows start (or at the end, if none was new).
      if (hadFocus) (added[0] ?? table.inOrder().at(-1))?.name.focus();
    } catch (error) {
      if (view === latestView) table.showLoadMoreFailure(describeProblem(error, 'More jobs could not be loaded'));
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

  /** Adds a page's jobs to the table; returns the rows it added (not those it updated). */
  function addPage(connection) {
    const added = [];
    for (const job of connection.nodes) {
      if (table.has(job.jobId)) applyJob(job);
      else {
        const row = createRow(job);
        table.append(row);
        added.push(row);
      }
    }
    table.setPageInfo(connection.pageInfo);
    progress.fill();
    table.updateCaption(filters);
    return added;
  }

  function startAccountStream(view) {
    stopAccountStream = subscribe(
      { query: CHANGES_SUBSCRIPTION, variables: { filter: gatewayFilter(filters, false) } },
      {
        next: (result) => {
          if (view !== latestView || failed) return;
          const change = result.data?.modelInvocationJobsChanged;
          if (!change) return showStreamProblem(firstError(result.errors), 'Live updates failed');
          if (pending) pending.push(change);
          else applyChange(change);
        },
        error: (error) => {
          if (view === latestView && !failed) showStreamProblem(streamError(error), 'Live updates stopped');
        },
        complete: () => undefined,
      },
    );
  }

  function showStreamProblem(error, what) {
    streamFailed = true;
    notices.showProblem(error, what);
    onProblem('Not live');
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
    renderRow(row, { matchesFilter: matchesFilters(filters, row.job), canStop: mayStop && !stopForbidden, online });
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
        stopForbidden = error.message;
        notices.showStopForbidden(stopForbidden);
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
      mayStop = true;
      stopForbidden = null;
      progress.resetCap();
    },
    /** Whether the live connection is up: Stop and "Load more" wait for it. */
    setOnline(value) {
      if (value === online) return;
      online = value;
      table.setOnline(value);
      for (const row of table.values()) render(row);
    },
  };
}
