// Subscription results are computed once per event and shared, but only between subscribers
// who run the same operation with the same variables and present the same credentials. A tiny
// schema whose fields read the caller from the context makes any wrong sharing visible.
import { afterEach, describe, expect, it } from 'vitest';
import { createSchema, createYoga } from 'graphql-yoga';
import { parse, type ExecutionResult } from 'graphql';
import { sessionOfContext } from '../src/access/credential-session.ts';
import { createSharedSubscriptionExecutionPlugin, pipeableResultsOf } from '../src/subscriptions/shared-execution-plugin.ts';
import { createEventStream, type EventStream } from '../src/subscriptions/event-stream.ts';

interface Tick {
  n: number;
}

function createServer() {
  // Every subscriber gets the same event object, as the job feed does; subscribing registers at once.
  const subscribers = new Set<EventStream<Tick>>();
  const publish = (tick: Tick) => subscribers.forEach((subscriber) => subscriber.push(tick));
  const source = () => {
    const stream: EventStream<Tick> = createEventStream(() => subscribers.delete(stream));
    subscribers.add(stream);
    return stream.iterator;
  };
  const executions = { count: 0 };
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        type Query { ok: Boolean }
        type Tick { n: Int! caller: String scaled(by: Int!): Int! }
        type Subscription { tick: Tick! }
      `,
      resolvers: {
        Subscription: { tick: { subscribe: source, resolve: (tick: Tick) => tick } },
        Tick: {
          n: (tick: Tick) => {
            executions.count += 1;
            return tick.n;
          },
          caller: (_: Tick, __: unknown, context: { request: Request }) => context.request.headers.get('authorization'),
          scaled: (tick: Tick, { by }: { by: number }) => tick.n * by,
        },
      },
    }),
    plugins: [createSharedSubscriptionExecutionPlugin()],
    logging: false,
  });
  return { yoga, publish, executions };
}

const streams: Array<AbortController> = [];
afterEach(() => streams.splice(0).forEach((controller) => controller.abort()));

/** An SSE subscription through yoga.fetch; resolves with its next `data` payloads on demand. */
async function subscribe(yoga: ReturnType<typeof createServer>['yoga'], query: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  streams.push(controller);
  const response = await yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query }),
    signal: controller.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next(): Promise<any> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (/^event: next$/m.test(message) && data) return JSON.parse(data).data;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
    },
  };
}

describe('shared subscription execution', () => {
  it('should execute once for subscribers with the same operation and credentials', async () => {
    const server = createServer();
    const query = 'subscription { tick { n caller } }';
    const a = await subscribe(server.yoga, query, { authorization: 'Bearer a' });
    const b = await subscribe(server.yoga, query, { authorization: 'Bearer a' });
    server.publish({ n: 1 });
    const [first, second] = await Promise.all([a.next(), b.next()]);
    expect(first).toEqual({ tick: { n: 1, caller: 'Bearer a' } });
    expect(second).toEqual(first);
    expect(server.executions.count).toBe(1);
  });

  it('should never share a result between different credentials', async () => {
    const server = createServer();
    const query = 'subscription { tick { n caller } }';
    const alice = await subscribe(server.yoga, query, { authorization: 'Bearer alice' });
    const bob = await subscribe(server.yoga, query, { authorization: 'Bearer bob' });
    const anonymous = await subscribe(server.yoga, query);
    server.publish({ n: 2 });
    const results = await Promise.all([alice.next(), bob.next(), anonymous.next()]);
    expect(results).toEqual([
      { tick: { n: 2, caller: 'Bearer alice' } },
      { tick: { n: 2, caller: 'Bearer bob' } },
      { tick: { n: 2, caller: null } },
    ]);
    expect(server.executions.count).toBe(3);
  });

  it('should execute separately for different documents and variables', async () => {
    const server = createServer();
    const byTwo = await subscribe(server.yoga, 'subscription { tick { n scaled(by: 2) } }');
    const byThree = await subscribe(server.yoga, 'subscription { tick { n scaled(by: 3) } }');
    server.publish({ n: 5 });
    const results = await Promise.all([byTwo.next(), byThree.next()]);
    expect(results).toEqual([{ tick: { n: 5, scaled: 10 } }, { tick: { n: 5, scaled: 15 } }]);
  });

  it('should execute every event anew', async () => {
    const server = createServer();
    const sub = await subscribe(server.yoga, 'subscription { tick { n } }');
    server.publish({ n: 1 });
    expect(await sub.next()).toEqual({ tick: { n: 1 } });
    server.publish({ n: 2 });
    expect(await sub.next()).toEqual({ tick: { n: 2 } });
    expect(server.executions.count).toBe(2);
  });
});

describe('piped subscription results', () => {
  it('should reach the sink in event order when their execution finishes out of order', async () => {
    // Each event's field waits for a gate the test opens: the second event's first.
    const gates = new Map<number, () => void>();
    let stream: EventStream<Tick> | undefined;
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { ok: Boolean } type Tick { n: Int! } type Subscription { tick: Tick! }',
        resolvers: {
          Subscription: {
            tick: {
              subscribe: () => (stream = createEventStream<Tick>(() => undefined)).iterator,
              resolve: (tick: Tick) => tick,
            },
          },
          Tick: { n: (tick: Tick) => new Promise<number>((resolve) => gates.set(tick.n, () => resolve(tick.n))) },
        },
      }),
      plugins: [createSharedSubscriptionExecutionPlugin()],
      logging: false,
    });
    const { schema, contextFactory, subscribe } = yoga.getEnveloped({});
    const contextValue = await contextFactory();
    await subscribe({ schema, document: parse('subscription { tick { n } }'), contextValue });
    const results = pipeableResultsOf(contextValue);
    expect(results).toBeDefined();

    const seen: Array<ExecutionResult | 'end'> = [];
    const ended = new Promise<void>((resolve) =>
      results!.pipe({ next: (result) => seen.push(result), end: () => (seen.push('end'), resolve()), fail: (error) => seen.push(error as never) }),
    );
    stream!.push({ n: 1 });
    stream!.push({ n: 2 });
    stream!.end();
    gates.get(2)!();
    gates.get(1)!();
    await ended;
    expect(seen).toEqual([{ data: { tick: { n: 1 } } }, { data: { tick: { n: 2 } } }, 'end']);
  });
});

describe('sessionOfContext', () => {
  it('should tell graphql-ws callers apart by upgrade headers and by connection params', () => {
    const ws = (headers: Record<string, string>, connectionParams?: unknown) => sessionOfContext({ req: { headers }, connectionParams });
    expect(ws({ authorization: 'a' })).toBe(ws({ authorization: 'a' }));
    expect(ws({ authorization: 'a' })).not.toBe(ws({ authorization: 'b' }));
    expect(ws({}, { authorization: 'a' })).not.toBe(ws({}, { authorization: 'b' }));
    expect(ws({ authorization: 'a' })).not.toBe(ws({ 'x-api-key': 'a' }));
    expect(ws({ authorization: 'a' })).toBe(sessionOfContext({ request: new Request('http://x', { headers: { authorization: 'a' } }) }));
  });
});
