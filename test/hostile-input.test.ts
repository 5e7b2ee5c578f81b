// Hostile input against the running server: random documents, variables, identifiers and bodies
// (fast-check), a corpus of known GraphQL attacks, and WebSocket protocol abuse. Every case gets a
// clean 4xx or a GraphQL error; afterwards the process still answers and holds nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import WebSocket from 'ws';
import { identifier, operation } from './support/hostile-documents.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const API_KEY = 'hostile-suite-key-0123456789';
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    AUTH_REQUIRED: 'true',
    GATEWAY_API_KEYS: JSON.stringify({ [API_KEY]: ['jobs:read'] }),
    // One client sends everything here; the rate limit and stream cap have their own tests.
    RATE_LIMIT_RPS: '0',
    MAX_STREAMS_PER_CREDENTIAL: '0',
    WS_CONNECTION_INIT_TIMEOUT_MS: '200',
  });
  t.simulator.engine.addJobs(5, { status: 'InProgress' }, { paused: true });
});
afterAll(() => t.close());

/** What any client may get for bad input. A 5xx, a masked internal error or a hang is a failure. */
const CLEAN_STATUSES = [200, 400, 401, 403, 405, 406, 413, 415, 429, 431];

async function expectClean(response: Response): Promise<void> {
  expect(CLEAN_STATUSES, `status ${response.status}`).toContain(response.status);
  const text = await response.text();
  expect(text).not.toMatch(/Unexpected error|INTERNAL_SERVER_ERROR|\bat .*\.ts:\d+/);
  if ((response.headers.get('content-type') ?? '').includes('json') && text) {
    const body = JSON.parse(text) as { data?: unknown; errors?: Array<{ message: unknown }> };
    expect(body.data !== undefined || Array.isArray(body.errors)).toBe(true);
  }
}

const send = (body: BodyInit | null, headers: Record<string, string> = {}, init: RequestInit = {}) =>
  fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-api-key': API_KEY, ...headers },
    body,
    ...init,
  });

const graphqlBody = (query: unknown, vars?: unknown, operationName?: unknown) => JSON.stringify({ query, variables: vars, operationName });

describe('property-based: random input over HTTP', () => {
  it('should answer random documents with random variables cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(operation, async ({ query, variables, operationName }) => {
        await expectClean(await send(graphqlBody(query, variables, operationName)));
      }),
      { numRuns: 150 },
    );
  });

  it('should answer random job identifiers with the job, NOT_FOUND or BAD_USER_INPUT, calling Bedrock only for well-formed ones', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(identifier, { minLength: 1, maxLength: 5 }), async (ids) => {
        t.simulator.resetStats();
        const response = await send(graphqlBody('query($ids: [String!]!) { jobs: modelInvocationJobsByIdentifier(jobIdentifiers: $ids) { jobId } }', { ids }));
        await expectClean(response.clone());
        const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
        for (const error of body.errors ?? []) expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain(error.extensions?.code);
        const wellFormed = new Set(ids.filter((id) => /^(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job\/)?[a-z0-9]{12}$/.test(id)).map((id) => id.slice(-12)));
        expect(t.simulator.stats().calls.GetModelInvocationJob).toBeLessThanOrEqual(wellFormed.size);
      }),
      { numRuns: 60 },
    );
  });

  it('should answer random bodies, JSON or not, cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 500 }), fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.from(b))),
        fc.constantFrom('application/json', 'application/graphql', 'application/json; charset=latin1', 'application/xml', ''),
        async (body, contentType) => {
          await expectClean(await send(body, contentType ? { 'content-type': contentType } : { 'content-type': 'application/octet-stream' }));
        },
      ),
      { numRuns: 80 },
    );
  });
});

const deep = (levels: number, open: string, close: string, inner: string) => `${open.repeat(levels)}${inner}${close.repeat(levels)}`;
const fragmentBomb = () => {
  const fragments = ['fragment F0 on Query { __typename modelInvocationJob(jobIdentifier: "zzzzzzzzzzzz") { jobId status } }'];
  for (let i = 1; i <= 12; i++) fragments.push(`fragment F${i} on Query { ...F${i - 1} a${i}: __typename ...F${i - 1} }`);
  return `{ ...F12 } ${fragments.join(' ')}`;
};

describe('known attacks', () => {
  it.each<[string, () => Promise<Response>, number, RegExp?]>([
    ['deep introspection nesting', () => send(graphqlBody(`{ __type(name: "Query") ${deep(40, '{ fields { type ', '} } ', '{ name }')} }`)), 400, /depth limit|Token limit|Maximum introspection depth/],
    ['deep __schema recursion (exponential response)', () => send(graphqlBody(`{ __schema { types ${deep(6, '{ fields { type ', '} } ', '{ name }')} } }`)), 400, /Maximum introspection depth exceeded/],
    ['ten thousand nested selections', () => send(graphqlBody(`{ ${'a { '.repeat(10_000)}`)), 400, /Token limit/],
    ['an alias bomb', () => send(graphqlBody(`{ ${Array.from({ length: 100 }, (_, i) => `a${i}: modelInvocationJob(jobIdentifier: "zzzzzzzzzzzz") { jobId }`).join(' ')} }`)), 400, /Aliases limit of 20 exceeded|Token limit/],
    ['a fragment bomb', () => send(graphqlBody(fragmentBomb())), 400, /Cost limit/],
    ['a fragment cycle', () => send(graphqlBody('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }')), 400, /Cannot spread fragment/],
    ['directive overload', () => send(graphqlBody(`{ __typename ${'@include(if: true) '.repeat(100)}}`)), 400, /Directives limit of 20 exceeded/],
    ['a huge inline list', () => send(graphqlBody(`{ modelInvocationJobsByIdentifier(jobIdentifiers: [${'"zzzzzzzzzzzz",'.repeat(5000)}]) { jobId } }`)), 400, /Token limit/],
    ['a huge variables list', () => send(graphqlBody('query($ids: [String!]!) { modelInvocationJobsByIdentifier(jobIdentifiers: $ids) { jobId } }', { ids: Array(1001).fill('zzzzzzzzzzzz') })), 200, /at most 100 identifiers/],
    ['an oversized body', () => send(graphqlBody('{ __typename }', { pad: 'x'.repeat(200_000) })), 413, /MAX_REQUEST_BODY_BYTES/],
    ['deeply nested JSON variables', () => send(`{"query":"query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId } }","variables":{"id":${deep(20_000, '[', ']', '1')}}}`), 400, /String cannot represent a non string value/],
    ['malformed JSON', () => send('{"query": "{ __typename }"'), 400],
    ['a JSON array (batching is off)', () => send(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }])), 400],
    ['a non-string query', () => send(JSON.stringify({ query: { evil: true } })), 400],
    ['prototype pollution in variables', () => send('{"query":"query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId } }","variables":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"id":"zzzzzzzzzzzz"}}'), 200],
    // With its x-api-key a browser would preflight it; without one, CSRF prevention answers 403
    // (test/browser-safety.test.ts). Either way nothing runs.
    ['a text/plain body', () => send(graphqlBody('{ __typename }'), { 'content-type': 'text/plain' }), 415],
    ['an XML content type', () => send('<query/>', { 'content-type': 'application/xml' }), 415],
    ['a PUT', () => send(graphqlBody('{ __typename }'), {}, { method: 'PUT' }), 405],
    ['a mutation over GET', () => fetch(`${t.url}/graphql?query=${encodeURIComponent('mutation { __typename }')}`, { headers: { 'x-api-key': API_KEY, 'x-graphql-yoga-csrf': '1' } }), 405],
    ['a 20 kB query string', () => fetch(`${t.url}/graphql?query=${'x'.repeat(20_000)}`, { headers: { 'x-api-key': API_KEY, 'x-graphql-yoga-csrf': '1' } }), 431],
    ['a NUL byte and a 10,000-character identifier', () => send(graphqlBody('query($a: String!, $b: String!) { a: modelInvocationJob(jobIdentifier: $a) { jobId } b: modelInvocationJob(jobIdentifier: $b) { jobId } }', { a: 'abc\u0000defghijk', b: 'x'.repeat(10_000) })), 200, /Invalid job identifier/],
    ['an operationName that matches nothing', () => send(graphqlBody('query A { __typename } query B { __typename }', {}, 'C')), 400, /Could not determine what operation to execute/],
    ['a subscription over plain JSON', () => send(graphqlBody('subscription { modelInvocationJobUpdated(jobIdentifier: "zzzzzzzzzzzz") { jobId } }')), 200, /NOT_FOUND|No model invocation job/],
  ])('should refuse %s cleanly', async (_name, request, status, message) => {
    const response = await request();
    expect(response.status).toBe(status);
    const text = await response.clone().text();
    if (message) expect(text).toMatch(message);
    await expectClean(response);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/** A raw WebSocket to /graphql; `closed` resolves with how the server closed it. */
async function rawSocket(protocol: string | undefined = 'graphql-transport-ws') {
  const socket = protocol ? new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, protocol) : new WebSocket(`${t.url.replace('http', 'ws')}/graphql`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.once('error', () => undefined);
  await new Promise((resolve) => socket.once('open', resolve));
  const send = (message: unknown) => socket.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  /** Resolves with the first message whose type is `type`. */
  const received = (type: string) =>
    new Promise<void>((resolve) => socket.on('message', (data) => (JSON.parse(String(data)) as { type: string }).type === type && resolve()));
  return {
    socket,
    closed,
    send,
    received,
    /** connection_init with the suite's key, resolved on connection_ack (the server refuses operations before it). */
    async initialise() {
      const acked = received('connection_ack');
      send(init);
      await acked;
    },
  };
}

const init = { type: 'connection_init', payload: { 'x-api-key': API_KEY } };
const subscribe = (id: string, query = `subscription { modelInvocationJobUpdated(jobIdentifier: "zzzzzzzzzzzz") { jobId } }`) => ({ type: 'subscribe', id, payload: { query } });

describe('WebSocket protocol abuse', () => {
  it.each<[string, (ws: Awaited<ReturnType<typeof rawSocket>>) => void, number]>([
    ['a message that is not JSON', (ws) => ws.send('{{{{'), 4400],
    ['binary garbage', (ws) => ws.send(Buffer.from([0xff, 0x00, 0xfe, 0x13])), 4400],
    ['an unknown message type', (ws) => ws.send({ type: 'exterminate' }), 4400],
    ['subscribe before connection_init', (ws) => ws.send(subscribe('1')), 4401],
    ['connection_init twice', (ws) => (ws.send(init), ws.send(init)), 4429],
    ['a subscribe without an id', (ws) => (ws.send(init), ws.send({ type: 'subscribe', payload: { query: '{ __typename }' } })), 4400],
    ['a subscribe without a query', (ws) => (ws.send(init), ws.send({ type: 'subscribe', id: '1', payload: {} })), 4400],
    ['connection_init with a bad key', (ws) => ws.send({ type: 'connection_init', payload: { 'x-api-key': 'guess' } }), 4403],
    ['connection_init with a non-object payload', (ws) => ws.send({ type: 'connection_init', payload: 'x-api-key' }), 4400],
    ['silence', () => undefined, 4408],
  ])('should close the socket on %s', async (_name, abuse, code) => {
    const ws = await rawSocket();
    abuse(ws);
    expect((await ws.closed).code).toBe(code);
  });

  it('should close on a reused operation id with 4409', async () => {
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const ws = await rawSocket();
    await ws.initialise();
    const query = `subscription { modelInvocationJobUpdated(jobIdentifier: "${job.jobId}") { jobId } }`;
    const first = ws.received('next');
    ws.send(subscribe('same', query));
    await first;
    ws.send(subscribe('same', query));
    expect((await ws.closed).code).toBe(4409);
  });

  it('should not agree to a subprotocol it does not speak (legacy subscriptions-transport-ws)', async () => {
    const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-ws');
    socket.once('error', () => undefined); // the client gives up: the server named no subprotocol
    const response = await new Promise<{ headers: Record<string, unknown> }>((resolve) => socket.once('upgrade', resolve));
    expect(response.headers['sec-websocket-protocol']).toBeUndefined();
    await new Promise((resolve) => socket.once('close', resolve));
  });

  it('should survive many clients that subscribe and vanish', async () => {
    const jobs = t.simulator.engine.addJobs(3, { status: 'InProgress' }, { paused: true });
    const sockets = await Promise.all(Array.from({ length: 20 }, () => rawSocket()));
    await Promise.all(
      sockets.map(async (ws, i) => {
        await ws.initialise();
        const first = ws.received('next');
        ws.send(subscribe('1', `subscription { modelInvocationJobStatusChanged(jobIdentifier: "${jobs[i % 3]!.jobId}") { status } }`));
        await first;
      }),
    );
    expect(t.gateway.feed.size).toBe(20);
    for (const ws of sockets) ws.socket.terminate();
    await expect.poll(() => t.gateway.feed.size).toBe(0);
  });
});

describe('after the suite', () => {
  it('should still answer, and hold no streams, watches or sockets', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const client = createWsClient(t.url, { connectionParams: { 'x-api-key': API_KEY } });
    const [job] = t.simulator.engine.addJobs(1, { status: 'Completed' }, { paused: true });
    const sub = subscribeWs(client, `subscription { modelInvocationJobStatusChanged(jobIdentifier: "${job!.jobId}") { status } }`);
    await sub.done;
    expect(sub.events).toHaveLength(1);
    await client.dispose();
    expect((await t.graphql(`{ modelInvocationJob(jobIdentifier: "${job!.jobId}") { status } }`, {}, { headers: { 'x-api-key': API_KEY } })).data).toEqual({
      modelInvocationJob: { status: 'COMPLETED' },
    });
    await expect.poll(() => t.gateway.feed.size).toBe(0);
    await expect.poll(() => t.gateway.poller.stats()).toMatchObject({ watched: 0, idle: true });
    await expect.poll(async () => /gateway_websocket_connections 0\n/.test(await t.metrics())).toBe(true);
    expect(t.simulator.stats().inFlight).toBe(0);
  });
});
