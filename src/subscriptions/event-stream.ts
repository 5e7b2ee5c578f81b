// A minimal push-based async iterator for per-subscriber streams. A job watched by 10,000
// subscribers pushes 10,000 values per change; Repeater's push allocates about eight promises
// per value, this one at most one (for a consumer already waiting).
//
// A class, so that a stream costs one object whose methods live on its prototype, not a set of
// closures per stream: there are 10,000 of them for a busy job.

/** Where a piped stream's values go, synchronously, as they are pushed. */
export interface Sink<T> {
  next(value: T): void;
  /** No more values. */
  end(): void;
  /** No more values: the stream failed. */
  fail(error: unknown): void;
}

/**
 * A stream that can hand its values to a sink instead of an async iterator: a value pushed to
 * 10,000 streams then costs 10,000 calls, not 10,000 promise chains (see
 * websocket/direct-delivery.ts). A piped stream is no longer iterated; `return()` still ends it.
 */
export interface Pipeable<T> extends AsyncIterator<T> {
  pipe(sink: Sink<T>): void;
  /** Ends the stream, piped or not. */
  return(): Promise<IteratorResult<T>>;
}

export const isPipeable = <T>(value: unknown): value is Pipeable<T> =>
  typeof (value as Partial<Pipeable<T>> | undefined)?.pipe === 'function';

export interface EventStream<T> {
  /** Queues a value, or hands it to the waiting consumer. Ignored once ended. */
  push(value: T): void;
  /** Ends the stream after the values already queued; runs `onEnd` once. */
  end(): void;
  readonly iterator: AsyncIterableIterator<T>;
}

/** `onEnd` runs exactly once: on `end()`, or on `return()`/`throw()` from the consumer. */
export function createEventStream<T>(onEnd: () => void): EventStream<T> {
  return new PushStream<T>(onEnd);
}

/** The result an ended iterator gives. */
export const done = <T>(): IteratorResult<T> => ({ value: undefined, done: true });

class PushStream<T> implements EventStream<T>, AsyncIterableIterator<T>, Pipeable<T> {
  // Made for the first value that finds nobody waiting: a piped stream never needs one.
  private queue: T[] | undefined;
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private sink: Sink<T> | undefined;
  private ended = false;

  constructor(private readonly onEnd: () => void) {}

  get iterator(): AsyncIterableIterator<T> {
    return this;
  }

  push(value: T): void {
    if (this.ended) return;
    if (this.sink) return this.sink.next(value);
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value, done: false });
    } else {
      (this.queue ??= []).push(value);
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    if (this.sink) return this.sink.end();
    const waiting = this.waiting;
    if (waiting && !this.queue?.length) {
      this.waiting = undefined;
      waiting(done());
    }
  }

  pipe(sink: Sink<T>): void {
    this.sink = sink;
    const queued = this.queue;
    this.queue = undefined;
    for (const value of queued ?? []) sink.next(value);
    if (this.ended) sink.end();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue?.length) return Promise.resolve({ value: this.queue.shift() as T, done: false });
    if (this.ended) return Promise.resolve(done());
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.queue = undefined;
    this.end();
    return Promise.resolve(done());
  }

  throw(): Promise<IteratorResult<T>> {
    return this.return();
  }
}
