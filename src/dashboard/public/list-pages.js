// The jobs list's pages of `modelInvocationJobs`, PAGE_SIZE jobs each: the first of every (re)load,
// and the next one on "Load more". A job of a page that the table already shows (a stream brought
// it first, or an earlier page) updates its row instead of adding one.
import { gatewayFilter } from './filters.js';
import { describeProblem, firstError } from './gateway-error.js';
import { graphql } from './graphql-http.js';
import { LIST_QUERY } from './operations.js';

/** Jobs per list page. */
const PAGE_SIZE = 50;

/**
 * `table` is the job-table; `liveRows` the live-rows; `progress` the progress-streams; `status` the
 * list's view-status, whose current load alone takes a page; `filters()` the list's current filters.
 */
export function createListPages({ table, liveRows, progress, status, filters }) {
  /** Adds a page's jobs to the table; returns the rows it added (not those it updated). */
  function add(connection) {
    const added = [];
    for (const job of connection.nodes) {
      if (table.rows.has(job.jobId)) liveRows.apply(job);
      else {
        const row = liveRows.create(job);
        table.rows.append(row);
        added.push(row);
      }
    }
    table.loadMore.setPageInfo(connection.pageInfo);
    progress.fill();
    table.updateCaption(filters());
    return added;
  }

  return {
    /** Reads the first page, which the (re)load `add`s once it knows the viewer too (for Stop). */
    readFirst: () => fetchPage(filters(), null),
    add,

    async loadMore() {
      const view = status.current;
      const hadFocus = table.loadMore.hasFocus;
      table.loadMore.setLoading(true);
      try {
        const page = await fetchPage(filters(), table.loadMore.endCursor);
        if (!status.isCurrent(view)) return;
        const added = add(page);
        // The keyboard goes on where the new rows start (or at the end, if none was new).
        if (hadFocus) (added[0] ?? table.rows.inOrder().at(-1))?.name.focus();
      } catch (error) {
        if (status.isCurrent(view)) table.loadMore.showFailure(describeProblem(error, 'More jobs could not be loaded'));
      } finally {
        table.loadMore.setLoading(false);
      }
    },
  };
}

/** The list page after `after` (null: the first), with the gateway's form of `filters`. */
async function fetchPage(filters, after) {
  const result = await graphql(LIST_QUERY, { filter: gatewayFilter(filters, true), first: PAGE_SIZE, after });
  const connection = result.data?.modelInvocationJobs;
  if (!connection) throw firstError(result.errors);
  return connection;
}
