// CSRF: refuses "simple" requests (a GET without a custom header, form or text/plain POSTs), which
// a browser would send cross-site without a CORS preflight.
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { CREDENTIAL_HEADERS } from '../access/credential-session.ts';

/** A GET must carry it (or any non-simple content type), so that browsers preflight it. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

export function createCsrfPlugin() {
  // Credential headers count too: no more CORS-safelisted than the CSRF header, they make
  // browsers preflight as well, so a GET with an API key needs nothing more.
  return useCSRFPrevention({ requestHeaders: [CSRF_HEADER, ...CREDENTIAL_HEADERS] });
}
