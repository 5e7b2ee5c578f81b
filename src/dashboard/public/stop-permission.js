// Whether the jobs list offers Stop, and whether Stop works. It is offered to a key with jobs:write
// (viewer.js; to any key while the gateway cannot say) until a stop is refused FORBIDDEN, e.g. by
// Bedrock: then every Stop button is hidden, and the notice says why, until the API key changes. It
// works only while the live connection is up, since the stopped job's next states arrive over it.
import { errorCode } from './gateway-error.js';
import { allows } from './viewer.js';

/** `notices` are the page's notices; `askForApiKey()` opens the API key panel. */
export function createStopPermission({ notices, askForApiKey }) {
  /** Whether the key may stop jobs, as the viewer says (true while it cannot say). */
  let mayStop = true;
  /** Why a stop answered FORBIDDEN, once one has: the Stop buttons are hidden until the key changes. */
  let forbidden = null;
  let online = false;

  return {
    /** Who the key is (viewer.js), null when the gateway did not say. */
    setViewer(viewer) {
      mayStop = allows(viewer, 'jobs:write');
    },

    /** Why Stop was refused, for the list's notice; null while it has not been. */
    get forbidden() {
      return forbidden;
    },

    /** A stop failed with `error`: a refusal hides Stop, an unknown key asks for another. */
    refused(error) {
      const code = errorCode(error);
      if (code === 'FORBIDDEN') {
        forbidden = error.message;
        notices.showStopForbidden(forbidden);
      } else if (code === 'UNAUTHENTICATED') {
        askForApiKey();
      }
    },

    /** A new API key brings new permissions: offer Stop again. */
    forget() {
      mayStop = true;
      forbidden = null;
    },

    /** Whether the live connection is up; returns whether that changed. */
    setOnline(value) {
      if (value === online) return false;
      online = value;
      return true;
    },

    /** What renderRow needs to know (job-row.js): whether Stop is offered, and whether it works. */
    get rowOptions() {
      return { canStop: mayStop && !forbidden, online };
    },
  };
}
