// A minimal push-based async iterator for per-subscriber streams. A job watched by 10,000
// subscribers pushes 10,000 values per change; Repeater's push allocates about eight promises
// per value, this one at most one (for a consumer already waiting).
//
// A class, so that a stream costs one object and no closures of its own. Code that runs per
// subscription or per request avoids named arrow functions: tsx compiles with esbuild's
// keepNames, which wraps each one in `__name(fn, "name")`, an Object.defineProperty that leaves
// the function with a dictionary of properties (about 300 bytes more per closure, and a slower
// creation). Methods, classes and anonymous callbacks are left alone.

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

const done = <T>(): IteratorResult<T> => ({ value: undefined, done: true });

class PushStream<T> implements EventStream<T>, AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private ended = false;

  constructor(private readonly onEnd: () => void) {}

  get iterator(): AsyncIterableIterator<T> {
    return this;
  }

  push(value: T): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value, done: false });
    } else {
      this.queue.push(value);
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    const waiting = this.waiting;
    if (waiting && this.queue.length === 0) {
      this.waiting = undefined;
      waiting(done());
    }
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift() as T, done: false });
    if (this.ended) return Promise.resolve(done());
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.end();
    return Promise.resolve(done());
  }

  throw(): Promise<IteratorResult<T>> {
    return this.return();
  }
}
