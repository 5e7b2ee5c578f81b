// A running job's view kept live with `modelInvocationJobUpdated`: each newer state of the job
// while it runs, then its final status, at which the view reads everything again (the results
// exist then). The stream ends with the load that started it.
import { firstError, streamError } from './gateway-error.js';
import { isOlder } from './jobs.js';
import { JOB_SUBSCRIPTION } from './operations.js';

/**
 * `subscribe(payload, sink)` subscribes on the current graphql-ws client; `status` is the view's
 * view-status.js, whose current load alone is heard.
 */
export function createJobStream({ subscribe, status }) {
  let unsubscribe = null;

  return {
    /**
     * Follows `job`, as load number `load` read it: `onUpdate(next)` takes each newer state while
     * the job runs, `onFinished()` runs at its final status, `onProblem(error)` when the stream fails.
     */
    start(job, load, { onUpdate, onFinished, onProblem }) {
      let latest = job;
      unsubscribe = subscribe(
        { query: JOB_SUBSCRIPTION, variables: { jobIdentifier: job.jobArn } },
        {
          next: (result) => {
            if (!status.isCurrent(load)) return;
            const next = result.data?.modelInvocationJobUpdated;
            if (!next) return onProblem(firstError(result.errors));
            if (isOlder(next, latest)) return;
            if (next.isTerminal) return onFinished();
            latest = next;
            onUpdate(next);
          },
          error: (problem) => {
            if (status.isCurrent(load)) onProblem(streamError(problem));
          },
          complete: () => {
            if (status.isCurrent(load)) unsubscribe = null;
          },
        },
      );
    },

    stop() {
      unsubscribe?.();
      unsubscribe = null;
    },
  };
}
