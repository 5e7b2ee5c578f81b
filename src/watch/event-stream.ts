// A minimal push-based async iterator for per-subscriber streams. A job watched by 10,000
// subscribers pushes 10,000 values per change; Repeater's push allocates about eight promises
// per value, this one at most one (for a consumer already waiting).

export interface EventStream<T> {
  /** Queues a value, or hands it to the waiting consumer. Ignored once ended. */
  push(value: T): void;
  /** Ends the stream after the values already queued; runs `onEnd` once. */
  end(): void;
  readonly iterator: AsyncIterableIterator<T>;
}

/** `onEnd` runs exactly once: on `end()`, or on `return()`/`throw()` from the consumer. */
export function createEventStream<T>(onEnd: () => void): EventStream<T> {
  const queue: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let ended = false;
  const done = (): IteratorResult<T> => ({ value: undefined, done: true });

  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
    if (waiting && queue.length === 0) {
      const resolve = waiting;
      waiting = undefined;
      resolve(done());
    }
  };
  const close = () => {
    queue.length = 0;
    end();
    return Promise.resolve(done());
  };

  return {
    push(value) {
      if (ended) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value, done: false });
      } else {
        queue.push(value);
      }
    },
    end,
    iterator: {
      [Symbol.asyncIterator]() {
        return this;
      },
      next() {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
        if (ended) return Promise.resolve(done());
        return new Promise((resolve) => (waiting = resolve));
      },
      return: close,
      throw: close,
    },
  };
}
