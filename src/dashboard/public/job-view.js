// One job's own view (`?job=<jobId>`): every field of the job, its timeline, its results (folder,
// manifest, tokens, cost, files with download links), its failed records, and "Retry failed records".
// One query reads it all; while the job runs, `modelInvocationJobUpdated` keeps the top of the view
// live, and when the job finishes the view is read again, results included.
import { createFailedRecords } from './failed-records.js';
import { describeProblem, errorBelow, errorCode, firstError, streamError } from './gateway-error.js';
import { graphql } from './graphql-http.js';
import { createJobDetails } from './job-details.js';
import { createJobResults } from './job-results.js';
import { createJobTimeline } from './job-timeline.js';
import { displayName, isOlder, statusLabel } from './jobs.js';
import { FAILED_RECORDS_QUERY, JOB_SUBSCRIPTION, JOB_VIEW_QUERY } from './operations.js';
import { createRetryForm } from './retry-form.js';
import { allows } from './viewer.js';

/** Failed records per page. */
const RECORDS_PAGE_SIZE = 50;
const JOB = 'modelInvocationJob';
/** retryFailedRecords reads the records it retries: it needs both. */
const RETRY_SCOPES = ['jobs:write', 'results:read'];

/**
 * `subscribe(payload, sink)` subscribes on the current graphql-ws client; `capabilities` says
 * whether the gateway can retry failed records (capabilities.js); `viewer` whether the API key may
 * (viewer.js); `askForApiKey()` opens the API key panel; `onProblem(text)` hears what is wrong
 * with the view ('Not loaded', 'Not live'), null once nothing is.
 */
export function createJobView(elements, { subscribe, capabilities, viewer, askForApiKey, onProblem }) {
  const { root, title, error, body, liveError, announcer } = elements;
  const pageTitle = document.title;
  const details = createJobDetails(elements.details);
  const timeline = createJobTimeline(elements.timeline);
  const results = createJobResults(elements.results);
  const announce = (text) => {
    announcer.textContent = text;
  };
  const failed = createFailedRecords({ ...elements.failed, announce }, { fetchPage: fetchFailedPage });
  const retry = createRetryForm(elements.retry, { askForApiKey });

  let jobId = null;
  let job = null;
  /** Bumped by every (re)load and close; answers and events of an older one are dropped. */
  let view = 0;
  let stopStream = null;

  /** Reads the job (and, once finished, its results) and shows it; resolves once it is shown. */
  async function load() {
    const current = ++view;
    stopStream?.();
    stopStream = null;
    root.setAttribute('aria-busy', 'true');
    let answer;
    let allowed;
    let who;
    try {
      [answer, allowed, who] = await Promise.all([
        graphql(JOB_VIEW_QUERY, { jobIdentifier: jobId, first: RECORDS_PAGE_SIZE }),
        capabilities.read(),
        viewer.read(),
      ]);
    } catch (problem) {
      if (current === view) showJobError(problem);
      return;
    }
    if (current !== view) return;
    const found = answer.data?.[JOB];
    if (!found) return showJobError(errorBelow(answer.errors, [JOB]) ?? firstError(answer.errors));

    const previous = job;
    job = found;
    root.setAttribute('aria-busy', 'false');
    error.hidden = true;
    liveError.hidden = true;
    body.hidden = false;
    onProblem(null);
    renderJob(previous);
    results.render({
      job,
      results: found.results,
      resultsError: errorBelow(answer.errors, [JOB, 'results']),
      downloads: found.downloads,
      downloadsError: errorBelow(answer.errors, [JOB, 'downloads']),
    });
    renderFailedRecords(found, errorBelow(answer.errors, [JOB, 'failed']), {
      ...allowed,
      lacksForRetry: RETRY_SCOPES.filter((scope) => !allows(who.viewer, scope)),
    });
    if (!job.isTerminal) startStream(current);
  }

  function renderJob(previous) {
    details.render(job);
    timeline.render(job.timeline);
    document.title = `${displayName(job)} · ${pageTitle}`;
    if (previous && previous.jobId === job.jobId && previous.status !== job.status) {
      announce(`${displayName(job)}: ${statusLabel(job.status)}`);
    }
  }

  function renderFailedRecords(found, problem, allowed) {
    // Nothing to show before the job has finished, nor without an output location in S3.
    if (!job.isTerminal || (!found.failed && !problem)) {
      retry.offer(job, false);
      return failed.hide();
    }
    const total = found.results?.manifest?.errorRecordCount ?? null;
    failed.reset(total);
    failed.showFirstPage(found.failed?.records, problem);
    const count = total ?? found.failed?.records.nodes.length ?? 0;
    const retryable = !problem && count > 0 && allowed.hasRetry;
    const lacks = allowed.lacksForRetry;
    // Said where the form would be, rather than found out on submitting it, naming what is missing.
    const note =
      retryable && lacks.length > 0
        ? `Retrying failed records needs the ${lacks.join(' and ')} scope${lacks.length > 1 ? 's' : ''}, which this API key does not have.`
        : '';
    retry.offer(job, retryable && lacks.length === 0, total, note);
  }

  async function fetchFailedPage(after) {
    const answer = await graphql(FAILED_RECORDS_QUERY, { jobIdentifier: jobId, first: RECORDS_PAGE_SIZE, after });
    const records = answer.data?.[JOB]?.failed?.records;
    if (!records) throw errorBelow(answer.errors, [JOB]) ?? firstError(answer.errors);
    return records;
  }

  /** Live while the job runs: each update redraws the top; the final status reads the view again. */
  function startStream(current) {
    stopStream = subscribe(
      { query: JOB_SUBSCRIPTION, variables: { jobIdentifier: job.jobArn } },
      {
        next: (result) => {
          if (current !== view) return;
          const next = result.data?.modelInvocationJobUpdated;
          if (!next) return showLiveError(firstError(result.errors));
          if (isOlder(next, job)) return;
          // The results exist now: read everything again (this also ends the stream).
          if (next.isTerminal) return void load();
          const previous = job;
          job = next;
          renderJob(previous);
        },
        error: (problem) => {
          if (current === view) showLiveError(streamError(problem));
        },
        complete: () => {
          if (current === view) stopStream = null;
        },
      },
    );
  }

  function showLiveError(problem, what = 'Live updates stopped; reload the page to see changes') {
    liveError.textContent = describeProblem(problem, what);
    liveError.hidden = false;
    onProblem('Not live');
  }

  /** Why the job cannot be shown; a job already on show stays, with the problem above it. */
  function showJobError(problem) {
    root.setAttribute('aria-busy', 'false');
    if (errorCode(problem) === 'UNAUTHENTICATED') askForApiKey();
    if (job) return showLiveError(problem, 'The job could not be read again');
    onProblem('Not loaded');
    title.textContent = `Job ${jobId}`;
    elements.details.status.hidden = true;
    body.hidden = true;
    error.textContent = describeProblem(
      problem,
      'The job could not be loaded',
      'This API key is not allowed to read jobs (it needs jobs:read).',
    );
    error.hidden = false;
  }

  function close() {
    view += 1;
    onProblem(null);
    stopStream?.();
    stopStream = null;
    jobId = null;
    job = null;
    document.title = pageTitle;
  }

  return {
    /** Shows the job `id` (its ARN or id); resolves once it is shown, or why it cannot be. */
    async open(id) {
      if (id === jobId) return;
      close();
      jobId = id;
      title.textContent = 'Loading job…';
      elements.details.status.hidden = true;
      body.hidden = true;
      error.hidden = true;
      announcer.textContent = '';
      timeline.reset();
      retry.reset();
      await load();
    },
    close,
    /** A new API key or a new connection: reads the shown job again, its stream included. */
    async refresh() {
      if (jobId) await load();
    },
    /** A new API key may be allowed to retry. */
    forgetPermissions: () => retry.forgetPermissions(),
    /** Whether the live connection is up: "Load more" and Retry wait for it. */
    setOnline(online) {
      failed.setOnline(online);
      retry.setOnline(online);
    },
    loadMoreFailedRecords: () => failed.loadMore(),
    tick: () => details.tick(),
  };
}
