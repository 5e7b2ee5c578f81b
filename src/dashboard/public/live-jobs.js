// Fills the jobs table from the `modelInvocationJobs` query and keeps it live with two kinds of
// graphql-ws subscriptions on one WebSocket:
// - `modelInvocationJobsChanged` (one, account-wide): status changes of any job, new jobs too
//   (account-stream.js);
// - `modelInvocationJobUpdated` for each IN_PROGRESS row: its record counts (progress-streams.js).
// While an account-wide stream is open the gateway's poller reads list pages anyway, and those
// pages carry the running jobs' counts, so the per-job streams add no upstream calls beyond one
// lookup when each starts (none when another client already watches the job).
// The pages come from list-pages.js; what pages and streams bring goes into the rows through
// live-rows.js, which also runs the rows' Stop buttons (offered as stop-permission.js says), and
// view-status.js tells the masthead whether the list is live.
import { createAccountStream } from './account-stream.js';
import { gatewayFilter } from './filters.js';
import { describeProblem, errorCode } from './gateway-error.js';
import { createListPages } from './list-pages.js';
import { createLiveRows } from './live-rows.js';
import { createProgressStreams } from './progress-streams.js';
import { createStopPermission } from './stop-permission.js';
import { createViewStatus } from './view-status.js';

const FORBIDDEN_HINT = 'This API key is not allowed to read jobs (it needs jobs:read).';

/**
 * `table` is the job-table; `subscribe(payload, sink)` subscribes on the current graphql-ws client;
 * `filters` are the filters to start with; `notices` the page's notices; `viewer` who the API key
 * is (viewer.js); `askForApiKey()` opens the API key panel; `onProblem(text)` hears what is wrong
 * with the list ('Not loaded', 'Not live'), null once nothing is.
 */
export function createLiveJobs({ table, subscribe, filters: initialFilters, notices, viewer, askForApiKey, onProblem }) {
  let filters = initialFilters;
  const status = createViewStatus(onProblem);
  const permission = createStopPermission({ notices, askForApiKey });
  const liveRows = createLiveRows({
    table,
    notices,
    permission,
    filters: () => filters,
    syncProgress: (row) => progress.sync(row),
  });
  const progress = createProgressStreams({
    subscribe,
    currentView: () => status.current,
    onJob: liveRows.apply,
    rowsInOrder: table.rows.inOrder,
  });
  const changes = createAccountStream({ subscribe, status, notices, onChange: liveRows.applyChange });
  const pages = createListPages({ table, liveRows, progress, status, filters: () => filters });

  /** Empties the table and reads it afresh: the first page, and the streams that keep it live. */
  async function load() {
    const view = status.begin();
    stopStreams();
    table.startLoading();
    if (permission.forbidden) notices.showStopForbidden(permission.forbidden);
    else notices.hide();

    // Stream first, list second: a change that happens while the list loads is then not lost.
    changes.start(view, gatewayFilter(filters, false));
    try {
      const [page, who] = await Promise.all([pages.readFirst(), viewer.read()]);
      if (!status.isCurrent(view)) return;
      permission.setViewer(who.viewer);
      pages.add(page);
      changes.release();
      table.finishLoading(filters);
      status.showLoaded();
    } catch (error) {
      if (!status.isCurrent(view)) return;
      status.fail();
      stopStreams();
      // FORBIDDEN is this key's doing only when it lacks jobs:read; else Bedrock refused the gateway.
      const { viewer: who } = await viewer.read();
      if (!status.isCurrent(view)) return;
      notices.hide();
      table.showFailure(describeProblem(error, 'The jobs could not be loaded', who?.scopes.includes('jobs:read') ? '' : FORBIDDEN_HINT));
      status.showNotLoaded();
      if (errorCode(error) === 'UNAUTHENTICATED') askForApiKey();
    }
  }

  function stopStreams() {
    changes.stop();
    for (const row of table.rows.values()) row.stopProgress?.();
  }

  return {
    load,
    loadMore: pages.loadMore,
    setFilters(next) {
      filters = next;
    },
    /** A new API key brings new permissions: offer Stop again, and try the page's own stream cap. */
    forgetPermissions() {
      permission.forget();
      progress.resetCap();
    },
    /** Whether the live connection is up: Stop and "Load more" wait for it. */
    setOnline(value) {
      if (!permission.setOnline(value)) return;
      table.loadMore.setOnline(value);
      liveRows.renderAll();
    },
  };
}
