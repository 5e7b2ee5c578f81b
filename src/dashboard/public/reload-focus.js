// Keeps the keyboard through a reload of the jobs table, never dropping it to <body>: focus on a
// row, on Retry or on "Load more" when the table is emptied waits on the list's heading, then
// returns to that job's row, or the first row, or to Retry if the reload failed again.

/** What to focus when the focus was on the table but on no row: the first row. */
const FIRST_ROW = Symbol('first row');

/**
 * `heading` is the list's (focusable) heading; `body` holds the table's rows; `failure` holds the
 * `retry` button; `loadMore` is "Load more". `rowFor(jobId)` is that job's row, else the top row.
 */
export function createReloadFocus({ heading, body, failure, retry, loadMore }, { rowFor }) {
  /** The job whose row had the focus when the table was emptied (FIRST_ROW: some other part of it). */
  let refocus = null;

  return {
    /** The table is about to be emptied: a focus inside it waits on the heading. */
    hold() {
      const active = document.activeElement;
      if (active && active !== document.body && (body.contains(active) || failure.contains(active) || active === loadMore)) {
        refocus = active.closest('tr[data-job-id]')?.dataset.jobId ?? FIRST_ROW;
        heading.focus({ preventScroll: true });
      }
    },

    /** The reload is over: `failed` when it shows Retry instead of the table. */
    restore(failed) {
      if (refocus === null) return;
      // Unless the user has gone elsewhere meanwhile.
      const waiting = document.activeElement === heading || document.activeElement === document.body;
      if (!waiting) refocus = null;
      if (refocus === null) return;
      const target = failed ? retry : rowFor(refocus)?.name;
      refocus = null;
      target?.focus({ preventScroll: true });
    },
  };
}
