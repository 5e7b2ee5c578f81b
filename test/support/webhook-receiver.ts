// A webhook receiver on a loopback port, as a customer would run one: it verifies every request
// with the standardwebhooks library and answers as the test says (a status, never, or by
// dropping the connection), so tests await deliveries instead of sleeping.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createEventQueue, type EventQueue } from './event-queue.ts';

export interface ReceivedRequest {
  /** The webhook-id header. */
  id: string;
  headers: IncomingHttpHeaders;
  method: string;
  path: string;
  body: string;
  /** Whether `new Webhook(secret).verify(body, headers)` accepted it. */
  verified: boolean;
  /** The verified JSON payload (undefined when not verified). */
  payload: any;
  /** How many requests with this id this receiver has had, this one included. */
  attempt: number;
}

/** A status to answer with, `hang` (never answer), or `drop` (destroy the connection). */
export type Answer = number | 'hang' | 'drop';

export interface WebhookReceiver {
  /** Where to send: `http://127.0.0.1:<port>/hooks/<token>`. */
  readonly url: string;
  readonly port: number;
  /** Every request, in the order they arrived. */
  readonly requests: EventQueue<ReceivedRequest>;
  /** Decides each answer. @default 204 */
  answer: (request: ReceivedRequest) => Answer;
  /** The requests carrying this id so far. */
  withId(id: string): ReceivedRequest[];
  /** Answers every request left hanging, with `status`. */
  release(status?: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string, { port = 0 }: { port?: number } = {}): Promise<WebhookReceiver> {
  const webhook = new Webhook(secret);
  const requests = createEventQueue<ReceivedRequest>();
  const hanging = new Set<ServerResponse>();
  const attempts = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      let payload: unknown;
      let verified = false;
      try {
        payload = webhook.verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        payload = undefined;
      }
      const request: ReceivedRequest = { id, headers: req.headers, method: req.method!, path: req.url!, body, verified, payload, attempt: attempts.get(id)! };
      const answer = receiver.answer(request);
      requests.push(request);
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
      } else if (answer === 'drop') {
        req.socket.destroy();
      } else {
        res.writeHead(answer).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${actualPort}/hooks/receiver-token-0123456789`,
    port: actualPort,
    requests,
    answer: () => 204,
    withId: (id) => requests.events.filter((request) => request.id === id),
    release(status = 204) {
      for (const res of hanging) res.writeHead(status).end();
      hanging.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}

/** A loopback port nothing listens on right now (connections to it are refused). */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
