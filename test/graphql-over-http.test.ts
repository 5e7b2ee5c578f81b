// GraphQL over HTTP conformance: graphql-http's server audits against the live gateway, with
// production settings and auth on, sending what any real client must send. Every audit passes,
// MUST, SHOULD and MAY alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAudits } from 'graphql-http';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const API_KEY = 'audit-key-0123456789abcdef';
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    NODE_ENV: 'production',
    // The four {variables} audits (28B9, 2EA1, D6D5, 6A70) query `__type(name: $name)`; with
    // introspection off (the production default) they get the intended validation error instead.
    INTROSPECTION: 'true',
    AUTH_REQUIRED: 'true',
    GATEWAY_API_KEYS: JSON.stringify({ [API_KEY]: ['jobs:read'] }),
    RATE_LIMIT_RPS: '0',
  });
});
afterAll(() => t.close());

// Every request carries the credential; GETs also carry the CSRF header, as a non-browser client
// does (a browser's GET without it is refused on purpose: see browser-safety.test.ts).
const fetchWithCredentials: typeof fetch = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('x-api-key', API_KEY);
  headers.set('x-graphql-yoga-csrf', '1');
  return fetch(input, { ...init, headers });
};

describe('graphql-http server audits', () => {
  for (const audit of serverAudits({ url: () => `${t.url}/graphql`, fetchFn: fetchWithCredentials })) {
    it(`should pass ${audit.id}: ${audit.name}`, async () => {
      const result = await audit.fn();
      if ('response' in result) await result.response.body?.cancel().catch(() => undefined);
      expect(result.status === 'ok' ? 'ok' : `${result.status}: ${result.reason}`).toBe('ok');
    });
  }
});
