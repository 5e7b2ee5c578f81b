// What a job's view shows, section by section: the top (job-details.js) and the timeline, which
// follow the job while it runs; the results (job-results.js) and the failed records
// (failed-panel.js), drawn from each read of the view's query; and the view's own states around
// them: loading, the error in the job's place when it cannot be read, and a problem above it when
// it could not be read again or its live updates stopped. The document's title names the job.
import { createFailedPanel } from './failed-panel.js';
import { createJobDetails } from './job-details.js';
import { createJobResults } from './job-results.js';
import { createJobTimeline } from './job-timeline.js';
import { displayName, statusLabel } from './jobs.js';

/**
 * `elements` are the view's (dashboard.js); `fetchFailedPage(after)` reads the next page of the
 * job's failed records; `askForApiKey()` opens the API key panel.
 */
export function createJobSections(elements, { fetchFailedPage, askForApiKey }) {
  const { root, title, error, body, liveError, announcer } = elements;
  const pageTitle = document.title;
  const details = createJobDetails(elements.details);
  const timeline = createJobTimeline(elements.timeline);
  const results = createJobResults(elements.results);
  const announce = (text) => {
    announcer.textContent = text;
  };
  const failed = createFailedPanel(
    { records: elements.failed, retry: elements.retry },
    { fetchPage: fetchFailedPage, announce, askForApiKey },
  );

  /** The parts that follow a running job; a change of status is announced. */
  function showTop(job, previous) {
    details.render(job);
    timeline.render(job.timeline);
    document.title = `${displayName(job)} · ${pageTitle}`;
    if (previous && previous.jobId === job.jobId && previous.status !== job.status) {
      announce(`${displayName(job)}: ${statusLabel(job.status)}`);
    }
  }

  return {
    /** Another job: nothing of the last one shows while this one loads. */
    showLoading() {
      title.textContent = 'Loading job…';
      elements.details.status.hidden = true;
      body.hidden = true;
      error.hidden = true;
      announcer.textContent = '';
      timeline.reset();
      failed.reset();
    },

    setBusy(busy) {
      root.setAttribute('aria-busy', String(busy));
    },

    /**
     * `job` as the view's query read it (`previous`: the state shown before, if any), with the
     * errors of its parts (GatewayErrors, or null); `hasRetry` (capabilities.js) and `viewer`
     * (viewer.js) say whether its failed records may be retried.
     */
    show(job, previous, { resultsError, downloadsError, failedError, hasRetry, viewer }) {
      root.setAttribute('aria-busy', 'false');
      error.hidden = true;
      liveError.hidden = true;
      body.hidden = false;
      showTop(job, previous);
      results.render({ job, results: job.results, resultsError, downloads: job.downloads, downloadsError });
      failed.render(job, failedError, { hasRetry, viewer });
    },

    /** A newer state of the running job, from its stream. */
    showTop,

    /** A problem above the job on show: `text` says what it is. */
    showLiveError(text) {
      liveError.textContent = text;
      liveError.hidden = false;
    },

    /** The job `jobId` could not be read: `text` says why, in its place. */
    showError(jobId, text) {
      title.textContent = `Job ${jobId}`;
      elements.details.status.hidden = true;
      body.hidden = true;
      error.textContent = text;
      error.hidden = false;
    },

    /** No job on show: the document's title is the page's again. */
    close() {
      document.title = pageTitle;
    },

    /** A new API key may be allowed to retry. */
    forgetPermissions: () => failed.forgetPermissions(),
    /** Whether the live connection is up: "Load more" and Retry wait for it. */
    setOnline: (online) => failed.setOnline(online),
    loadMoreFailedRecords: () => failed.loadMore(),
    /** A running job's duration and ETA tick (the page calls this every second). */
    tick: () => details.tick(),
  };
}
