// Collects what a subscription delivers so a test can await "the next event" or "the end"
// instead of sleeping.

export interface EventQueue<T> {
  /** Every event so far. */
  readonly events: T[];
  /** The next event not yet taken by next(). */
  next(): Promise<T>;
  /** Resolves when the stream completes; rejects with its error. */
  readonly done: Promise<void>;
  push(event: T): void;
  complete(): void;
  fail(error: unknown): void;
}

export function createEventQueue<T>(): EventQueue<T> {
  const events: T[] = [];
  const waiting: Array<{ resolve: (event: T) => void; reject: (error: unknown) => void }> = [];
  let taken = 0;
  let finished: { error?: unknown } | undefined;
  let resolveDone!: () => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined); // observed through next() or done by the test

  const ended = () => new Error(`stream ended after ${events.length} events${finished?.error ? `: ${String(finished.error)}` : ''}`);

  return {
    events,
    done,
    next() {
      if (taken < events.length) return Promise.resolve(events[taken++] as T);
      if (finished) return Promise.reject(ended());
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    push(event) {
      events.push(event);
      const waiter = waiting.shift();
      if (waiter) {
        taken++;
        waiter.resolve(event);
      }
    },
    complete() {
      finished = {};
      for (const waiter of waiting.splice(0)) waiter.reject(ended());
      resolveDone();
    },
    fail(error) {
      finished = { error };
      for (const waiter of waiting.splice(0)) waiter.reject(ended());
      rejectDone(error);
    },
  };
}
