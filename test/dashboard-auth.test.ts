// What the dashboard relies on to tell "no key, or a wrong one" from "this key lacks a scope" over
// graphql-ws: a socket with missing or unknown credentials is closed at connection_init with 4403
// and a reason that says which; a key without jobs:read is admitted, and each operation it may not
// run answers FORBIDDEN while the socket stays open (Query.viewer answers on it too).
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const KEYS = { reader: 'dashboard-reader-key-0123456789', resultsOnly: 'dashboard-results-key-0123456789' };
const WATCH = `subscription { modelInvocationJobsChanged { job { jobId } } }`;

let t: TestGateway;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestGateway({
    AUTH_REQUIRED: 'true',
    GATEWAY_API_KEYS: JSON.stringify({ [KEYS.reader]: ['jobs:read'], [KEYS.resultsOnly]: ['results:read'] }),
    RATE_LIMIT_RPS: '0',
  });
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.dispose();
});
afterAll(() => t?.close());

/** A graphql-ws client that tells whether it was acknowledged, and how its sockets closed. */
function connect(connectionParams: Record<string, string>) {
  let acknowledged = false;
  const closes: Array<{ code: number; reason: string }> = [];
  let firstClose!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (firstClose = resolve));
  const client = createWsClient(t.url, {
    connectionParams,
    on: {
      connected: () => {
        acknowledged = true;
      },
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closes.push({ code, reason });
        firstClose({ code, reason });
      },
    },
  });
  clients.push(client);
  return { client, closed, closes, acknowledged: () => acknowledged };
}

describe('refused credentials over graphql-ws', () => {
  it.each([
    ['no key', {}, /^Authentication required: send an API key/],
    ['an unknown key', { 'x-api-key': 'not-a-key-of-this-gateway' }, /^Invalid API key$/],
  ])('should close a socket with %s with 4403 and a reason that says so', async (_name, params, reason) => {
    const socket = connect(params);
    const watch = subscribeWs(socket.client, WATCH);
    const close = await socket.closed;
    expect(close.code).toBe(4403);
    expect(close.reason).toMatch(reason);
    expect(socket.acknowledged()).toBe(false);
    await expect(watch.done).rejects.toMatchObject({ code: 4403 });
  });
});

describe('a key without jobs:read over graphql-ws', () => {
  it('should be admitted, learn its scopes from viewer, and get FORBIDDEN per operation with the socket left open', async () => {
    const socket = connect({ 'x-api-key': KEYS.resultsOnly });
    const watch = subscribeWs(socket.client, WATCH);
    await watch.done;
    expect(watch.events.flatMap((event) => event.errors ?? []).map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(socket.acknowledged()).toBe(true);

    const viewer = subscribeWs(socket.client, '{ viewer { kind scopes } }');
    await viewer.done;
    expect(viewer.events.map((event) => event.data)).toEqual([{ viewer: { kind: 'API_KEY', scopes: ['results:read'] } }]);
    // Closed by nobody but the client itself, once it had nothing left to run (graphql-ws's lazy mode).
    expect(socket.closes.filter((close) => close.code !== 1000)).toEqual([]);
  });
});
