// The one token bucket: the poller's even pacing (burst 1), the upstream budget's bounded wait,
// and per-caller request limits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenBucket } from '../src/limits/token-bucket.ts';

afterEach(() => vi.useRealTimers());

describe('even pacing (burst 1)', () => {
  it('should space 10 calls at 5 per second 200 ms apart, starting at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const limiter = createTokenBucket({ perSecond: 5, burst: 1 });
    const start = performance.now();
    const grantedAt: number[] = [];
    const all = Array.from({ length: 10 }, () => limiter.acquire('poller').then(() => grantedAt.push(performance.now() - start)));
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(grantedAt).toEqual([0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800]);
  });

  it('should reject a waiting call when its signal aborts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const limiter = createTokenBucket({ perSecond: 1, burst: 1 });
    await limiter.acquire('poller');
    const controller = new AbortController();
    const waiting = limiter.acquire('poller', { signal: controller.signal });
    controller.abort(new Error('closing'));
    await expect(waiting).rejects.toThrow('closing');
  });

  it('should give an aborted wait its token back, so the next caller is not pushed back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const limiter = createTokenBucket({ perSecond: 10, burst: 1 });
    await limiter.acquire('poller');
    const controller = new AbortController();
    const aborted = limiter.acquire('poller', { signal: controller.signal }).catch(() => 'aborted');
    controller.abort(new Error('closing'));
    expect(await aborted).toBe('aborted');
    const start = performance.now();
    const next = limiter.acquire('poller').then(() => performance.now() - start);
    await vi.runAllTimersAsync();
    expect(await next).toBe(100);
  });
});

describe('bounded waits (the upstream call budget)', () => {
  it('should refuse at once, taking nothing, when the token would come after maxWaitMs', async () => {
    let now = 0;
    const budget = createTokenBucket({ perSecond: 1, burst: 2, now: () => now });
    expect(await budget.acquire('upstream', { maxWaitMs: 0 })).toBe(true);
    expect(await budget.acquire('upstream', { maxWaitMs: 0 })).toBe(true);
    expect(await budget.acquire('upstream', { maxWaitMs: 500 })).toBe(false);
    now = 1000;
    expect(await budget.acquire('upstream', { maxWaitMs: 0 })).toBe(true);
  });
});

describe('request limits (per key, never waiting)', () => {
  it('should let a key burst, then refuse with the time until its next token', () => {
    let now = 0;
    const limits = createTokenBucket({ perSecond: 2, burst: 3, now: () => now });
    expect([1, 2, 3].map(() => limits.take('a').allowed)).toEqual([true, true, true]);
    expect(limits.take('a')).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(limits.take('b').allowed).toBe(true);
    now = 500;
    expect(limits.take('a').allowed).toBe(true);
  });

  it('should keep at most maxKeys buckets, forgetting the least recently used', () => {
    const limits = createTokenBucket({ perSecond: 1, burst: 1, maxKeys: 2, now: () => 0 });
    limits.take('a');
    limits.take('b');
    limits.take('a');
    limits.take('c');
    expect(limits.size).toBe(2);
    // `a` was kept (used after `b`) and is empty; `b` was forgotten: a fresh bucket, full again.
    expect(limits.take('a').allowed).toBe(false);
    expect(limits.take('b').allowed).toBe(true);
  });

  it('should refuse a rate or burst that could never grant a token', () => {
    expect(() => createTokenBucket({ perSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => createTokenBucket({ perSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});
