// Small leaks: "did you mean" suggestions with introspection off, a malformed body echoed back,
// /readyz telling anyone why Bedrock fails, and DNS rebinding (Host headers outside ALLOWED_HOSTS).
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConfigError, loadConfig } from '../src/config.ts';
import { sample } from './support/metrics.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import type { TestGateway } from './support/test-gateway.ts';
import { useLeftovers } from './support/leftovers.ts';

const leftovers = useLeftovers();

const LIST = (args: string) => `query${args} { modelInvocationJobs { edges { node { jobId } } } }`;
const LIST_WITH = (variables: string, args: string) =>
  `query(${variables}) { modelInvocationJobs(${args}) { edges { node { jobId } } } }`;

/** Each kind of suggestion graphql-js makes, the operation that provokes it, and the name it would leak. */
const SUGGESTING: Array<[kind: string, body: { query: string; variables?: Record<string, unknown> }, leaked: RegExp]> = [
  ['a field', { query: '{ modelInvocationJb(jobIdentifier: "zzzzzzzzzzzz") { jobId } }' }, /"modelInvocationJob"/],
  ['an argument', { query: '{ modelInvocationJobs(sortOrde: ASCENDING) { edges { node { jobId } } } }' }, /"sortOrder"/],
  ['a type', { query: LIST_WITH('$f: ModelInvocationJobFiltr', 'filter: $f') }, /"ModelInvocationJobFilter"/],
  ['an enum value in the document', { query: '{ modelInvocationJobs(sortOrder: ASCENDIN) { edges { node { jobId } } } }' }, /"ASCENDING"/],
  ['an enum value in a variable', { query: LIST_WITH('$s: SortOrder', 'sortOrder: $s'), variables: { s: 'ASCENDIN' } }, /"ASCENDING"/],
  [
    'an enum value in an input variable',
    { query: LIST_WITH('$f: ModelInvocationJobFilter', 'filter: $f'), variables: { f: { statusEquals: 'COMPLETE' } } },
    /"COMPLETED"/,
  ],
  ['an input field in the document', { query: '{ modelInvocationJobs(filter: { statusEqual: COMPLETED }) { edges { node { jobId } } } }' }, /"statusEquals"/],
  [
    'an input field in a variable',
    { query: LIST_WITH('$f: ModelInvocationJobFilter', 'filter: $f'), variables: { f: { statusEqual: 'COMPLETED' } } },
    /"statusEquals"/,
  ],
];

/** Every error message an operation over graphql-ws ends with, whether sent as `next` or `error`. */
async function wsErrorMessages(t: TestGateway, body: { query: string; variables?: Record<string, unknown> }): Promise<string[]> {
  const client = createWsClient(t.url);
  leftovers.push(() => client.dispose());
  const operation = subscribeWs(client, body.query, body.variables);
  const failure = await operation.done.then(
    () => [],
    (errors: unknown) => (Array.isArray(errors) ? (errors as Array<{ message: string }>) : [{ message: String(errors) }]),
  );
  return [...operation.events.flatMap((event) => event.errors ?? []), ...failure].map((error) => error.message);
}

describe('suggestions with introspection off', () => {
  // Not even a mask such as graphql-armor's "[Suggestion hidden]": its presence says a similar
  // name exists, an oracle for guessing names one letter at a time.
  it.each(SUGGESTING)('should not suggest %s in production, over HTTP or graphql-ws, unless INTROSPECTION=true', async (_kind, body, leaked) => {
    const t = await leftovers.gateway({ NODE_ENV: 'production' });
    const http = await (await t.post(body)).json();
    const messages = [...http.errors.map((error: { message: string }) => error.message), ...(await wsErrorMessages(t, body))];
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      expect(message).not.toMatch(/Did you mean|Suggestion/);
      expect(message).not.toMatch(leaked);
    }

    const open = await leftovers.gateway({ NODE_ENV: 'production', INTROSPECTION: 'true' });
    const suggested = (await (await open.post(body)).json()).errors[0].message;
    expect(suggested).toMatch(/Did you mean/);
    expect(suggested).toMatch(leaked);
  });

  it('should keep the rest of the message and the error code', async () => {
    const t = await leftovers.gateway({ NODE_ENV: 'production' });
    const [, enumVariable] = SUGGESTING.find(([kind]) => kind === 'an enum value in a variable')!;
    const response = await t.post(enumVariable);
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([
      expect.objectContaining({ message: 'Variable "$s" got invalid value "ASCENDIN"; Value "ASCENDIN" does not exist in "SortOrder" enum.' }),
    ]);
    const field = await (await t.post(SUGGESTING[0]![1])).json();
    expect(field.errors[0]).toMatchObject({
      message: 'Cannot query field "modelInvocationJb" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});

describe('a malformed JSON body', () => {
  const MARKER = 'client-secret-4711';
  const postRaw = (t: TestGateway, body: string, accept: string) =>
    fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body });

  it.each([['production'], ['unset'], ['test']])('should not be echoed back with NODE_ENV=%s', async (nodeEnv) => {
    const t = await leftovers.gateway(nodeEnv === 'unset' ? {} : { NODE_ENV: nodeEnv });
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      for (const body of [`{"query": "{ __typename }", ${MARKER}`, `${MARKER} {`, `{"query": "${MARKER}`]) {
        const response = await postRaw(t, body, accept);
        const text = await response.text();
        expect(response.status).toBe(400);
        expect(JSON.parse(text)).toEqual({
          errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST', originalError: { name: 'SyntaxError' } } }],
        });
        expect(text).not.toContain(MARKER);
      }
    }

    // NODE_ENV=development keeps the parser's message, the documented detail of errors.
    const development = await leftovers.gateway({ NODE_ENV: 'development' });
    const body = await (await postRaw(development, `{"query": ${MARKER}`, 'application/json')).json();
    expect(body.errors[0].extensions.originalError).toEqual({ name: 'SyntaxError', message: expect.stringContaining(MARKER) });
  });
});

describe('/readyz details', () => {
  const KEYS = { AUTH_REQUIRED: 'true', GATEWAY_API_KEYS: '{"reader-key-1":["jobs:read"]}' };
  const readyz = async (t: TestGateway, headers: Record<string, string> = {}) => {
    const response = await fetch(`${t.url}/readyz`, { headers });
    return { status: response.status, body: await response.json() };
  };

  it('should tell only callers with valid credentials why a check fails, and everyone its state; everyone all with AUTH_REQUIRED=false', async () => {
    const t = await leftovers.gateway({ ...KEYS, UPSTREAM_MAX_ATTEMPTS: '1' });
    t.simulator.faults.failureRate = 1;
    const state = { ready: true, phase: 'serving', upstream: 'unavailable', degraded: true };

    // The first check probes Bedrock (nothing else called it) and finds it failing.
    expect(await readyz(t)).toEqual({ status: 200, body: { ...state, checks: { upstream: { ok: false } } } });
    expect(await readyz(t, { 'x-api-key': 'wrong-key' })).toEqual({ status: 200, body: { ...state, checks: { upstream: { ok: false } } } });
    expect(await readyz(t, { 'x-api-key': 'reader-key-1' })).toEqual({
      status: 200,
      body: { ...state, checks: { upstream: { ok: false, detail: expect.stringContaining('failed') } } },
    });
    // The wrong key was a failed authentication like any other; no credentials were none.
    expect(sample(await t.metrics(), 'gateway_graphql_rejected_total{reason="unauthenticated"}')).toBe(1);

    const open = await leftovers.gateway({ UPSTREAM_MAX_ATTEMPTS: '1' }, { seed: false });
    open.simulator.faults.failureRate = 1;
    expect((await readyz(open)).body.checks.upstream).toEqual({ ok: false, detail: expect.stringContaining('failed') });
  });
});

/** An HTTP request to the gateway with the Host header given (fetch would not send another). */
function requestWithHost(
  t: TestGateway,
  host: string,
  path: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method, headers: { ...headers, host }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Resolves with the HTTP status of a refused WebSocket upgrade, or 101 when the socket opens. */
function upgradeWithHost(t: TestGateway, host: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers: { host } });
    leftovers.push(() => socket.terminate());
    socket.once('open', () => resolve(101));
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}

const GRAPHQL_POST = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' };
const ROUTES: Array<[string, Parameters<typeof requestWithHost>[3]?]> = [
  ['/graphql', GRAPHQL_POST],
  ['/healthz'],
  ['/readyz'],
  ['/metrics'],
  ['/'],
  ['/assets/dashboard.js'],
  ['/events/bedrock', { method: 'POST', body: '{}' }],
  ['/nowhere'],
];

describe('Host headers (DNS rebinding)', () => {
  it('should refuse another Host on every route and on WebSocket upgrades with auth off, and count it', async () => {
    const t = await leftovers.gateway();
    for (const [path, init] of ROUTES) {
      const refused = await requestWithHost(t, 'evil.example:4000', path, init);
      expect({ path, status: refused.status }).toEqual({ path, status: 421 });
      expect(refused.text).toContain('ALLOWED_HOSTS');
    }
    expect(await upgradeWithHost(t, 'evil.example')).toBe(421);
    expect(await upgradeWithHost(t, 'evil.example.')).toBe(421);
    expect((await requestWithHost(t, 'localhost.evil.example', '/healthz')).status).toBe(421);
    expect((await requestWithHost(t, 'not a host', '/healthz')).status).toBe(421);
    expect(sample(await t.metrics(), 'gateway_graphql_rejected_total{reason="host_not_allowed"}')).toBe(ROUTES.length + 4);

    // Localhost names and IP addresses: a rebinding page has neither.
    for (const host of ['localhost', 'localhost:4000', 'app.localhost:4000', '127.0.0.1', '10.1.2.3:4000', '[::1]:4000', 'LOCALHOST']) {
      const answered = await requestWithHost(t, host, '/graphql', GRAPHQL_POST);
      expect({ host, ...answered }).toEqual({ host, status: 200, text: '{"data":{"__typename":"Query"}}' });
      expect(await upgradeWithHost(t, host)).toBe(101);
    }
  });

  it('should answer the names in ALLOWED_HOSTS, and a port only as listed', async () => {
    const t = await leftovers.gateway({ ALLOWED_HOSTS: 'evil.example, *.apps.example, api.example:8443' });
    for (const host of ['evil.example', 'EVIL.example:4000', 'a.apps.example', 'api.example:8443', 'localhost']) {
      expect({ host, status: (await requestWithHost(t, host, '/graphql', GRAPHQL_POST)).status }).toEqual({ host, status: 200 });
    }
    expect(await upgradeWithHost(t, 'evil.example')).toBe(101);
    for (const host of ['apps.example', 'api.example', 'api.example:443', 'other.example']) {
      expect({ host, status: (await requestWithHost(t, host, '/healthz')).status }).toEqual({ host, status: 421 });
    }
  });

  it('should answer any Host by default with auth on, and only the listed ones with ALLOWED_HOSTS', async () => {
    const auth = { AUTH_REQUIRED: 'true', GATEWAY_API_KEYS: '{"reader-key-1":["jobs:read"]}' };
    const t = await leftovers.gateway(auth);
    const withKey = { ...GRAPHQL_POST, headers: { ...GRAPHQL_POST.headers, 'x-api-key': 'reader-key-1' } };
    expect((await requestWithHost(t, 'evil.example', '/graphql', withKey)).status).toBe(200);
    expect((await requestWithHost(t, 'evil.example', '/healthz')).status).toBe(200);
    expect(await upgradeWithHost(t, 'evil.example')).toBe(101);

    const listed = await leftovers.gateway({ ...auth, ALLOWED_HOSTS: 'jobs.example' });
    expect((await requestWithHost(listed, 'evil.example', '/healthz')).status).toBe(421);
    expect(await upgradeWithHost(listed, 'evil.example')).toBe(421);
    expect((await requestWithHost(listed, 'jobs.example', '/graphql', withKey)).status).toBe(200);
  });

  it('should take the configured HOST name and stop start-up on a bad ALLOWED_HOSTS, naming it', () => {
    expect(loadConfig({ HOST: 'gateway.internal' }).allowedHosts).toEqual(['gateway.internal']);
    expect(loadConfig({}).allowedHosts).not.toBe('any');
    expect(loadConfig({ AUTH_REQUIRED: 'true', GATEWAY_API_KEYS: '{"k":["jobs:read"]}' }).allowedHosts).toBe('any');
    expect(loadConfig({ ALLOWED_HOSTS: '*' }).allowedHosts).toBe('any');
    for (const value of ['https://jobs.example', 'jobs.example/path', 'a,b c', 'jobs.example:port', '*,jobs.example']) {
      expect(() => loadConfig({ ALLOWED_HOSTS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ALLOWED_HOSTS: value })).toThrow(/^ALLOWED_HOSTS must be \* or a comma-separated list of host names.*\(got "[^"\n]+"\)$/);
    }
  });
});
