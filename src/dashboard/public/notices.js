// What the page says besides the table: the notice line above it (a failed load or stream, or why
// the Stop buttons are gone) and, for screen readers, batched announcements of status changes.
import { describeProblem, errorCode } from './gateway-error.js';

/** Status changes are announced to screen readers in batches, at most one message this often. */
const ANNOUNCE_EVERY_MS = 2000;

/** `askForApiKey()` runs when the gateway answered UNAUTHENTICATED. */
export function createNotices({ notice, announcer }, { askForApiKey }) {
  let announcements = [];
  let announceTimer;

  function show(text, kind) {
    notice.textContent = text;
    notice.dataset.kind = kind;
    notice.hidden = false;
  }

  return {
    /** `kind` is 'error' or 'info'. */
    show,

    hide() {
      notice.hidden = true;
      notice.textContent = '';
    },

    /** `what` failed because of `error`; the errors an API key can fix say so. */
    showProblem(error, what) {
      show(describeProblem(error, what, 'This API key is not allowed to read jobs (it needs jobs:read).'), 'error');
      if (errorCode(error) === 'UNAUTHENTICATED') askForApiKey();
    },

    /** A stop was refused although the key's scopes allow it (e.g. by Bedrock): `message` says why. */
    showStopForbidden(message) {
      show(`Stopping jobs is not allowed (FORBIDDEN): ${message.replace(/\.?$/, '.')} The Stop buttons are hidden.`, 'info');
    },

    /** Screen readers hear status changes batched, so a busy account does not talk non-stop. */
    announce(text) {
      announcements.push(text);
      announceTimer ??= setTimeout(() => {
        announceTimer = undefined;
        const latest = announcements.slice(-3);
        const more = announcements.length - latest.length;
        announcements = [];
        announcer.textContent = latest.join('. ') + (more > 0 ? `. ${more} more changes.` : '.');
      }, ANNOUNCE_EVERY_MS);
    },
  };
}
