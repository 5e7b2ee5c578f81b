// What this gateway can do beyond reading jobs, found out without side effects, so that a job's
// view offers "Retry failed records" only where the schema has `retryFailedRecords`. What the API
// key may do is learnt from the answers instead: FORBIDDEN on the failed records (no results:read)
// or on a retry (no jobs:write) hides the action, with the reason beside it.
import { graphql } from './graphql-http.js';
import { RETRY_PROBE } from './operations.js';

export function createCapabilities() {
  let known = null;

  async function detect() {
    const probe = await graphql(RETRY_PROBE, undefined, { probe: true }).catch(() => undefined);
    // A validated and skipped mutation answers `data: {}`; an unknown field fails validation.
    const hasRetry = Boolean(probe?.data) && !probe.errors?.length;
    const absent = probe?.errors?.some((error) => error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED');
    // No answer either way (network, UNAUTHENTICATED before a key is entered): ask again next time.
    if (!hasRetry && !absent) known = null;
    return { hasRetry };
  }

  return {
    /** Resolves to `{ hasRetry }`. */
    read() {
      known ??= detect();
      return known;
    },
    /** A new API key: find out again (a gateway may answer only authenticated callers). */
    forget() {
      known = null;
    },
  };
}
