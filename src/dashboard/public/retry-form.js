// "Retry failed records" in a job's view: a form naming the new job, the `retryFailedRecords`
// mutation, and a link to the job it submitted. The view decides where the form may show; after a
// FORBIDDEN answer it stays hidden until the API key changes, like the list's Stop buttons.
import { createElement } from './create-element.js';
import { formatCount } from './format.js';
import { describeProblem, errorCode, firstError } from './gateway-error.js';
import { graphql } from './graphql-http.js';
import { displayName, statusLabel } from './jobs.js';
import { RETRY_MUTATION } from './operations.js';
import { jobHref } from './routes.js';

const MAX_JOB_NAME = 63;
const SUBMIT_LABEL = 'Retry failed records';

/** `askForApiKey()` opens the API key panel. */
export function createRetryForm({ form, help, name, submit, result, error }, { askForApiKey }) {
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
    if (!name.checkValidity()) return name.reportValidity();
    void retry(job);
  });

  async function retry(source) {
    const started = generation;
    submit.disabled = true;
    submit.textContent = 'Submitting…';
    error.hidden = true;
    try {
      const answer = await graphql(RETRY_MUTATION, {
        input: { jobIdentifiers: [source.jobArn], jobName: name.value.trim(), clientRequestToken },
      });
      const created = answer.data?.retryFailedRecords;
      if (!created) throw firstError(answer.errors);
      if (started !== generation) return;
      submitted = true;
      form.hidden = true;
      const link = createElement('a', { href: jobHref(created.jobId), textContent: displayName(created) });
      link.dataset.route = '';
      result.replaceChildren('Submitted the failed records as the new job ', link, ` (${statusLabel(created.status)}).`);
      result.hidden = false;
      link.focus();
    } catch (problem) {
      if (started !== generation) return;
      const code = errorCode(problem);
      if (code === 'FORBIDDEN') {
        forbidden = true;
        form.hidden = true;
      } else if (code === 'UNAUTHENTICATED') {
        askForApiKey();
      }
      error.textContent = describeProblem(
        problem,
        'The failed records could not be retried',
        'This API key may not retry failed records (that needs jobs:write and results:read), so the action is hidden.',
      );
      error.hidden = false;
    } finally {
      submit.disabled = false;
      submit.textContent = SUBMIT_LABEL;
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
      result.hidden = true;
      error.hidden = true;
    },

    /** Offers the retry of `source`'s `count` failed records (null: not known), or hides it when `allowed` is false. */
    offer(source, allowed, count = null) {
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
    },

    /** A new API key may be allowed to retry. */
    forgetPermissions() {
      forbidden = false;
    },
  };
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
