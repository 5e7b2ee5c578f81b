// Clients for the abuse tests: plain HTTP, SSE and raw graphql-ws sockets that may come from
// another loopback address (ATTACKER), so per-address limits hit the attacker while the test's own
// checks still come from 127.0.0.1.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import { createEventQueue, type EventQueue } from './event-queue.ts';
import { createSseReader } from './subscriptions.ts';
import type { GraphQLResponse } from './test-gateway.ts';

/** The attacker's source address: loopback, but not the test's own 127.0.0.1. */
export const ATTACKER = '127.0.0.2';

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Source address of the connection. @default the system's choice (127.0.0.1) */
  from?: string;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request over a fresh connection, read to its end. */
export function send(url: string, { method = 'POST', headers = {}, body, from }: SendOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, localAddress: from, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface SseStream extends EventQueue<GraphQLResponse> {
  /** The response's status and headers, once they arrive. */
  readonly answered: Promise<{ status: number; headers: IncomingHttpHeaders }>;
  /** Whether the server sent `event: complete` (rather than the connection just ending). */
  readonly completed: boolean;
  /** Closes the connection, as a client going away does. */
  abort(): void;
}

/** A subscription (or any operation) over SSE: each `next` event's data is an event of the queue. */
export function openSse(
  httpUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  { headers = {}, from }: { headers?: Record<string, string>; from?: string } = {},
): SseStream {
  const queue = createEventQueue<GraphQLResponse>();
  const messages = createSseReader(queue);
  let answer!: (value: { status: number; headers: IncomingHttpHeaders }) => void;
  let fail!: (error: unknown) => void;
  const answered = new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => ((answer = resolve), (fail = reject)));
  answered.catch(() => undefined);
  const req = httpRequest(
    `${httpUrl}/graphql`,
    {
      method: 'POST',
      localAddress: from,
      agent: false,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    },
    (res) => {
      answer({ status: res.statusCode!, headers: res.headers });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => messages.read(chunk));
      res.on('end', () => queue.complete());
      res.on('close', () => queue.complete());
    },
  );
  req.on('error', (error) => {
    fail(error);
    queue.fail(error);
  });
  req.end(JSON.stringify({ query, variables }));
  // Object.assign would copy the getter's value, not the getter.
  return Object.defineProperties(queue, {
    answered: { value: answered },
    completed: { get: () => messages.completed },
    abort: { value: () => req.destroy() },
  }) as SseStream;
}

export interface RawSocket {
  socket: WebSocket;
  /** How the socket closed. */
  closed: Promise<{ code: number; reason: string }>;
  /** Every message received, parsed. */
  messages: Array<{ type: string; id?: string; payload?: any }>;
  /** Resolves once `count` messages of `type` have arrived in all. */
  received(type: string, count?: number): Promise<void>;
  send(message: unknown): void;
}

/** A graphql-transport-ws socket to /graphql, open. */
export async function openSocket(httpUrl: string, { from }: { from?: string } = {}): Promise<RawSocket> {
  const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { localAddress: from });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.once('error', () => undefined);
  const messages: RawSocket['messages'] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as RawSocket['messages'][number]);
    for (const waiter of [...waiters]) waiter();
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    closed,
    messages,
    received: (type, count = 1) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (messages.filter((message) => message.type === type).length < count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    send: (message) => socket.send(JSON.stringify(message)),
  };
}

/**
 * Opens a socket and sends connection_init with `payload`: `acked` once the server acknowledges,
 * or the code it closed the socket with.
 */
export async function connect(
  httpUrl: string,
  payload: Record<string, unknown>,
  options: { from?: string } = {},
): Promise<{ ws: RawSocket; outcome: 'acked' | number; reason?: string }> {
  const ws = await openSocket(httpUrl, options);
  ws.send({ type: 'connection_init', payload });
  return Promise.race([
    ws.received('connection_ack').then(() => ({ ws, outcome: 'acked' as const })),
    ws.closed.then(({ code, reason }) => ({ ws, outcome: code, reason })),
  ]);
}
