// Per-caller token buckets: each credential (or client IP) may make `perSecond` requests per
// second on average and burst up to `burst`. Memory stays bounded however many callers appear.

export interface RequestRateLimiterOptions {
  /** Tokens added per second to every bucket. */
  perSecond: number;
  /** Bucket capacity: the most requests a caller can make at once after being idle. */
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

export interface RequestRateLimiter {
  /** Takes one token from `key`'s bucket, or says how long until one is available. */
  take(key: string): RateDecision;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function createRequestRateLimiter(options: RequestRateLimiterOptions): RequestRateLimiter {
  const { perSecond, burst } = options;
  if (!(perSecond > 0) || !(burst >= 1)) {
    throw new RangeError(`perSecond must be > 0 and burst >= 1 (got ${perSecond}, ${burst})`);
  }
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? (() => performance.now());
  const buckets = new Map<string, Bucket>();

  return {
    take(key) {
      const at = now();
      const bucket = buckets.get(key) ?? { tokens: burst, updatedAt: at };
      bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.updatedAt) / 1000) * perSecond);
      bucket.updatedAt = at;
      // Re-insert so Map order is recency order.
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / perSecond) * 1000) };
    },
    get size() {
      return buckets.size;
    },
  };
}
