// Browser safety: CSRF prevention, the CORS allow-list (and its WebSocket counterpart), masked
// internal errors, and GraphiQL, introspection and field suggestions off in production.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { type GraphQLResponse, type TestGateway } from './support/test-gateway.ts';
import { useLeftovers } from './support/leftovers.ts';

const leftovers = useLeftovers();
const start = (env: Record<string, string> = {}): Promise<TestGateway> => leftovers.gateway(env);

const TYPENAME = encodeURIComponent('{ __typename }');

describe('CSRF prevention', () => {
  it.each([
    ['a text/plain POST', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' }],
    ['a form POST', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${TYPENAME}` }],
    ['a multipart POST', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' }],
    ['a GET without a custom header', { method: 'GET' }],
  ])('should refuse %s, which a browser sends cross-site without a preflight, with 403', async (_name, init) => {
    const t = await start();
    const response = await fetch(`${t.url}/graphql?query=${TYPENAME}`, init as RequestInit);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Required CSRF header(s) not present');
  });

  it.each([
    ['a JSON POST', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }],
    ['a GET with x-graphql-yoga-csrf', { method: 'GET', headers: { 'x-graphql-yoga-csrf': '1' } }],
    // Not CORS-safelisted either: a browser preflights these too.
    ['a GET with an Authorization header', { method: 'GET', headers: { authorization: 'Bearer anything' } }],
    ['a GET with an x-api-key header', { method: 'GET', headers: { 'x-api-key': 'anything' } }],
  ])('should accept %s', async (_name, init) => {
    const t = await start();
    const response = await fetch(`${t.url}/graphql?query=${TYPENAME}`, init as RequestInit);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

const preflight = (t: TestGateway, origin: string) =>
  fetch(`${t.url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
  });

describe('CORS', () => {
  it('should allow no cross-origin browser calls by default', async () => {
    const t = await start();
    const response = await preflight(t, 'https://elsewhere.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const post = await t.post({ query: '{ __typename }' }, { origin: 'https://elsewhere.example' });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('should allow exactly the origins in CORS_ORIGINS, without credentials', async () => {
    const t = await start({ CORS_ORIGINS: 'https://app.example, https://admin.example' });
    const allowed = await preflight(t, 'https://admin.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('x-api-key');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const post = await t.post({ query: '{ __typename }' }, { origin: 'https://app.example' });
    expect(post.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(post.headers.get('vary')).toContain('Origin');
    expect(post.headers.get('access-control-expose-headers')).toBe('x-request-id');

    const refused = await preflight(t, 'https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('should allow any origin with CORS_ORIGINS=*', async () => {
    const t = await start({ CORS_ORIGINS: '*' });
    expect((await preflight(t, 'https://anyone.example')).headers.get('access-control-allow-origin')).toBe('https://anyone.example');
  });

  /** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opens. */
  const upgrade = (t: TestGateway, origin: string) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { origin });
      leftovers.push(() => socket.terminate());
      socket.once('open', () => resolve(101));
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('error', () => undefined);
    });

  it('should refuse WebSocket upgrades from browser pages of other origins', async () => {
    const t = await start({ CORS_ORIGINS: 'https://app.example' });
    expect(await upgrade(t, 'https://evil.example')).toBe(401);
    expect(await upgrade(t, 'https://app.example')).toBe(101);
    expect(await upgrade(t, t.url)).toBe(101); // GraphiQL, served by the gateway itself
  });
});

describe('errors', () => {
  // A job Bedrock sends without a required member: graphql-js throws a plain Error for the field.
  const internalError = async (t: TestGateway) => {
    const job = t.simulator.engine.createJob({ status: 'Completed', modelId: undefined }, { paused: true });
    const text = await (await t.post({ query: `{ modelInvocationJob(jobIdentifier: "${job.jobId}") { jobId modelId } }` })).text();
    return { text, body: JSON.parse(text) as GraphQLResponse & { errors: Array<{ extensions: Record<string, unknown> }> } };
  };

  it.each([['production'], ['unset']])('should mask internal errors with NODE_ENV=%s: no message, no stack', async (nodeEnv) => {
    const t = await start(nodeEnv === 'unset' ? {} : { NODE_ENV: nodeEnv });
    const { text, body } = await internalError(t);
    expect(body.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
    expect(text).not.toMatch(/non-nullable|stack|\.ts:/);
  });

  it('should show the original error with NODE_ENV=development only', async () => {
    const t = await start({ NODE_ENV: 'development' });
    const { body } = await internalError(t);
    expect(body.errors[0]!.extensions.originalError).toMatchObject({ message: expect.stringMatching(/^Cannot return null for non-nullable field ModelInvocationJob.modelId/) });
  });
});

describe('production mode', () => {
  it('should refuse introspection over HTTP and graphql-ws, keeping __typename', async () => {
    const t = await start({ NODE_ENV: 'production' });
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { name } }']) {
      const response = await t.graphql(query);
      expect(response.data ?? undefined).toBeUndefined();
      expect(response.errors![0]).toMatchObject({ message: expect.stringContaining('INTROSPECTION=false'), extensions: { code: 'FORBIDDEN' } });
    }
    expect((await t.graphql('{ __typename }')).data).toEqual({ __typename: 'Query' });

    const client = createWsClient(t.url);
    leftovers.push(() => client.dispose());
    const sub = subscribeWs(client, '{ __schema { types { name } } }');
    const errors = (await sub.done.then(() => [], (e: unknown) => e)) as GraphQLResponse['errors'];
    expect(errors?.[0]?.message).toContain('INTROSPECTION=false');
  });

  it('should not suggest field names', async () => {
    const t = await start({ NODE_ENV: 'production' });
    const response = await t.graphql('{ modelInvocationJb(jobIdentifier: "zzzzzzzzzzzz") { jobId } }');
    expect(response.errors![0]!.message).toMatch(/^Cannot query field "modelInvocationJb" on type "Query"\./);
    expect(response.errors![0]!.message).not.toMatch(/Did you mean|modelInvocationJob\b/);
  });

  it('should suggest field names in development', async () => {
    const t = await start();
    const response = await t.graphql('{ modelInvocationJb(jobIdentifier: "zzzzzzzzzzzz") { jobId } }');
    expect(response.errors![0]!.message).toContain('Did you mean "modelInvocationJob"');
  });

  it('should not serve GraphiQL unless GRAPHIQL=true', async () => {
    const t = await start({ NODE_ENV: 'production' });
    const response = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
  });

  it('should allow introspection in production with INTROSPECTION=true', async () => {
    const t = await start({ NODE_ENV: 'production', INTROSPECTION: 'true' });
    expect((await t.graphql('{ __schema { queryType { name } } }')).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
