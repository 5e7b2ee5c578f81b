// What answered "Retry failed records": a link to the job it submitted, whose view is live too,
// or why there is none.
import { createElement } from './create-element.js';
import { describeProblem } from './gateway-error.js';
import { displayName, statusLabel } from './jobs.js';
import { jobHref } from './routes.js';

const FORBIDDEN_HINT =
  'This API key may not retry failed records (that needs jobs:write and results:read), so the action is hidden.';

/** `result` says which job was submitted; `error` why none was. */
export function createRetryResult({ result, error }) {
  // The keyboard lands on the error when a refusal hides the form it was in.
  error.tabIndex = -1;

  return {
    /** The new job `created`: the keyboard goes to its link. */
    showSubmitted(created) {
      const link = createElement('a', { href: jobHref(created.jobId), textContent: displayName(created) });
      link.dataset.route = '';
      result.replaceChildren('Submitted the failed records as the new job ', link, ` (${statusLabel(created.status)}).`);
      result.hidden = false;
      link.focus();
    },

    /** Why the retry failed; `focus` moves the keyboard to the message. */
    showProblem(problem, focus) {
      error.textContent = describeProblem(problem, 'The failed records could not be retried', FORBIDDEN_HINT);
      error.hidden = false;
      if (focus) error.focus();
    },

    hideProblem() {
      error.hidden = true;
    },

    hide() {
      result.hidden = true;
      error.hidden = true;
    },
  };
}
