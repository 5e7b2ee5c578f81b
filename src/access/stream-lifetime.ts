// The life of an HTTP subscription stream (SSE or multipart) as admission sees it: it ends when the
// bearer token it was admitted with expires — with one last result carrying the error, then
// completion, the way GraphQL over SSE carries errors — and it tells when it has ended, however
// it ends, so its stream slot is given back. (A WebSocket is closed at expiry instead:
// websocket/token-expiry.ts.)
import { whenExpired } from './credential-expiry.ts';

export interface StreamLifetimeOptions<T> {
  /** When the credential stops being valid, in ms since the epoch; undefined: never. */
  expiresAt: number | undefined;
  /** The last result, sent when the credential expires. */
  expired(): T;
  /** Called once, when the stream has ended: completed, failed, returned by its consumer, or expired. */
  onEnd(): void;
}

/**
 * `source` until the credential expires. Not an async generator: `return()` must reach the source
 * at once, even while it waits for its next event, and so must expiry.
 */
export function withLifetime<T>(source: AsyncIterable<T>, { expiresAt, expired, onEnd }: StreamLifetimeOptions<T>): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  let sourceReturned = false;
  // Expired while no one was waiting: the next call gets the last result.
  let lastPending = false;
  // The consumer's pending next(), settled by the source or by expiry, whichever comes first.
  let waiting: ((result: IteratorResult<T>) => void) | undefined;

  const end = () => {
    if (ended) return;
    ended = true;
    cancelExpiry();
    onEnd();
  };
  const returnSource = () => {
    if (sourceReturned) return undefined;
    sourceReturned = true;
    return iterator.return?.();
  };
  const cancelExpiry =
    expiresAt === undefined
      ? () => undefined
      : whenExpired(expiresAt, () => {
          if (ended) return;
          end();
          // A source's return() does not fail in practice; if one did, the stream has ended anyway.
          Promise.resolve(returnSource()).catch(() => undefined);
          const resolve = waiting;
          waiting = undefined;
          if (resolve) resolve({ value: expired(), done: false });
          else lastPending = true;
        });

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (lastPending) {
        lastPending = false;
        return Promise.resolve({ value: expired(), done: false });
      }
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting = resolve;
        iterator.next().then(
          (result) => {
            if (waiting !== resolve) return; // expiry answered this call already
            waiting = undefined;
            if (result.done) end();
            resolve(result);
          },
          (error: unknown) => {
            if (waiting !== resolve) return;
            waiting = undefined;
            end();
            reject(error);
          },
        );
      });
    },
    async return() {
      lastPending = false;
      end();
      const resolve = waiting;
      waiting = undefined;
      resolve?.({ value: undefined, done: true });
      await returnSource();
      return { value: undefined, done: true };
    },
  };
}
