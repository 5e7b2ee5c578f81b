// Subscription events executed once per event, not once per subscriber. GraphQL executes a
// subscription's selection set against every event it delivers; when 10,000 clients watch one
// job with the same operation, that is 10,000 identical executions per status change. The feed
// hands every stream of a job the same event object (job-feed.ts), so here the result for one
// (event, document, operation name, variables, credentials) is computed once and shared.
//
// Credentials are part of the key so that a result is only ever shared between subscribers who
// presented the same ones: an auth plugin may make what a field returns depend on the caller.
import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { sessionOfContext } from './credential-session.ts';

type Result = ExecutionResult | Promise<ExecutionResult>;

export function createSharedSubscriptionExecutionPlugin(): Plugin {
  // Event → document → "operation, variables, session" → result. Weak on the event, so
  // everything goes once every subscriber has been handed the event.
  const results = new WeakMap<object, WeakMap<DocumentNode, Map<string, Result>>>();

  const sharedExecute = (args: ExecutionArgs, key: string, event: unknown): Result => {
    if (typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
    let byDocument = results.get(event);
    if (!byDocument) results.set(event, (byDocument = new WeakMap()));
    let byKey = byDocument.get(args.document);
    if (!byKey) byDocument.set(args.document, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = withPlainData(execute({ ...args, rootValue: event }))));
    return result;
  };

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn((async (args: ExecutionArgs) => {
        const stream = await createSourceEventStream(args);
        if (!isAsyncIterable(stream)) return stream;
        const key = JSON.stringify([
          args.operationName ?? null,
          args.variableValues ?? null,
          sessionOfContext((args.contextValue ?? {}) as Parameters<typeof sessionOfContext>[0]),
        ]);
        return mapEvents(stream, (event) => sharedExecute(args, key, event));
      }) as Parameters<typeof setSubscribeFn>[0]);
    },
  };
}

/**
 * graphql-js builds result objects without a prototype, which JSON.stringify serialises on a
 * slow path; every subscriber's message serialises the shared result again, so it is turned
 * into plain objects once.
 */
function withPlainData(result: Result): Result {
  if (result instanceof Promise) return result.then(withPlainData) as Promise<ExecutionResult>;
  return result.data ? { ...result, data: JSON.parse(JSON.stringify(result.data)) as ExecutionResult['data'] } : result;
}

const done = <R>(): IteratorResult<R> => ({ value: undefined, done: true });

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * Maps an event stream. Not an async generator: `return()` must reach the source at once, even
 * while it waits for the next event, so the subscription releases its watch immediately.
 */
function mapEvents<T, R>(source: AsyncIterable<T>, map: (event: T) => R | Promise<R>): AsyncIterableIterator<R> {
  const iterator = source[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      const next = await iterator.next();
      return next.done ? done() : { value: await map(next.value), done: false };
    },
    async return() {
      await iterator.return?.();
      return done();
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
  };
}
