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
/** The result of an event for a subscription's arguments, shared by those with the same key. */
type SharedExecute = (args: ExecutionArgs, key: string, event: unknown) => Result;

// Subscriptions whose results can be piped, by context: a transport that writes events itself
// takes them from here instead of iterating what the envelop returns (see
// websocket/direct-delivery.ts).
const pipeableResults = new WeakMap<object, Pipeable<ExecutionResult>>();

/**
 * The results of the subscription started with this context, when its events can be piped.
 * Piping skips what other plugins wrap around the iterator the envelop returns: their hooks on
 * each event (error masking, error metrics), which whoever pipes applies itself, and at its end,
 * as it ends the subscription with these results' `return()` (none of the gateway's plugins has
 * an `onEnd` hook).
 */
export function pipeableResultsOf(context: unknown): Pipeable<ExecutionResult> | undefined {
  return typeof context === 'object' && context !== null ? pipeableResults.get(context) : undefined;
}

export function createSharedSubscriptionExecutionPlugin(): Plugin {
  // Event → document → "operation, variables, session" → result. Weak on the event, so
  // everything goes once every subscriber has been handed the event.
  const results = new WeakMap<object, WeakMap<DocumentNode, Map<string, Result>>>();

  const sharedExecute: SharedExecute = (args, key, event) => {
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
        const source = stream[Symbol.asyncIterator]();
        if (!isPipeable<unknown>(source)) return new ExecutedEvents(source, sharedExecute, args, key);
        const results = new PipeableExecutedEvents(source, sharedExecute, args, key);
        if (typeof args.contextValue === 'object' && args.contextValue !== null) pipeableResults.set(args.contextValue, results);
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
 * A subscription's events, each executed (or its shared result taken) as it comes. Not an async
 * generator: `return()` must reach the source at once, even while it waits for the next event, so
 * the subscription releases its watch immediately. A class holding what it executes with, not a
 * closure: there is one per subscription, for as long as it runs.
 */
class ExecutedEvents implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    protected readonly source: AsyncIterator<unknown>,
    private readonly execute: SharedExecute,
    private readonly args: ExecutionArgs,
    private readonly key: string,
  ) {}

  resultOf(event: unknown): Result {
    return this.execute(this.args, this.key, event);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    const next = await this.source.next();
    return next.done ? done() : { value: await this.resultOf(next.value), done: false };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    return done();
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    throw error;
  }
}

/** Of a pipeable source: piped, each event is executed on its way to the sink. */
class PipeableExecutedEvents extends ExecutedEvents implements Pipeable<ExecutionResult> {
  constructor(source: AsyncIterator<unknown> & Pipeable<unknown>, execute: SharedExecute, args: ExecutionArgs, key: string) {
    super(source, execute, args, key);
  }

  pipe(sink: Sink<ExecutionResult>): void {
    (this.source as AsyncIterator<unknown> & Pipeable<unknown>).pipe(new ExecutingSink(this, sink));
  }
}

/** Executes events on their way to a sink, handing results on in order even when some are promises. */
class ExecutingSink implements Sink<unknown> {
  // Set while a promised result is outstanding: everything after it waits behind it.
  private pending: Promise<void> | undefined;

  constructor(
    private readonly events: ExecutedEvents,
    private readonly sink: Sink<ExecutionResult>,
  ) {}

  next(event: unknown): void {
    let value: Result;
    try {
      value = this.events.resultOf(event);
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
