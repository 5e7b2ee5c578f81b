// The round scheduler on its own: rounds never overlap, run only while there is work, and a
// burst of releases costs one idle check. Rounds are stand-ins the test finishes when it wants.
import { afterEach, describe, expect, it } from 'vitest';
import { createRoundScheduler, type RoundScheduler } from '../src/watch/round-scheduler.ts';

const schedulers: RoundScheduler[] = [];
afterEach(() => schedulers.splice(0).forEach((scheduler) => scheduler.close()));

/** A scheduler whose rounds wait until the test finishes them. */
function schedulerWith({ intervalMs = 5 } = {}) {
  let work = true;
  let running = 0;
  let overlapped = false;
  const started: Array<{ finish: () => void }> = [];
  let onStart: (() => void) | undefined;
  let onEnd: (() => void) | undefined;
  const scheduler = createRoundScheduler({
    intervalMs,
    hasWork: () => work,
    runRound: () => {
      running += 1;
      overlapped ||= running > 1;
      return new Promise<void>((resolve) => {
        started.push({ finish: () => ((running -= 1), resolve()) });
        onStart?.();
      });
    },
    afterRound: () => onEnd?.(),
  });
  schedulers.push(scheduler);
  const nextStart = () => new Promise<void>((resolve) => (onStart = resolve));
  const nextEnd = () => new Promise<void>((resolve) => (onEnd = resolve));
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  return {
    scheduler,
    started,
    nextStart,
    nextEnd,
    turn,
    setWork: (value: boolean) => void (work = value),
    overlapped: () => overlapped,
  };
}

describe('the round scheduler', () => {
  it('should never start a round while one runs, however often it is asked', async () => {
    const { scheduler, started, nextStart, nextEnd, overlapped } = schedulerWith();
    const first = nextStart();
    scheduler.hurry();
    await first;
    expect(scheduler.idle).toBe(false);
    scheduler.hurry();
    scheduler.wake();
    scheduler.schedule();
    const ended = nextEnd();
    const second = nextStart();
    started[0]!.finish();
    await ended;
    await second;
    expect(started).toHaveLength(2);
    expect(overlapped()).toBe(false);
  });

  it('should set no timer while there is no work, and clear the pending one after releases leave none', async () => {
    const { scheduler, setWork, turn, started } = schedulerWith({ intervalMs: 60_000 });
    setWork(false);
    scheduler.wake();
    expect(scheduler.idle).toBe(true);

    setWork(true);
    scheduler.wake();
    expect(scheduler.idle).toBe(false);
    setWork(false);
    scheduler.settle();
    scheduler.settle();
    expect(scheduler.idle).toBe(false);
    await turn();
    expect(scheduler.idle).toBe(true);
    expect(started).toHaveLength(0);
  });

  it('should schedule nothing once closed', async () => {
    const { scheduler, started, nextStart, nextEnd, turn } = schedulerWith();
    const first = nextStart();
    scheduler.hurry();
    await first;
    scheduler.close();
    const ended = nextEnd();
    started[0]!.finish();
    await ended;
    scheduler.hurry();
    await turn();
    expect(scheduler.idle).toBe(true);
    expect(started).toHaveLength(1);
  });
});
