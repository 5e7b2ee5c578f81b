// The jobs table: its rows (jobId → row, shown newest first), how far the list has been loaded,
// and what goes with them: the caption, the busy state, the empty message, the failure (with
// Retry) that takes the table's place when the list could not be read, and "Load more". A list
// that failed is never shown as an empty one.
//
// The keyboard is never dropped to <body>: focus on a row (or on Retry) when the table is emptied
// for a reload waits on the list's heading, then returns to that job's row, or the first row, or
// to Retry if the reload failed again.
import { isUnavailable, OFFLINE_REASON, setUnavailable } from './button-availability.js';
import { describeFilters, matchesFilters } from './filters.js';
import { tickRow } from './job-row.js';
import { compareNewestFirst } from './jobs.js';

const LOAD_MORE_LABEL = 'Load more jobs';
/** `refocus` when the focus was on the table but on no row: the first row takes it. */
const FIRST_ROW = Symbol('first row');

/**
 * `heading` is the list's (focusable) heading; `failure` holds `failureText` and the `retry`
 * button; `moreError` says why "Load more" failed. `onLoadMore()` runs on its button unless that
 * is unavailable (a page loading, or no live connection: setOnline). `onRetry()` runs on Retry
 * whenever it is clicked, the connection down or not: it reads the list over HTTP, which works
 * while the socket reconnects, and the list's streams start once the socket is back.
 */
export function createJobTable(elements, { onRetry, onLoadMore }) {
  const { heading, table, caption, body, empty, failure, failureText, retry, loadMore, moreError } = elements;
  const rows = new Map();
  let hasNextPage = false;
  let endCursor = null;
  /** 'loading', 'loaded' or 'failed'. */
  let state = 'loading';
  let loadingMore = false;
  let online = false;
  /** The job whose row had the focus when the table was emptied (FIRST_ROW: some other part of it). */
  let refocus = null;

  retry.addEventListener('click', () => onRetry());
  loadMore.addEventListener('click', () => {
    if (!isUnavailable(loadMore)) onLoadMore();
  });

  function inOrder() {
    return [...body.children].map((tr) => rows.get(tr.dataset.jobId)).filter(Boolean);
  }

  /** Counts the rows that match the filters (unfinished ones too) and names the filters. */
  function updateCaption(filters) {
    if (state === 'failed') return;
    const matching = [...rows.values()].filter((row) => matchesFilters(filters, row.job));
    const unfinished = matching.filter((row) => !row.job.isTerminal).length;
    // Rows that changed since they were listed stay, dimmed, until the next reload.
    const outside = rows.size - matching.length;
    const filter = describeFilters(filters);
    caption.textContent =
      `${matching.length} ${matching.length === 1 ? 'job' : 'jobs'}${hasNextPage ? ' (more below)' : ''}, newest first` +
      (filter.length ? `, ${filter.join(', ')}` : '') +
      ` · ${unfinished} unfinished` +
      (outside > 0 ? ` · ${outside} more shown that no longer ${outside === 1 ? 'matches' : 'match'}` : '');
    empty.textContent = filters.name
      ? 'No jobs match these filters. The name filter is case-sensitive.'
      : 'No jobs match these filters.';
    empty.hidden = rows.size > 0 || state !== 'loaded';
  }

  function renderLoadMore() {
    loadMore.hidden = !hasNextPage || state !== 'loaded';
    loadMore.textContent = loadingMore ? 'Loading more jobs…' : LOAD_MORE_LABEL;
    setUnavailable(loadMore, loadingMore || !online, loadingMore ? '' : OFFLINE_REASON);
  }

  /** Gives the focus back after a reload (see the file's header). */
  function restoreFocus() {
    if (refocus === null) return;
    // Unless the user has gone elsewhere meanwhile.
    const waiting = document.activeElement === heading || document.activeElement === document.body;
    if (!waiting) refocus = null;
    if (refocus === null) return;
    const target = state === 'failed' ? retry : (rows.get(refocus)?.name ?? inOrder()[0]?.name);
    refocus = null;
    target?.focus({ preventScroll: true });
  }

  return {
    get: (jobId) => rows.get(jobId),
    has: (jobId) => rows.has(jobId),
    values: () => rows.values(),
    /** The rows from the top of the table down. */
    inOrder,
    /** Where the next list page starts. */
    get endCursor() {
      return endCursor;
    },

    append(row) {
      rows.set(row.job.jobId, row);
      body.append(row.tr);
    },

    /** Inserts at the job's place in newest-first order. */
    insert(row) {
      const before = inOrder().find((other) => compareNewestFirst(row.job, other.job) < 0);
      rows.set(row.job.jobId, row);
      body.insertBefore(row.tr, before?.tr ?? null);
    },

    /** Empties the table and shows that it is loading. */
    startLoading() {
      const active = document.activeElement;
      if (active && active !== document.body && (body.contains(active) || failure.contains(active) || active === loadMore)) {
        refocus = active.closest('tr[data-job-id]')?.dataset.jobId ?? FIRST_ROW;
        heading.focus({ preventScroll: true });
      }
      state = 'loading';
      rows.clear();
      body.replaceChildren();
      table.hidden = false;
      table.setAttribute('aria-busy', 'true');
      caption.textContent = 'Loading jobs…';
      empty.hidden = true;
      failure.hidden = true;
      moreError.hidden = true;
      hasNextPage = false;
      renderLoadMore();
    },

    finishLoading(filters) {
      state = 'loaded';
      table.setAttribute('aria-busy', 'false');
      updateCaption(filters);
      renderLoadMore();
      restoreFocus();
    },

    /** The list could not be read: `text` says why, with Retry, in place of the table. */
    showFailure(text) {
      state = 'failed';
      rows.clear();
      body.replaceChildren();
      table.hidden = true;
      table.setAttribute('aria-busy', 'false');
      empty.hidden = true;
      failureText.textContent = text;
      failure.hidden = false;
      renderLoadMore();
      restoreFocus();
    },

    setPageInfo(pageInfo) {
      hasNextPage = pageInfo.hasNextPage;
      endCursor = pageInfo.endCursor;
      renderLoadMore();
    },

    setLoadingMore(loading) {
      loadingMore = loading;
      if (loading) moreError.hidden = true;
      renderLoadMore();
    },

    /** Why the last "Load more" failed; the button stays, to try again. */
    showLoadMoreFailure(text) {
      moreError.textContent = text;
      moreError.hidden = false;
    },

    /** Whether the keyboard is on "Load more" (the first new row then takes it). */
    get loadMoreHasFocus() {
      return document.activeElement === loadMore;
    },

    /** Whether the live connection is up: "Load more" waits for it, as Stop does (Retry does not). */
    setOnline(value) {
      online = value;
      renderLoadMore();
    },

    /** Whether a job not in the table sorts among the loaded pages (not below a page yet to load). */
    isWithinLoadedRange(job) {
      if (!hasNextPage) return true;
      const oldest = inOrder().at(-1);
      return !oldest || compareNewestFirst(job, oldest.job) <= 0;
    },

    updateCaption,

    /** Unfinished rows' durations, and running rows' "in N min.", on the browser's clock. */
    tick() {
      for (const row of rows.values()) if (!row.job.isTerminal) tickRow(row);
    },
  };
}
