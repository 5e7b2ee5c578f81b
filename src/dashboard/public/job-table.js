// The jobs table: its rows (table-rows.js) and what goes with them: the caption, the busy state,
// the empty message, the failure (with Retry) that takes the table's place when the list could not
// be read, and "Load more" (load-more.js). A list that failed is never shown as an empty one, and
// the keyboard stays in place while the table reloads (reload-focus.js).
import { describeFilters, matchesFilters } from './filters.js';
import { createLoadMore } from './load-more.js';
import { createReloadFocus } from './reload-focus.js';
import { createTableRows } from './table-rows.js';

/**
 * `heading` is the list's (focusable) heading; `failure` holds `failureText` and the `retry`
 * button; `moreError` says why "Load more" failed. `onLoadMore()` runs on its button unless that
 * is unavailable (a page loading, or no live connection). `onRetry()` runs on Retry whenever it is
 * clicked, the connection down or not: it reads the list over HTTP, which works while the socket
 * reconnects, and the list's streams start once the socket is back.
 */
export function createJobTable(elements, { onRetry, onLoadMore }) {
  const { heading, table, caption, body, empty, failure, failureText, retry } = elements;
  const rows = createTableRows(body);
  const loadMore = createLoadMore({ button: elements.loadMore, error: elements.moreError }, { onLoadMore });
  const focus = createReloadFocus(
    { heading, body, failure, retry, loadMore: elements.loadMore },
    { rowFor: (jobId) => rows.get(jobId) ?? rows.inOrder()[0] },
  );
  /** 'loading', 'loaded' or 'failed'. */
  let state = 'loading';

  retry.addEventListener('click', () => onRetry());

  /** Counts the rows that match the filters (unfinished ones too) and names the filters. */
  function updateCaption(filters) {
    if (state === 'failed') return;
    caption.textContent = describeRows([...rows.values()], filters, loadMore.hasNextPage);
    empty.textContent = filters.name
      ? 'No jobs match these filters. The name filter is case-sensitive.'
      : 'No jobs match these filters.';
    empty.hidden = rows.size > 0 || state !== 'loaded';
  }

  return {
    rows,
    loadMore,

    /** Empties the table and shows that it is loading. */
    startLoading() {
      focus.hold();
      state = 'loading';
      rows.clear();
      table.hidden = false;
      table.setAttribute('aria-busy', 'true');
      caption.textContent = 'Loading jobs…';
      empty.hidden = true;
      failure.hidden = true;
      loadMore.reset();
    },

    finishLoading(filters) {
      state = 'loaded';
      table.setAttribute('aria-busy', 'false');
      updateCaption(filters);
      loadMore.setListed(true);
      focus.restore(false);
    },

    /** The list could not be read: `text` says why, with Retry, in place of the table. */
    showFailure(text) {
      state = 'failed';
      rows.clear();
      table.hidden = true;
      table.setAttribute('aria-busy', 'false');
      empty.hidden = true;
      failureText.textContent = text;
      failure.hidden = false;
      loadMore.setListed(false);
      focus.restore(true);
    },

    updateCaption,

    /** Whether a job not in the table sorts among the loaded pages (not below a page yet to load). */
    isWithinLoadedRange: (job) => !loadMore.hasNextPage || rows.sortsAboveBottom(job),
  };
}

/** The caption: how many rows match `filters`, how many of them are unfinished, and how many do not. */
function describeRows(rows, filters, hasNextPage) {
  const matching = rows.filter((row) => matchesFilters(filters, row.job));
  const unfinished = matching.filter((row) => !row.job.isTerminal).length;
  // Rows that changed since they were listed stay, dimmed, until the next reload.
  const outside = rows.length - matching.length;
  const filter = describeFilters(filters);
  return (
    `${matching.length} ${matching.length === 1 ? 'job' : 'jobs'}${hasNextPage ? ' (more below)' : ''}, newest first` +
    (filter.length ? `, ${filter.join(', ')}` : '') +
    ` · ${unfinished} unfinished` +
    (outside > 0 ? ` · ${outside} more shown that no longer ${outside === 1 ? 'matches' : 'match'}` : '')
  );
}
