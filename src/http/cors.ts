// Which browser origins may call the gateway (CORS_ORIGINS), for HTTP (Yoga's CORS option) and
// for WebSocket upgrades, which CORS does not cover.
import type { CORSOptions } from 'graphql-yoga';
import { CREDENTIAL_HEADERS } from '../access/credential-session.ts';
import { CSRF_HEADER } from '../plugins/csrf-plugin.ts';

export interface CorsPolicy {
  /** Whether a page from this origin may call (besides the gateway's own origin). */
  isAllowedOrigin(origin: string): boolean;
  /** Yoga's `cors` option. */
  readonly yogaOption: false | ((request: Request) => CORSOptions);
}

/** `origins`: exact origins, or `*` for any; empty: same origin only. */
export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const isAllowedOrigin = (origin: string) => origins.includes('*') || origins.includes(origin);
  // For an allowed origin, ['*'] makes whatwg-node reflect it and add `Vary: Origin`. A refused
  // one gets no CORS headers at all (never `Access-Control-Allow-Origin: null`, which sandboxed
  // iframes would match). Credentials are headers, never cookies, so no Allow-Credentials.
  const allowed: CORSOptions = {
    origin: ['*'],
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'accept', ...CREDENTIAL_HEADERS, 'x-request-id', CSRF_HEADER],
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  };
  return {
    isAllowedOrigin,
    yogaOption:
      origins.length === 0
        ? false
        : (request) => {
            const origin = request.headers.get('origin');
            return origin && isAllowedOrigin(origin) ? allowed : false;
          },
  };
}
