// Streams per credential (issue 14, item 4): open graphql-ws connections and SSE subscriptions
// of one credential (or, without one, one client address) are counted together up to
// MAX_STREAMS_PER_CREDENTIAL. Beyond it a WebSocket is closed with 1013 at connection_init and an
// SSE subscription answered 503 with Retry-After and LIMIT_EXCEEDED; a slot frees when its
// stream ends, and other callers keep working throughout.
import { describe, expect, it } from 'vitest';
import { ATTACKER, connect, openSse, type SseStream } from './support/abuse-clients.ts';
import { useLeftovers } from './support/leftovers.ts';
import { sample } from './support/metrics.ts';
import type { TestGateway } from './support/test-gateway.ts';

const leftovers = useLeftovers();
const KEYS = { a: 'streams-key-a-0123456789', b: 'streams-key-b-0123456789' };
const MAX = 3;
const UPDATED = `subscription($id: String!) { modelInvocationJobUpdated(jobIdentifier: $id) { jobId status } }`;

const secured = () =>
  leftovers.gateway({
    AUTH_REQUIRED: 'true',
    GATEWAY_API_KEYS: JSON.stringify({ [KEYS.a]: ['jobs:read'], [KEYS.b]: ['jobs:read'] }),
    MAX_STREAMS_PER_CREDENTIAL: String(MAX),
    POLL_INTERVAL_MS: '50',
  });

/** A graphql-ws connection_init with this API key (or none), from `from`: 'acked' or the close code. */
async function socketOutcome(t: TestGateway, apiKey: string | undefined, from?: string) {
  const { ws, outcome, reason } = await connect(t.url, apiKey ? { 'x-api-key': apiKey } : {}, { from });
  leftovers.push(() => ws.socket.terminate());
  return { ws, outcome, reason };
}

/** An SSE subscription to a running job with this API key (or none), from `from`, aborted after the test. */
function sse(t: TestGateway, jobId: string, apiKey: string | undefined, from?: string): SseStream {
  const stream = openSse(t.url, UPDATED, { id: jobId }, { headers: apiKey ? { 'x-api-key': apiKey } : {}, from });
  leftovers.push(() => stream.abort());
  return stream;
}

/** Resolves with the first event of a stream that was let in, after checking it was. */
async function expectStreaming(stream: SseStream, jobId: string) {
  expect((await stream.answered).status).toBe(200);
  expect((await stream.next()).data).toEqual({ modelInvocationJobUpdated: { jobId, status: 'IN_PROGRESS' } });
}

/** Checks an SSE refusal for too many streams: 503, Retry-After, one LIMIT_EXCEEDED error naming the variable. */
async function expectRefused(stream: SseStream) {
  const { status, headers } = await stream.answered;
  expect(status).toBe(503);
  expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(1);
  await stream.done;
  expect(stream.events).toHaveLength(1);
  expect(stream.events[0]!.errors).toEqual([
    expect.objectContaining({ extensions: { code: 'LIMIT_EXCEEDED', limit: 'MAX_STREAMS_PER_CREDENTIAL' } }),
  ]);
  expect(stream.events[0]!.errors![0]!.message).toContain('MAX_STREAMS_PER_CREDENTIAL');
}

describe('streams per credential', () => {
  it('should close a WebSocket beyond MAX_STREAMS_PER_CREDENTIAL with 1013 at connection_init, free the slot on close, and let other credentials connect', async () => {
    const t = await secured();
    const held = [];
    for (let i = 0; i < MAX; i++) {
      const socket = await socketOutcome(t, KEYS.a);
      expect(socket.outcome).toBe('acked');
      held.push(socket.ws);
    }
    const refused = await socketOutcome(t, KEYS.a);
    expect(refused.outcome).toBe(1013);
    expect(refused.reason).toContain('MAX_STREAMS_PER_CREDENTIAL');
    expect((await socketOutcome(t, KEYS.b)).outcome).toBe('acked');
    expect((await t.post({ query: '{ __typename }' }, { 'x-api-key': KEYS.a })).status).toBe(200);

    // Closing one frees its slot once the server has seen it close.
    held[0]!.socket.close(1000);
    await held[0]!.closed;
    await expect.poll(async () => (await socketOutcome(t, KEYS.a)).outcome).toBe('acked');
    expect((await socketOutcome(t, KEYS.a)).outcome).toBe(1013);
    expect(sample(await t.metrics(), 'gateway_graphql_rejected_total{reason="too_many_streams"}')).toBeGreaterThanOrEqual(2);
  });

  it('should count WebSockets and SSE subscriptions together, answer an SSE subscription beyond the cap 503 with Retry-After, and free a slot when a stream ends', async () => {
    const t = await secured();
    const running = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const finished = t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
    // Streams that complete give their slot back: more of them than the cap, one after another.
    for (let i = 0; i < MAX + 2; i++) {
      const stream = sse(t, finished.jobId, KEYS.a);
      expect((await stream.answered).status).toBe(200);
      await stream.done;
      expect(stream.completed).toBe(true);
    }

    const streams = [sse(t, running.jobId, KEYS.a), sse(t, running.jobId, KEYS.a)];
    for (const stream of streams) await expectStreaming(stream, running.jobId);
    expect((await socketOutcome(t, KEYS.a)).outcome).toBe('acked');

    await expectRefused(sse(t, running.jobId, KEYS.a));
    expect((await socketOutcome(t, KEYS.a)).outcome).toBe(1013);
    // Only subscriptions are streams: a query asked for as SSE is answered.
    const query = openSse(t.url, '{ __typename }', {}, { headers: { 'x-api-key': KEYS.a } });
    expect((await query.answered).status).toBe(200);
    await query.done;
    expect(query.events.map((event) => event.data)).toEqual([{ __typename: 'Query' }]);
    // Another credential is not affected.
    await expectStreaming(sse(t, running.jobId, KEYS.b), running.jobId);

    // A client going away frees its stream's slot.
    streams[0]!.abort();
    await expect.poll(async () => {
      const stream = sse(t, running.jobId, KEYS.a);
      return (await stream.answered).status;
    }).toBe(200);
  });

  it('should key callers without credentials by client address', async () => {
    const t = await leftovers.gateway({ MAX_STREAMS_PER_CREDENTIAL: '2', POLL_INTERVAL_MS: '50' });
    const running = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    expect((await socketOutcome(t, undefined, ATTACKER)).outcome).toBe('acked');
    await expectStreaming(sse(t, running.jobId, undefined, ATTACKER), running.jobId);
    expect((await socketOutcome(t, undefined, ATTACKER)).outcome).toBe(1013);
    await expectRefused(sse(t, running.jobId, undefined, ATTACKER));

    expect((await socketOutcome(t, undefined)).outcome).toBe('acked');
    await expectStreaming(sse(t, running.jobId, undefined), running.jobId);
  });
});
