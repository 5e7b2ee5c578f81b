// The instance's upstream call budget, shared fairly between the parties that spend it (each
// credential, the poller). Tokens come from one token bucket (UPSTREAM_CALLS_PER_SECOND,
// UPSTREAM_CALLS_BURST); a call that finds it empty waits in its party's queue, and as tokens
// arrive the parties with waiting calls are served in turn, one call each, instead of first come
// first served. A party alone takes the whole budget; a heavy party's long queue delays a light
// party's call by at most one turn of each other waiting party, never by its own length. No
// party has a fixed slice: what the others leave unused is there for whoever waits.
import { createTokenBucket, type AcquireOptions } from './token-bucket.ts';

export interface FairShareOptions {
  /** Tokens per second the parties share. */
  perSecond: number;
  /** Tokens that may go at once after an idle spell. */
  burst: number;
  /** Clock in ms. @default performance.now */
  now?: () => number;
}

export interface FairShare {
  /**
   * Waits for a token for a call of `party`. Resolves false, taking nothing, once it is clear
   * that no token comes within `maxWaitMs`: at once when even every token from now on could not
   * reach this call in time (its party has too many calls waiting ahead of it), else when the
   * wait runs out. Rejects with the signal's reason when it aborts.
   */
  acquire(party: string, options?: AcquireOptions): Promise<boolean>;
  /** Calls waiting for a token: of one party, or of all. */
  waiting(party?: string): number;
}

interface Waiter {
  grant(): void;
}

/** The key of the one bucket every party takes from. */
const BUDGET = 'upstream';

export function createFairShare(options: FairShareOptions): FairShare {
  const { perSecond } = options;
  const now = options.now ?? (() => performance.now());
  const bucket = createTokenBucket({ perSecond: options.perSecond, burst: options.burst, maxKeys: 1, now });
  // Parties with calls waiting, in the order of their next turn; each one's calls in arrival order.
  const turns = new Map<string, Waiter[]>();
  let waitingCount = 0;
  // When the bucket said its next token arrives (while calls wait; see dispatch).
  let nextTokenAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  // The next call to serve: the head of the party whose turn it is, which then goes to the back
  // (or leaves, when that was its last call).
  const nextWaiter = (): Waiter => {
    const party = turns.keys().next().value as string;
    const queue = turns.get(party)!;
    const waiter = queue.shift()!;
    turns.delete(party);
    if (queue.length > 0) turns.set(party, queue);
    return waiter;
  };

  // Hands out every token there is, then sleeps until the next one arrives.
  const dispatch = () => {
    timer = undefined;
    while (waitingCount > 0) {
      const decision = bucket.take(BUDGET);
      if (!decision.allowed) {
        nextTokenAt = now() + decision.retryAfterMs;
        timer = setTimeout(dispatch, decision.retryAfterMs);
        return;
      }
      nextWaiter().grant();
    }
  };

  const remove = (party: string, waiter: Waiter) => {
    const queue = turns.get(party);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    waitingCount -= 1;
    if (queue.length === 0) turns.delete(party);
  };

  return {
    acquire(party, { signal, maxWaitMs = Infinity } = {}) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (waitingCount === 0) {
        const decision = bucket.take(BUDGET);
        if (decision.allowed) return Promise.resolve(true);
        nextTokenAt = now() + decision.retryAfterMs;
      }
      // The soonest this call could go: its party's calls ahead of it each need a token first.
      const ahead = turns.get(party)?.length ?? 0;
      const soonestMs = Math.max(0, nextTokenAt - now()) + (ahead * 1000) / perSecond;
      if (soonestMs > maxWaitMs) return Promise.resolve(false);

      return new Promise<boolean>((resolve, reject) => {
        const settle = () => {
          clearTimeout(deadline);
          signal?.removeEventListener('abort', onAbort);
        };
        const waiter: Waiter = {
          grant() {
            waitingCount -= 1;
            settle();
            resolve(true);
          },
        };
        const onAbort = () => {
          remove(party, waiter);
          settle();
          reject(signal!.reason);
        };
        const deadline = Number.isFinite(maxWaitMs)
          ? setTimeout(() => {
              remove(party, waiter);
              settle();
              resolve(false);
            }, maxWaitMs)
          : undefined;
        signal?.addEventListener('abort', onAbort, { once: true });
        const queue = turns.get(party);
        if (queue) queue.push(waiter);
        else turns.set(party, [waiter]);
        waitingCount += 1;
        timer ??= setTimeout(dispatch, Math.max(0, nextTokenAt - now()));
      });
    },

    waiting: (party) => (party === undefined ? waitingCount : (turns.get(party)?.length ?? 0)),
  };
}
