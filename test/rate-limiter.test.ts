// The poller's pacing: calls are spaced evenly under the rate, never bursting.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter } from '../src/watch/rate-limiter.ts';

afterEach(() => vi.useRealTimers());

describe('createRateLimiter', () => {
  it('should space 10 calls at 5 per second 200 ms apart, starting at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const limiter = createRateLimiter(5);
    const start = performance.now();
    const grantedAt: number[] = [];
    const all = Array.from({ length: 10 }, () => limiter.take().then(() => grantedAt.push(performance.now() - start)));
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(grantedAt).toEqual([0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800]);
  });

  it('should reject a waiting call when its signal aborts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const limiter = createRateLimiter(1);
    await limiter.take();
    const controller = new AbortController();
    const waiting = limiter.take(controller.signal);
    controller.abort(new Error('closing'));
    await expect(waiting).rejects.toThrow('closing');
  });
});
