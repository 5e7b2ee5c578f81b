// One job's own view (`?job=<jobId>`): every field of the job, its timeline, its results (folder,
// manifest, tokens, cost, files with download links), its failed records, and "Retry failed records"
// (job-sections.js draws them). One query reads it all; while the job runs,
// `modelInvocationJobUpdated` keeps the top of the view live (job-stream.js), and when the job
// finishes the view is read again, results included.
import { describeProblem, errorBelow, errorCode, firstError } from './gateway-error.js';
import { graphql } from './graphql-http.js';
import { createJobSections } from './job-sections.js';
import { createJobStream } from './job-stream.js';
import { FAILED_RECORDS_QUERY, JOB_VIEW_QUERY } from './operations.js';
import { createViewStatus } from './view-status.js';

/** Failed records per page. */
const RECORDS_PAGE_SIZE = 50;
const JOB = 'modelInvocationJob';
const FORBIDDEN_HINT = 'This API key is not allowed to read jobs (it needs jobs:read).';

/**
 * `subscribe(payload, sink)` subscribes on the current graphql-ws client; `capabilities` says
 * whether the gateway can retry failed records (capabilities.js); `viewer` whether the API key may
 * (viewer.js); `askForApiKey()` opens the API key panel; `onProblem(text)` hears what is wrong
 * with the view ('Not loaded', 'Not live'), null once nothing is.
 */
export function createJobView(elements, { subscribe, capabilities, viewer, askForApiKey, onProblem }) {
  const status = createViewStatus(onProblem);
  const sections = createJobSections(elements, {
    fetchFailedPage: (after) => fetchFailedPage(jobId, after),
    askForApiKey,
  });
  const stream = createJobStream({ subscribe, status });
  let jobId = null;
  let job = null;

  /** Reads the job (and, once finished, its results) and shows it; resolves once it is shown. */
  async function load() {
    const current = status.begin();
    stream.stop();
    sections.setBusy(true);
    let read;
    let allowed;
    let who;
    try {
      [read, allowed, who] = await Promise.all([readJob(jobId), capabilities.read(), viewer.read()]);
    } catch (problem) {
      if (status.isCurrent(current)) showJobError(problem);
      return;
    }
    if (!status.isCurrent(current)) return;
    if (!read.job) return showJobError(read.problem);

    const previous = job;
    job = read.job;
    status.showLoaded();
    sections.show(job, previous, { ...read.partErrors, hasRetry: allowed.hasRetry, viewer: who.viewer });
    if (job.isTerminal) return;
    // Each update redraws the top; the final status reads the view again.
    stream.start(job, current, {
      onUpdate: (next) => {
        const shown = job;
        job = next;
        sections.showTop(job, shown);
      },
      onFinished: () => void load(),
      onProblem: (problem) => showLiveError(problem),
    });
  }

  function showLiveError(problem, what = 'Live updates stopped; reload the page to see changes') {
    sections.showLiveError(describeProblem(problem, what));
    status.showNotLive();
  }

  /** Why the job cannot be shown; a job already on show stays, with the problem above it. */
  function showJobError(problem) {
    sections.setBusy(false);
    if (errorCode(problem) === 'UNAUTHENTICATED') askForApiKey();
    if (job) return showLiveError(problem, 'The job could not be read again');
    status.showNotLoaded();
    sections.showError(jobId, describeProblem(problem, 'The job could not be loaded', FORBIDDEN_HINT));
  }

  function close() {
    status.end();
    stream.stop();
    jobId = null;
    job = null;
    sections.close();
  }

  return {
    /** Shows the job `id` (its ARN or id); resolves once it is shown, or why it cannot be. */
    async open(id) {
      if (id === jobId) return;
      close();
      jobId = id;
      sections.showLoading();
      await load();
    },
    close,
    /** A new API key or a new connection: reads the shown job again, its stream included. */
    async refresh() {
      if (jobId) await load();
    },
    forgetPermissions: sections.forgetPermissions,
    setOnline: sections.setOnline,
    loadMoreFailedRecords: sections.loadMoreFailedRecords,
    tick: sections.tick,
  };
}

/**
 * The view's one query: the job, its results and the first page of its failed records. Resolves
 * to `{ job, partErrors }`, the errors of the parts that show their own, or to `{ job: null,
 * problem }` when the job could not be read.
 */
async function readJob(jobId) {
  const { data, errors } = await graphql(JOB_VIEW_QUERY, { jobIdentifier: jobId, first: RECORDS_PAGE_SIZE });
  const job = data?.[JOB];
  if (!job) return { job: null, problem: errorBelow(errors, [JOB]) ?? firstError(errors) };
  return {
    job,
    partErrors: {
      resultsError: errorBelow(errors, [JOB, 'results']),
      downloadsError: errorBelow(errors, [JOB, 'downloads']),
      failedError: errorBelow(errors, [JOB, 'failed']),
    },
  };
}

/** The page of the job's failed records after `after`, for "Load more". */
async function fetchFailedPage(jobId, after) {
  const answer = await graphql(FAILED_RECORDS_QUERY, { jobIdentifier: jobId, first: RECORDS_PAGE_SIZE, after });
  const records = answer.data?.[JOB]?.failed?.records;
  if (!records) throw errorBelow(answer.errors, [JOB]) ?? firstError(answer.errors);
  return records;
}
