// The one rate limiter: token buckets, one per key. Request limits take from a caller's bucket
// and are refused when it is empty; the upstream call budget and the poller wait for a token
// instead. With `burst: 1` a bucket spaces calls evenly, 1/perSecond apart.
import { LRUCache } from 'lru-cache';

export interface TokenBucketOptions {
  /** Tokens added per second to every bucket. */
  perSecond: number;
  /** Bucket capacity: how many calls may go at once after an idle spell. 1 spaces calls evenly. */
  burst: number;
  /**
   * Most buckets kept. The least recently used goes first; it is the fullest, so forgetting it
   * costs nothing but a little leniency. @default 10000
   */
  maxKeys?: number;
  /** Clock in ms. @default performance.now */
  now?: () => number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface AcquireOptions {
  /** Rejects the wait with the signal's reason when it aborts (the token is given back). */
  signal?: AbortSignal;
  /** Resolves false at once, taking nothing, when the token would come later than this. @default no limit */
  maxWaitMs?: number;
}

export interface TokenBucket {
  /** Takes a token from `key`'s bucket now, or says how long until one is there. Never waits. */
  take(key: string): RateDecision;
  /**
   * Waits for a token from `key`'s bucket. Waiters are served in order: each reserves the next
   * token as it arrives, so a queue of them is spaced at the bucket's rate.
   */
  acquire(key: string, options?: AcquireOptions): Promise<boolean>;
  /** Buckets kept. */
  readonly size: number;
}

interface Bucket {
  /** Below zero while waiters have reserved tokens that have not arrived yet. */
  tokens: number;
  updatedAt: number;
}

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { perSecond, burst } = options;
  if (!(perSecond > 0) || !(burst >= 1)) {
    throw new RangeError(`perSecond must be > 0 and burst >= 1 (got ${perSecond}, ${burst})`);
  }
  const now = options.now ?? (() => performance.now());
  const buckets = new LRUCache<string, Bucket>({ max: options.maxKeys ?? 10_000 });

  // The key's bucket, refilled up to now.
  const refill = (key: string): Bucket => {
    const at = now();
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = { tokens: burst, updatedAt: at }));
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = at;
    return bucket;
  };
  const msUntilToken = (bucket: Bucket) => ((1 - bucket.tokens) / perSecond) * 1000;

  return {
    take(key) {
      const bucket = refill(key);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterMs: Math.ceil(msUntilToken(bucket)) };
    },

    acquire(key, { signal, maxWaitMs = Infinity } = {}) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const bucket = refill(key);
      const waitMs = bucket.tokens >= 1 ? 0 : msUntilToken(bucket);
      if (waitMs > maxWaitMs) return Promise.resolve(false);
      bucket.tokens -= 1;
      if (waitMs < 1) return Promise.resolve(true);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        }, waitMs);
        const onAbort = () => {
          clearTimeout(timer);
          bucket.tokens += 1;
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },

    get size() {
      return buckets.size;
    },
  };
}
