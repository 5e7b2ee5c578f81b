// The per-job progress streams (`modelInvocationJobUpdated`): one for each IN_PROGRESS row, for its
// record counts, as many as the gateway allows on one connection; running rows beyond that wait
// for a free slot, top of the table first. Status changes come from the account-wide stream.
import { streamError } from './gateway-error.js';
import { PROGRESS_SUBSCRIPTION } from './operations.js';

/**
 * Most per-job progress streams at once. The gateway allows WS_MAX_SUBSCRIPTIONS_PER_CONNECTION
 * (default 100) operations per connection and one goes to the account-wide stream; when a lower
 * limit answers LIMIT_EXCEEDED, this page lowers its own cap to what the gateway accepted.
 */
const MAX_PROGRESS_STREAMS = 90;

/**
 * `subscribe(payload, sink)` is the graphql-ws client's; `currentView()` the number of the view
 * on show, whose answers alone count; `onJob(job)` takes each update; `rowsInOrder()` lists the
 * table's rows from the top.
 */
export function createProgressStreams({ subscribe, currentView, onJob, rowsInOrder }) {
  let open = 0;
  let cap = MAX_PROGRESS_STREAMS;

  /** Starts or ends a row's stream as its status now wants (only IN_PROGRESS counts change). */
  function sync(row) {
    const wanted = row.job.status === 'IN_PROGRESS' && !row.progressFailed;
    if (wanted && !row.stopProgress && open < cap) start(row);
    else if (!wanted && row.stopProgress) row.stopProgress();
  }

  function start(row) {
    const view = currentView();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      open -= 1;
      row.stopProgress = null;
      if (view === currentView()) fill();
    };
    open += 1;
    const unsubscribe = subscribe(
      { query: PROGRESS_SUBSCRIPTION, variables: { jobIdentifier: row.job.jobArn } },
      {
        next: (result) => {
          const job = result.data?.modelInvocationJobUpdated;
          if (job && view === currentView()) onJob(job);
        },
        error: (error) => {
          const problem = streamError(error);
          if (problem.code === 'LIMIT_EXCEEDED') {
            // The gateway allows fewer operations than we assumed: stay at what it accepted.
            cap = Math.max(0, open - 1);
          } else {
            row.progressFailed = true;
          }
          release();
        },
        complete: release,
      },
    );
    row.stopProgress = () => {
      unsubscribe();
      release();
    };
  }

  /** Starts the streams of running rows that wait for a free slot, top of the table first. */
  function fill() {
    for (const row of rowsInOrder()) {
      if (open >= cap) return;
      sync(row);
    }
  }

  return {
    sync,
    fill,
    /** A new API key may be allowed more operations: start again from the page's own cap. */
    resetCap() {
      cap = MAX_PROGRESS_STREAMS;
    },
  };
}
