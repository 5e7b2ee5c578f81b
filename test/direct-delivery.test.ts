// Subscription events framed by the gateway itself (src/websocket/direct-delivery.ts), read back
// by a real ws client over a real socket: every frame size RFC 6455 distinguishes (7-bit, 16-bit
// and 64-bit lengths), in order, interleaved with messages ws frames itself, and nothing after
// the stream ended.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionResult } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { deliverDirectly } from '../src/websocket/direct-delivery.ts';
import { createEventStream, isPipeable, type EventStream } from '../src/subscriptions/event-stream.ts';
import { createEventQueue } from './support/event-queue.ts';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A ws server whose first connection gets one directly delivered operation fed by the returned stream. */
async function connect() {
  const server = createServer();
  const wsServer = new WebSocketServer({ server, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  closers.push(() => wsServer.close());

  const errors: unknown[] = [];
  const delivered = new Promise<{ stream: EventStream<ExecutionResult>; socket: WebSocket; held: AsyncIterableIterator<never> }>((resolve) =>
    wsServer.once('connection', (socket, request) => {
      const stream = createEventStream<ExecutionResult>(() => undefined);
      if (!isPipeable<ExecutionResult>(stream.iterator)) throw new Error('not pipeable');
      const held = deliverDirectly(
        stream.iterator,
        stream.iterator,
        { socket, connection: request.socket, id: 'op-1', operation: 'record' },
        { toPayload: (result) => ({ ...result, errors: result.errors?.map(() => ({ message: 'masked' })) }), onErrors: (e) => errors.push(e) },
      );
      resolve({ stream, socket, held });
    }),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  closers.push(() => client.terminate());
  const messages = createEventQueue<any>();
  client.on('message', (data) => messages.push(JSON.parse(String(data))));
  return { ...(await delivered), messages, errors };
}

describe('deliverDirectly', () => {
  it('should frame payloads of every length class whole and in order, with messages ws frames itself intact', async () => {
    const { stream, socket, held, messages } = await connect();
    const finished = held.next();
    const sizes = [10, 200, 70_000];
    for (const size of sizes) stream.push({ data: { text: 'x'.repeat(size) } });
    socket.send(JSON.stringify({ id: 'other', type: 'next', payload: { data: { framedBy: 'ws' } } }));
    stream.push({ data: { text: 'é✓'.repeat(50) } });
    stream.end();
    expect(await finished).toEqual({ value: undefined, done: true });
    // What graphql-ws does once the iterator it holds is done.
    socket.send(JSON.stringify({ id: 'op-1', type: 'complete' }));

    // Frames wait for the end of the turn, ws's own do not: operations may interleave, each in order.
    const received = await Promise.all(Array.from({ length: 6 }, () => messages.next()));
    expect(received.filter((message) => message.id === 'op-1').map((message) => message.payload?.data.text ?? message.type)).toEqual([
      ...sizes.map((size) => 'x'.repeat(size)),
      'é✓'.repeat(50),
      'complete',
    ]);
    expect(received.filter((message) => message.id === 'other')).toEqual([{ id: 'other', type: 'next', payload: { data: { framedBy: 'ws' } } }]);
  });

  it('should prepare a result with errors once and report its errors, and send nothing once the client left', async () => {
    const { stream, socket, held, messages, errors } = await connect();
    const failed: ExecutionResult = { data: null, errors: [] };
    (failed as { errors: unknown[] }).errors = [new Error('internal detail')];
    stream.push(failed);
    expect(await messages.next()).toEqual({ id: 'op-1', type: 'next', payload: { data: null, errors: [{ message: 'masked' }] } });
    expect(errors).toHaveLength(1);

    // The client completes the operation: the stream behind ends, later events go nowhere.
    expect(await held.return!()).toEqual({ value: undefined, done: true });
    stream.push({ data: { late: true } });
    expect(await held.next()).toEqual({ value: undefined, done: true });
    // Whatever ws sends next is the next message the client gets: nothing came in between.
    socket.send(JSON.stringify({ type: 'sentinel' }));
    expect(await messages.next()).toEqual({ type: 'sentinel' });
  });

  it('should end only the operation whose result cannot be sent, with its error', async () => {
    const { stream, socket, held, messages } = await connect();
    // JSON.stringify cannot write a BigInt.
    stream.push({ data: { big: 1n as unknown as number } });
    await expect(held.next()).rejects.toThrow(/BigInt/);
    stream.push({ data: { after: true } });
    socket.send(JSON.stringify({ type: 'sentinel' }));
    expect(await messages.next()).toEqual({ type: 'sentinel' });
  });
});
