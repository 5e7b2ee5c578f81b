// Spaces calls evenly at most `perSecond` apart, so refreshes spread out instead of bursting.

export interface RateLimiter {
  /** Resolves when the caller may make its call. Rejects with the signal's reason if aborted. */
  take(signal?: AbortSignal): Promise<void>;
}

export function createRateLimiter(perSecond: number): RateLimiter {
  const gapMs = 1000 / perSecond;
  let nextSlot = 0;
  return {
    take(signal) {
      const now = performance.now();
      const slot = Math.max(now, nextSlot);
      nextSlot = slot + gapMs;
      const waitMs = slot - now;
      if (waitMs < 1) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, waitMs);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
