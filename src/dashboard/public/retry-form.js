// "Retry failed records" in a job's view: a form naming the new job, and the `retryFailedRecords`
// mutation; retry-result.js shows what it answered. The view decides where the form may show (not
// where the API key lacks a scope it needs: a note says so instead); after a FORBIDDEN answer it
// stays hidden until the API key changes, like the list's Stop buttons. Submitting waits for the
// live connection, which shows the new job's progress.
import { createLiveButton, isUnavailable } from './button-availability.js';
import { formatCount } from './format.js';
import { errorCode, firstError } from './gateway-error.js';
import { graphql } from './graphql-http.js';
import { RETRY_MUTATION } from './operations.js';
import { createRetryResult } from './retry-result.js';

const MAX_JOB_NAME = 63;

/** `askForApiKey()` opens the API key panel. */
export function createRetryForm({ form, help, name, submit, note, result, error }, { askForApiKey }) {
  const answer = createRetryResult({ result, error });
  const submitButton = createLiveButton(submit, { text: 'Retry failed records', busyText: 'Submitting…' });
  /** The job whose failed records the form retries. */
  let job = null;
  /** The job the name and token were made for: kept while the view is redrawn. */
  let preparedFor = null;
  /** One idempotency token per retry: submitting again after a lost answer returns the same job. */
  let clientRequestToken = '';
  let forbidden = false;
  let submitted = false;
  /** Bumped by every reset: an answer that arrives for an earlier view is dropped. */
  let generation = 0;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (isUnavailable(submit)) return;
    if (!name.checkValidity()) return name.reportValidity();
    void retry(job);
  });

  async function retry(source) {
    const started = generation;
    submitButton.setBusy(true);
    answer.hideProblem();
    try {
      const created = await requestRetry(source, name.value.trim(), clientRequestToken);
      if (started !== generation) return;
      submitted = true;
      form.hidden = true;
      answer.showSubmitted(created);
    } catch (problem) {
      if (started !== generation) return;
      const code = errorCode(problem);
      const hadFocus = form.contains(document.activeElement);
      if (code === 'FORBIDDEN') {
        forbidden = true;
        form.hidden = true;
      } else if (code === 'UNAUTHENTICATED') {
        askForApiKey();
      }
      answer.showProblem(problem, hadFocus && form.hidden);
    } finally {
      submitButton.setBusy(false);
    }
  }

  return {
    /** A new view: forget the previous job's outcome. */
    reset() {
      generation += 1;
      job = null;
      preparedFor = null;
      submitted = false;
      form.hidden = true;
      note.hidden = true;
      answer.hide();
    },

    /**
     * Offers the retry of `source`'s `count` failed records (null: not known), or hides it when
     * `allowed` is false; `why` (when there is) says in its place why it is not offered.
     */
    offer(source, allowed, count = null, why = '') {
      const show = allowed && !forbidden && !submitted;
      help.textContent =
        `Submits a new job of the same model with the inputs of ${count === null ? 'the' : `the ${formatCount(count)}`} ` +
        `failed records, under this name.`;
      if (show && preparedFor !== source.jobId) {
        preparedFor = source.jobId;
        name.value = retryJobName(source);
        clientRequestToken = newToken();
      }
      job = source;
      form.hidden = !show;
      note.textContent = why;
      note.hidden = !why || submitted;
    },

    /** Whether the live connection is up: submitting waits for it. */
    setOnline: (online) => submitButton.setOnline(online),

    /** A new API key may be allowed to retry. */
    forgetPermissions() {
      forbidden = false;
    },
  };
}

/** Submits `source`'s failed records as the job `jobName`; resolves to the new job. */
async function requestRetry(source, jobName, clientRequestToken) {
  const answer = await graphql(RETRY_MUTATION, { input: { jobIdentifiers: [source.jobArn], jobName, clientRequestToken } });
  const created = answer.data?.retryFailedRecords;
  if (!created) throw firstError(answer.errors);
  return created;
}

/** `<name>-retry-<yyyymmdd-hhmm>` (UTC), cut to the 63 characters a job name may have. */
function retryJobName(job) {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  const suffix = `-retry-${stamp}`;
  return (job.jobName || job.jobId).slice(0, MAX_JOB_NAME - suffix.length) + suffix;
}

function newToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `dashboard-${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
