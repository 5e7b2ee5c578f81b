// Issue 14, item 4: no one client can use up the connections. Caps per client address
// (MAX_CONNECTIONS_PER_IP) and in total (MAX_CONNECTIONS) answer 503 with retry-after on the raw
// socket, and sockets that carry no request are closed after the HTTP timeouts. The attacker
// connects from 127.0.0.2, so the test's own checks from 127.0.0.1 show that others still get in.
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { useLeftovers } from './support/leftovers.ts';
import { sample } from './support/metrics.ts';
import { createWsClient, subscribeSse, subscribeWs } from './support/subscriptions.ts';

const leftovers = useLeftovers();
const ATTACKER = '127.0.0.2';
const STATUS_CHANGED = `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status } }`;
const JOB = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId status } }`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface SendOptions {
  localAddress?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One request on a connection of its own (closed after it), from `localAddress`. */
function send(url: string, { localAddress, method = 'GET', headers, body: sent }: SendOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, localAddress, method, headers: { connection: 'close', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(sent);
  });
}

const graphql = (url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) =>
  send(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
const graphqlFrom = (url: string, forwardedFor: string, query: string, variables: Record<string, unknown>) =>
  graphql(url, query, variables, { 'x-forwarded-for': forwardedFor });

/** A TCP connection from `localAddress`, once connected. */
function open(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything the server sends on `socket` until it closes the connection. */
function answerOf(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(text));
  });
}

/** Connections the server holds, refused ones still closing included. */
const connectionsOf = (server: Server) =>
  new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
const portOf = (url: string) => Number(new URL(url).port);
const rejections = async (url: string, reason: string) =>
  sample((await send(`${url}/metrics`)).body, `gateway_graphql_rejected_total{reason="${reason}"}`);

describe('connections per client address', () => {
  it('should answer the 21st connection from one address with 503 and retry-after, and keep serving others', async () => {
    const t = await leftovers.gateway({ MAX_CONNECTIONS_PER_IP: '20' });
    const port = portOf(t.url);
    const held = await Promise.all(Array.from({ length: 20 }, () => open(port, ATTACKER)));
    leftovers.push(() => held.forEach((socket) => socket.destroy()));
    await vi.waitFor(async () => expect(await connectionsOf(t.gateway.server)).toBe(20), { timeout: 5000 });

    const refused = await answerOf(await open(port, ATTACKER));
    expect(refused).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(refused).toMatch(/\r\nretry-after: 1\r\n/);
    expect(refused).toMatch(/\r\nconnection: close\r\n/);
    expect(JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4))).toEqual({
      errors: [{ message: expect.stringContaining('MAX_CONNECTIONS_PER_IP'), extensions: { code: 'LIMIT_EXCEEDED', limit: 'MAX_CONNECTIONS_PER_IP' } }],
    });
    // A client speaking HTTP reads it as an answer, not as a reset.
    const attempt = await send(`${t.url}/healthz`, { localAddress: ATTACKER });
    expect(attempt).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });

    // Everyone else is served. (Connections of their own, closed after each answer: the test
    // counts the server's connections below.)
    expect((await send(`${t.url}/healthz`)).status).toBe(200);
    const query = await graphql(t.url, JOB, { id: 'zzzzzzzzzzzz' });
    expect(JSON.parse(query.body).errors[0].extensions.code).toBe('NOT_FOUND');

    // Closing some frees their slots.
    for (const socket of held.splice(0, 5)) socket.destroy();
    await vi.waitFor(async () => expect(await connectionsOf(t.gateway.server)).toBeLessThanOrEqual(15), { timeout: 5000 });
    expect((await send(`${t.url}/healthz`, { localAddress: ATTACKER })).status).toBe(200);
    expect(await rejections(t.url, 'connection_limit_per_ip')).toBe(2);
  });

  it('should behind a trusted proxy cap requests and WebSockets per forwarded address, not the proxy\'s idle connections', async () => {
    const t = await leftovers.gateway({ TRUST_PROXY_HOPS: '1', MAX_CONNECTIONS_PER_IP: '2', RATE_LIMIT_RPS: '0' });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    // The proxy's own connections (here: idle ones, more than the cap) are not one client's.
    const idle = await Promise.all(Array.from({ length: 5 }, () => open(portOf(t.url), ATTACKER)));
    leftovers.push(() => idle.forEach((socket) => socket.destroy()));

    t.simulator.faults.operations = ['GetModelInvocationJob'];
    t.simulator.faults.hang = true;
    const held = [graphqlFrom(t.url, '203.0.113.7', JOB, { id: job.jobId }), graphqlFrom(t.url, '203.0.113.7', JOB, { id: job.jobId })];
    await vi.waitFor(() => expect(t.simulator.stats().inFlight).toBe(2), { timeout: 5000 });

    const third = await graphqlFrom(t.url, '203.0.113.7', JOB, { id: job.jobId });
    expect(third).toMatchObject({ status: 503, headers: { 'retry-after': '1', connection: 'close' } });
    expect(JSON.parse(third.body).errors[0].extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'MAX_CONNECTIONS_PER_IP' });
    const upgrade = new WebSocket(`${t.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    const upgradeStatus = await new Promise<number>((resolve, reject) => {
      upgrade.once('unexpected-response', (_req, res) => resolve(res.statusCode!));
      upgrade.once('open', () => reject(new Error('upgrade admitted')));
      upgrade.once('error', reject);
    });
    expect(upgradeStatus).toBe(503);
    expect((await send(`${t.url}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.1' } })).status).toBe(200);

    t.simulator.faults.reset();
    for (const answer of await Promise.all(held)) expect(answer.status).toBe(200);
    expect((await graphqlFrom(t.url, '203.0.113.7', JOB, { id: job.jobId })).status).toBe(200);
    expect(await rejections(t.url, 'connection_limit_per_ip')).toBe(2);
  });
});

describe('connections in total', () => {
  it('should answer connections beyond MAX_CONNECTIONS with 503 and retry-after, from any address, until one closes', async () => {
    const t = await leftovers.gateway({ MAX_CONNECTIONS: '10' });
    const port = portOf(t.url);
    const held = await Promise.all(Array.from({ length: 10 }, () => open(port, ATTACKER)));
    leftovers.push(() => held.forEach((socket) => socket.destroy()));
    await vi.waitFor(async () => expect(await connectionsOf(t.gateway.server)).toBe(10), { timeout: 5000 });

    const refused = await send(`${t.url}/healthz`);
    expect(refused).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(JSON.parse(refused.body).errors[0].extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'MAX_CONNECTIONS' });

    held.pop()!.destroy();
    await vi.waitFor(async () => expect(await connectionsOf(t.gateway.server)).toBeLessThanOrEqual(9), { timeout: 5000 });
    expect((await send(`${t.url}/healthz`)).status).toBe(200);
    await vi.waitFor(async () => expect(await connectionsOf(t.gateway.server)).toBeLessThanOrEqual(9), { timeout: 5000 });
    expect(await rejections(t.url, 'connection_limit')).toBe(1);
  });
});

describe('idle and slow sockets', () => {
  it('should close a socket that sends nothing, or half a request, after HTTP_HEADERS_TIMEOUT_MS with 408', async () => {
    const t = await leftovers.gateway({ HTTP_HEADERS_TIMEOUT_MS: '100' });
    const silent = await open(portOf(t.url));
    const half = await open(portOf(t.url));
    half.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    const [silentAnswer, halfAnswer] = await Promise.all([answerOf(silent), answerOf(half)]);
    expect(silentAnswer).toMatch(/^HTTP\/1\.1 408 /);
    expect(halfAnswer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('should close a request whose body never completes after HTTP_REQUEST_TIMEOUT_MS, and an idle keep-alive socket after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const t = await leftovers.gateway({ HTTP_HEADERS_TIMEOUT_MS: '50', HTTP_REQUEST_TIMEOUT_MS: '200', HTTP_KEEP_ALIVE_TIMEOUT_MS: '100' });
    const slowBody = await open(portOf(t.url));
    slowBody.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":');
    expect(await answerOf(slowBody)).toMatch(/^HTTP\/1\.1 408 /);

    const keepAlive = await open(portOf(t.url));
    keepAlive.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    // Answered, then closed by the server while the client sends nothing more.
    expect(await answerOf(keepAlive)).toMatch(/^HTTP\/1\.1 200 [^]*\r\nconnection: keep-alive\r\n/i);
  });

  it('should not cut SSE streams or WebSockets that outlive the request timeout', async () => {
    const t = await leftovers.gateway({ HTTP_HEADERS_TIMEOUT_MS: '50', HTTP_REQUEST_TIMEOUT_MS: '100', HTTP_KEEP_ALIVE_TIMEOUT_MS: '50', POLL_INTERVAL_MS: '25' });
    const job = t.simulator.engine.createJob({ status: 'Submitted' }, { paused: true, outcome: 'Completed', totalRecordCount: 100 });
    const sse = subscribeSse(t.url, STATUS_CHANGED, { id: job.jobId });
    leftovers.push(() => sse.abort());
    const client = createWsClient(t.url);
    leftovers.push(() => client.dispose());
    const ws = subscribeWs(client, STATUS_CHANGED, { id: job.jobId });
    expect((await sse.next()).data).toEqual({ modelInvocationJobStatusChanged: { status: 'SUBMITTED' } });
    expect((await ws.next()).data).toEqual({ modelInvocationJobStatusChanged: { status: 'SUBMITTED' } });

    // A request started after both streams is cut by the request timeout: by then, both are older.
    const slow = await open(portOf(t.url));
    slow.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    expect(await answerOf(slow)).toMatch(/^HTTP\/1\.1 408 /);

    t.simulator.engine.advance(job.jobId);
    expect((await sse.next()).data).toEqual({ modelInvocationJobStatusChanged: { status: 'VALIDATING' } });
    expect((await ws.next()).data).toEqual({ modelInvocationJobStatusChanged: { status: 'VALIDATING' } });
  });
});
