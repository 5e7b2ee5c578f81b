// The fair share of the upstream budget on its own (issue 14, item 6): which waiting call gets
// each token, and when a call is refused. Fake timers drive the bucket's clock and its waits, so
// the test asserts orders and counts, never durations.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFairShare } from '../src/limits/fair-share.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** 10 tokens a second, one at a time: one token every 100 ms of fake time. */
const share = () => createFairShare({ perSecond: 10, burst: 1, now: () => Date.now() });

/** Starts calls, noting the order in which they are granted a token. */
function recorder(budget: ReturnType<typeof share>) {
  const granted: string[] = [];
  const call = (party: string, label = party, maxWaitMs?: number) =>
    budget.acquire(party, { maxWaitMs }).then((ok) => {
      if (ok) granted.push(label);
      return ok;
    });
  return { granted, call };
}

describe('fair share of the upstream budget', () => {
  it('should serve waiting parties in turn, one call each, not in arrival order', async () => {
    const budget = share();
    const { granted, call } = recorder(budget);
    const heavy = Array.from({ length: 6 }, (_, i) => call('heavy', `heavy${i}`));
    const light = [call('light', 'light0'), call('light', 'light1')];
    expect(budget.waiting()).toBe(7); // heavy0 took the one token there was
    await vi.runAllTimersAsync();
    await Promise.all([...heavy, ...light]);
    expect(granted).toEqual(['heavy0', 'heavy1', 'light0', 'heavy2', 'light1', 'heavy3', 'heavy4', 'heavy5']);
  });

  it('should let a party alone take every token', async () => {
    const budget = share();
    const { granted, call } = recorder(budget);
    const calls = Array.from({ length: 5 }, (_, i) => call('alone', `alone${i}`));
    await vi.runAllTimersAsync();
    expect(await Promise.all(calls)).toEqual([true, true, true, true, true]);
    expect(granted).toEqual(['alone0', 'alone1', 'alone2', 'alone3', 'alone4']);
  });

  it("should refuse at once a call its own party's queue keeps from a token in time, and still queue another party's", async () => {
    const budget = share();
    const { call } = recorder(budget);
    // Within 250 ms, a party can have its next 2 calls served at most (100 ms, 200 ms).
    const heavy = Array.from({ length: 4 }, (_, i) => call('heavy', `heavy${i}`, 250));
    expect(budget.waiting('heavy')).toBe(2); // heavy0 went at once; heavy3 was refused
    expect(await heavy[3]).toBe(false);
    const light = call('light', 'light0', 250);
    expect(budget.waiting('light')).toBe(1);
    await vi.runAllTimersAsync();
    expect(await Promise.all([...heavy, light])).toEqual([true, true, false, false, true]);
    expect(budget.waiting()).toBe(0);
  });

  it('should refuse a call not served within its wait, and one whose signal aborts, giving their turns to others', async () => {
    const budget = share();
    const { granted, call } = recorder(budget);
    const first = call('a', 'a0');
    const aborted = new AbortController();
    const abortedCall = budget.acquire('c', { signal: aborted.signal });
    const next = call('a', 'a1');
    // Its turn comes after c0's and a1's: at 300 ms, or at 200 ms once c0 is gone: too late.
    const late = call('b', 'b0', 150);
    aborted.abort(new Error('caller gone'));
    await expect(abortedCall).rejects.toThrow('caller gone');
    await vi.runAllTimersAsync();
    expect(await Promise.all([first, late, next])).toEqual([true, false, true]);
    expect(granted).toEqual(['a0', 'a1']);
    expect(budget.waiting()).toBe(0);
  });
});
