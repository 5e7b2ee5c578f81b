// The "Failed records" section of a finished job's view: the records (failed-records.js) and
// "Retry failed records" (retry-form.js), offered where the gateway has the mutation
// (capabilities.js) and the API key may use it (viewer.js); where the key lacks a scope, a note
// says which instead. Hidden while the job runs, and for a job without an output location.
import { createFailedRecords } from './failed-records.js';
import { createRetryForm } from './retry-form.js';
import { allows } from './viewer.js';

/** retryFailedRecords reads the records it retries: it needs both. */
const RETRY_SCOPES = ['jobs:write', 'results:read'];

/**
 * `records` and `retry` are the elements of failed-records.js and retry-form.js; `fetchPage(after)`
 * reads the next page of failed records; `announce(text)` tells screen readers what "Load more"
 * added; `askForApiKey()` opens the API key panel.
 */
export function createFailedPanel({ records: recordElements, retry: retryElements }, { fetchPage, announce, askForApiKey }) {
  const records = createFailedRecords({ ...recordElements, announce }, { fetchPage });
  const retry = createRetryForm(retryElements, { askForApiKey });

  return {
    /**
     * Shows the failed records of `job` as the view's query read it (`problem`: why they could not
     * be read), and offers their retry where `hasRetry` (capabilities.js) and `viewer` allow.
     */
    render(job, problem, { hasRetry, viewer }) {
      // Nothing to show before the job has finished, nor without an output location in S3.
      if (!job.isTerminal || (!job.failed && !problem)) {
        retry.offer(job, false);
        return records.hide();
      }
      const total = job.results?.manifest?.errorRecordCount ?? null;
      records.reset(total);
      records.showFirstPage(job.failed?.records, problem);
      const count = total ?? job.failed?.records.nodes.length ?? 0;
      const retryable = !problem && count > 0 && hasRetry;
      const lacks = RETRY_SCOPES.filter((scope) => !allows(viewer, scope));
      // Said where the form would be, rather than found out on submitting it, naming what is missing.
      const note =
        retryable && lacks.length > 0
          ? `Retrying failed records needs the ${lacks.join(' and ')} scope${lacks.length > 1 ? 's' : ''}, which this API key does not have.`
          : '';
      retry.offer(job, retryable && lacks.length === 0, total, note);
    },
    /** Another job's view: forget this one's retry. */
    reset: () => retry.reset(),
    /** A new API key may be allowed to retry. */
    forgetPermissions: () => retry.forgetPermissions(),
    /** Whether the live connection is up: "Load more" and Retry wait for it. */
    setOnline(online) {
      records.setOnline(online);
      retry.setOnline(online);
    },
    loadMore: () => records.loadMore(),
  };
}
