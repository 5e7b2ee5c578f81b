// The jobs table: its rows (jobId → row, shown newest first), how far the list has been loaded,
// and the caption, busy state, empty message and "Load more" button that go with them.
import { describeFilters } from './filters.js';
import { tickRow } from './job-row.js';
import { compareNewestFirst } from './jobs.js';

export function createJobTable({ table, caption, body, empty, loadMore }) {
  const rows = new Map();
  let hasNextPage = false;
  let endCursor = null;

  function inOrder() {
    return [...body.children].map((tr) => rows.get(tr.dataset.jobId)).filter(Boolean);
  }

  function updateCaption(filters) {
    const shown = rows.size;
    const unfinished = [...rows.values()].filter((row) => !row.job.isTerminal).length;
    const filter = describeFilters(filters);
    caption.textContent =
      `${shown} ${shown === 1 ? 'job' : 'jobs'}${hasNextPage ? ' (more below)' : ''}, newest first` +
      (filter.length ? `, ${filter.join(', ')}` : '') +
      ` · ${unfinished} unfinished`;
    empty.hidden = shown > 0 || table.getAttribute('aria-busy') === 'true';
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
      rows.clear();
      body.replaceChildren();
      table.setAttribute('aria-busy', 'true');
      caption.textContent = 'Loading jobs…';
      empty.hidden = true;
      loadMore.hidden = true;
    },

    finishLoading(filters) {
      table.setAttribute('aria-busy', 'false');
      updateCaption(filters);
    },

    setPageInfo(pageInfo) {
      hasNextPage = pageInfo.hasNextPage;
      endCursor = pageInfo.endCursor;
      loadMore.hidden = !hasNextPage;
    },

    setLoadingMore(loading) {
      loadMore.disabled = loading;
    },

    /** Whether a job not in the table sorts among the loaded pages (not below a page yet to load). */
    isWithinLoadedRange(job) {
      if (!hasNextPage) return true;
      const oldest = inOrder().at(-1);
      return !oldest || compareNewestFirst(job, oldest.job) <= 0;
    },

    /** Counts the rows, unfinished ones too, and names the filters; shows the empty message if none. */
    updateCaption,

    /** Unfinished rows' durations, and running rows' "in N min.", on the browser's clock. */
    tick() {
      for (const row of rows.values()) if (!row.job.isTerminal) tickRow(row);
    },
  };
}
