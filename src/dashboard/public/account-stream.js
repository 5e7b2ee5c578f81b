// The jobs list's account-wide stream, `modelInvocationJobsChanged`: status changes of any job, new
// jobs too. It opens before the list's first page is read, so that a change made meanwhile is not
// lost: changes are held until that page is in the table, then applied in the order they came.
import { firstError, streamError } from './gateway-error.js';
import { CHANGES_SUBSCRIPTION } from './operations.js';

/**
 * `subscribe(payload, sink)` subscribes on the current graphql-ws client; `status` is the list's
 * view-status.js, whose current load alone is heard; `notices` the page's notices; `onChange(change)`
 * takes each `{ job, previousStatus }`.
 */
export function createAccountStream({ subscribe, status, notices, onChange }) {
  let unsubscribe = null;
  /** Changes that arrived before the first page; null once it is in the table. */
  let held = null;

  function showProblem(error, what) {
    notices.showProblem(error, what);
    status.showNotLive();
  }

  return {
    /** Opens the stream of load number `load` with the gateway's `filter`; holds changes until `release`. */
    start(load, filter) {
      held = [];
      unsubscribe = subscribe(
        { query: CHANGES_SUBSCRIPTION, variables: { filter } },
        {
          next: (result) => {
            if (!status.hears(load)) return;
            const change = result.data?.modelInvocationJobsChanged;
            if (!change) return showProblem(firstError(result.errors), 'Live updates failed');
            if (held) held.push(change);
            else onChange(change);
          },
          error: (error) => {
            if (status.hears(load)) showProblem(streamError(error), 'Live updates stopped');
          },
          complete: () => undefined,
        },
      );
    },

    /** The first page is in the table: applies the changes held back, and the next ones as they come. */
    release() {
      for (const change of held) onChange(change);
      held = null;
    },

    stop() {
      unsubscribe?.();
      unsubscribe = null;
      held = null;
    },
  };
}
