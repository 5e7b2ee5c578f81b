// Query.viewer over HTTP: who the credentials are (API key, JWT, anonymous with auth off) and which
// scopes they carry, for every scope set, without jobs:read too; UNAUTHENTICATED without valid
// credentials; never the credential itself.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHs256 } from './support/identity-provider.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const VIEWER = '{ viewer { id kind scopes } }';
const SECRET = 'viewer-test-hs256-secret-of-at-least-32-chars';
/** Every scope set a key may have, each key named after its scopes. */
const SCOPE_SETS = [
  [],
  ['jobs:read'],
  ['jobs:write'],
  ['results:read'],
  ['jobs:read', 'jobs:write'],
  ['jobs:read', 'results:read'],
  ['jobs:write', 'results:read'],
  ['jobs:read', 'jobs:write', 'results:read'],
];
const keyFor = (scopes: string[]) => `viewer-key-${scopes.join('+') || 'none'}-0123456789`;
const idOf = (key: string) => `key:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

describe('Query.viewer', () => {
  let t: TestGateway;
  beforeAll(async () => {
    // Listed in reverse, so that the answer's order is the gateway's, not the configuration's.
    const keys = Object.fromEntries(SCOPE_SETS.map((scopes) => [keyFor(scopes), [...scopes].reverse()]));
    t = await startTestGateway({ AUTH_REQUIRED: 'true', GATEWAY_API_KEYS: JSON.stringify(keys), JWT_SECRET: SECRET });
  });
  afterAll(() => t?.close());

  it.each(SCOPE_SETS.map((scopes) => [scopes.join(', ') || 'no scope', scopes] as const))(
    'should name an API key with %s and list its scopes',
    async (_name, scopes) => {
      const key = keyFor(scopes);
      const response = await t.post({ query: VIEWER }, { 'x-api-key': key });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ data: { viewer: { id: idOf(key), kind: 'API_KEY', scopes } } });
      expect(text).not.toContain(key);
    },
  );

  it('should name a bearer token by its subject and read its scope claim', async () => {
    const token = await signHs256(SECRET, 'openid jobs:write profile jobs:read', { subject: 'ada@example.test' });
    const text = await (await t.post({ query: VIEWER }, { authorization: `Bearer ${token}` })).text();
    expect(JSON.parse(text)).toEqual({ data: { viewer: { id: 'jwt:ada@example.test', kind: 'JWT', scopes: ['jobs:read', 'jobs:write'] } } });
    expect(text).not.toContain(token);
  });

  it.each([
    ['no credentials', {}],
    ['an unknown API key', { 'x-api-key': 'not-a-key-of-this-gateway' }],
  ])('should answer %s with 401 UNAUTHENTICATED', async (_name, headers) => {
    const response = await t.post({ query: VIEWER }, headers);
    expect(response.status).toBe(401);
    const body = (await response.json()) as { data?: unknown; errors: Array<{ extensions: { code: string } }> };
    expect(body.data).toBeUndefined();
    expect(body.errors.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('should answer beside a field the key may not read, which alone is refused', async () => {
    const answer = await t.graphql('{ viewer { scopes } modelInvocationJob(jobIdentifier: "zzzzzzzzzzzz") { jobId } }', {}, {
      headers: { 'x-api-key': keyFor(['results:read']) },
    });
    expect(answer.data).toEqual({ viewer: { scopes: ['results:read'] }, modelInvocationJob: null });
    expect(answer.errors?.map((error) => [error.path?.join('.'), error.extensions?.code])).toEqual([['modelInvocationJob', 'FORBIDDEN']]);
  });

  it('should answer every caller as anonymous with every scope when auth is off', async () => {
    const open = await startTestGateway();
    try {
      expect(await open.graphql(VIEWER)).toEqual({
        data: { viewer: { id: 'anonymous', kind: 'ANONYMOUS', scopes: ['jobs:read', 'jobs:write', 'results:read'] } },
      });
    } finally {
      await open.close();
    }
  });
});
