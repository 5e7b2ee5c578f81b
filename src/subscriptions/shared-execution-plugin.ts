// Subscription events executed once per event, not once per subscriber. GraphQL executes a
// subscription's selection set against every event it delivers; when 10,000 clients watch one
// job with the same operation, that is 10,000 identical executions per status change. The feed
// hands every stream of a job the same event object (job-feed.ts), so here the result for one
// (event, document, operation name, variables, credentials) is computed once and shared.
//
// Credentials are part of the key so that a result is only ever shared between subscribers who
// presented the same ones: an auth plugin may make what a field returns depend on the caller.
import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { done, isPipeable, type Pipeable, type Sink } from './event-stream.ts';
import { sessionOfContext } from '../access/credential-session.ts';

type Result = ExecutionResult | Promise<ExecutionResult>;

// Subscriptions whose results can be piped, by context: a transport that writes events itself
// takes them from here instead of iterating what the envelop returns (see
// websocket/direct-delivery.ts).
const pipeableResults = new WeakMap<object, Pipeable<ExecutionResult>>();

/**
 * The results of the subscription started with this context, when its events can be piped.
 * Piping skips the per-event hooks other plugins wrap around the iterator (error masking,
 * error metrics): whoever pipes applies those itself.
 */
export function pipeableResultsOf(context: unknown): Pipeable<ExecutionResult> | undefined {
  return typeof context === 'object' && context !== null ? pipeableResults.get(context) : undefined;
}

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
        const results = mapEvents(stream, (event) => sharedExecute(args, key, event));
        if (isPipeable(results) && typeof args.contextValue === 'object' && args.contextValue !== null) {
          pipeableResults.set(args.contextValue, results);
        }
        return results;
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

/**
 * Maps an event stream. Not an async generator: `return()` must reach the source at once, even
 * while it waits for the next event, so the subscription releases its watch immediately. A
 * pipeable source gives a pipeable result. A class, as there is one per subscription.
 */
function mapEvents<T, R>(source: AsyncIterable<T>, map: (event: T) => R | Promise<R>): AsyncIterableIterator<R> {
  const iterator = source[Symbol.asyncIterator]();
  return isPipeable<T>(iterator) ? new MappedPipeableEvents(iterator, map) : new MappedEvents(iterator, map);
}

class MappedEvents<T, R> implements AsyncIterableIterator<R> {
  constructor(
    protected readonly iterator: AsyncIterator<T>,
    protected readonly map: (event: T) => R | Promise<R>,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<R> {
    return this;
  }

  async next(): Promise<IteratorResult<R>> {
    const next = await this.iterator.next();
    return next.done ? done() : { value: await this.map(next.value), done: false };
  }

  async return(): Promise<IteratorResult<R>> {
    await this.iterator.return?.();
    return done();
  }

  async throw(error: unknown): Promise<IteratorResult<R>> {
    await this.iterator.return?.();
    throw error;
  }
}

class MappedPipeableEvents<T, R> extends MappedEvents<T, R> implements Pipeable<R> {
  constructor(iterator: AsyncIterator<T> & Pipeable<T>, map: (event: T) => R | Promise<R>) {
    super(iterator, map);
  }

  pipe(sink: Sink<R>): void {
    (this.iterator as AsyncIterator<T> & Pipeable<T>).pipe(new MappingSink(this.map, sink));
  }
}

/** Maps values on their way to a sink, handing them on in order even when some are promises. */
class MappingSink<T, R> implements Sink<T> {
  // Set while a promised value is outstanding: everything after it waits behind it.
  private pending: Promise<void> | undefined;

  constructor(
    private readonly map: (event: T) => R | Promise<R>,
    private readonly sink: Sink<R>,
  ) {}

  next(event: T): void {
    let value: R | Promise<R>;
    try {
      value = this.map(event);
    } catch (error) {
      return this.fail(error);
    }
    if (!this.pending && !(value instanceof Promise)) return this.sink.next(value);
    this.after(() => Promise.resolve(value).then((resolved) => this.sink.next(resolved)));
  }

  end(): void {
    if (!this.pending) return this.sink.end();
    this.after(() => this.sink.end());
  }

  fail(error: unknown): void {
    if (!this.pending) return this.sink.fail(error);
    this.after(() => this.sink.fail(error));
  }

  private after(step: () => void | Promise<void>): void {
    const pending: Promise<void> = (this.pending ?? Promise.resolve())
      .then(step)
      .catch((error: unknown) => this.sink.fail(error))
      .finally(() => {
        if (this.pending === pending) this.pending = undefined;
      });
    this.pending = pending;
  }
}
