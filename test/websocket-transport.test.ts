// graphql-ws hygiene: init timeout, keep-alive pings, the per-connection cap, graceful shutdown.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';
import { createWsClient, subscribeSse, subscribeWs } from './support/subscriptions.ts';
import { useLeftovers } from './support/leftovers.ts';

const STATUS_CHANGED = `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status } }`;
const leftovers = useLeftovers();
const start = (env: Record<string, string> = {}): Promise<TestGateway> => leftovers.gateway({ POLL_INTERVAL_MS: '50', ...env });

function rawSocket(t: TestGateway): WebSocket {
  const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  leftovers.push(async () => socket.terminate());
  return socket;
}

const closeOf = (socket: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

describe('graphql-ws transport', () => {
  it('should close a socket that never sends connection_init with 4408', async () => {
    const t = await start({ WS_CONNECTION_INIT_TIMEOUT_MS: '100' });
    const { code } = await closeOf(rawSocket(t));
    expect(code).toBe(4408);
  });

  it('should ping connected clients to keep the connection alive', async () => {
    const t = await start({ WS_KEEP_ALIVE_MS: '50' });
    const socket = rawSocket(t);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    // graphql-ws keeps alive with WebSocket ping frames, which the peer answers by itself.
    const pinged = await new Promise<boolean>((resolve) => socket.once('ping', () => resolve(true)));
    expect(pinged).toBe(true);
  });

  it('should close a socket that speaks another protocol with 4400', async () => {
    const t = await start();
    const socket = rawSocket(t);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send('{"type":"nonsense"}');
    expect((await closeOf(socket)).code).toBe(4400);
  });

  it('should refuse operations beyond the per-connection cap with LIMIT_EXCEEDED, leaving the others running', async () => {
    const t = await start({ WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3' });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const client = createWsClient(t.url);
    leftovers.push(() => client.dispose() as Promise<void>);
    const subs = Array.from({ length: 3 }, () => subscribeWs(client, STATUS_CHANGED, { id: job.jobId }));
    await Promise.all(subs.map((sub) => sub.next()));
    const extra = subscribeWs(client, STATUS_CHANGED, { id: job.jobId });
    const error = await extra.done.then(() => undefined, (e: unknown) => e as Array<{ message: string; extensions: { code: string } }>);
    expect(error?.[0]?.extensions.code).toBe('LIMIT_EXCEEDED');
    expect(error?.[0]?.message).toContain('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION');
    t.simulator.engine.setStatus(job.jobId, 'Completed');
    await Promise.all(subs.map((sub) => sub.done));
  });

  it('should complete live subscriptions and close sockets with 1001 on shutdown', async () => {
    const t = await startTestGateway({ POLL_INTERVAL_MS: '50' });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    let closedWith!: (code: number) => void;
    const socketClosed = new Promise<number>((resolve) => (closedWith = resolve));
    const client = createWsClient(t.url, { on: { closed: (event) => closedWith((event as { code: number }).code) } });
    const ws = subscribeWs(client, STATUS_CHANGED, { id: job.jobId });
    const sse = subscribeSse(t.url, STATUS_CHANGED, { id: job.jobId });
    await Promise.all([ws.next(), sse.next()]);

    await t.close();
    await expect(ws.done).resolves.toBeUndefined();
    await expect(sse.done).resolves.toBeUndefined();
    expect(await socketClosed).toBe(1001);
    expect(t.gateway.poller.stats()).toMatchObject({ watched: 0, idle: true });
  });
});
