// Who the stored API key is and what it may do, asked once per key with `viewer { id kind scopes }`
// and shown small beside the API key control, so that the actions a key may not take (Stop, Retry)
// are hidden before they fail. When the gateway cannot say (no answer yet, a network failure),
// every action is offered and a FORBIDDEN answer hides it, as before there was `viewer`.
import { readApiKey } from './api-key.js';
import { createElement } from './create-element.js';
import { errorCode, firstError } from './gateway-error.js';
import { graphql } from './graphql-http.js';
import { VIEWER_QUERY } from './operations.js';

/** What each missing scope keeps from the user, in the words of the page. */
const WITHOUT = {
  'jobs:read': 'cannot list jobs',
  'jobs:write': 'no Stop or Retry',
};

export function createViewer(element) {
  /** The answer for the current key: a promise of `{ viewer, problem }`, one of them null. */
  let known = null;

  async function ask() {
    try {
      const answer = await graphql(VIEWER_QUERY);
      if (answer.data?.viewer) return { viewer: answer.data.viewer, problem: null };
      throw firstError(answer.errors);
    } catch (problem) {
      return { viewer: null, problem };
    }
  }

  function render({ viewer, problem }) {
    element.dataset.kind = viewer ? 'known' : 'problem';
    if (viewer) return element.replaceChildren(...describe(viewer));
    // Only a refused key is worth a word here; the views say why anything else failed.
    element.replaceChildren(errorCode(problem) === 'UNAUTHENTICATED' ? (readApiKey() ? 'Key not accepted' : 'No key entered') : '');
  }

  return {
    /** Resolves to `{ viewer, problem }`: who the stored key is, or why the gateway did not say. */
    read() {
      if (known) return known;
      const asked = ask().then((result) => {
        if (known !== asked) return result;
        render(result);
        // A refusal stands until the key changes; any other failure is asked about again.
        if (!result.viewer && errorCode(result.problem) !== 'UNAUTHENTICATED') known = null;
        return result;
      });
      known = asked;
      return asked;
    },
    /** A new API key: forget the old one's answer. */
    forget() {
      known = null;
      element.replaceChildren();
    },
  };
}

/** Whether `viewer` (null while unknown) carries every one of `scopes`; unknown means yes. */
export function allows(viewer, ...scopes) {
  return !viewer || scopes.every((scope) => viewer.scopes.includes(scope));
}

/** `key:1a2b3c4d5e6f · jobs:read, results:read · no Stop or Retry`, or that auth is off. */
function describe(viewer) {
  if (viewer.kind === 'ANONYMOUS') return ['Auth off: every scope'];
  const missing = Object.keys(WITHOUT).filter((scope) => !viewer.scopes.includes(scope));
  const id = createElement('code', { className: 'viewer-id', textContent: viewer.id });
  const scopes = createElement('span', { className: 'viewer-scopes', textContent: viewer.scopes.join(', ') || 'no scopes' });
  return [id, ' · ', scopes, ...missing.map((scope) => createElement('span', { className: 'viewer-lacks', textContent: ` · ${WITHOUT[scope]}` }))];
}
