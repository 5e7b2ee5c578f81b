// The one shared, compressed clock: a single interval that, on every tick, lets each moving item
// expire if its time is up and otherwise, most of the time, take one step. One timer for any
// number of jobs keeps 10,000 running jobs as cheap as ten.
import type { Random } from './random.ts';

/** Share of moving items that step on a tick, so that jobs don't march in lockstep. */
const STEP_CHANCE = 0.75;

export interface ClockOptions<T> {
  /** Interval between ticks (ms); a finite positive number, else RangeError. */
  stepMs: number;
  /** Decides which items step on a tick. */
  random: Random;
  /** Ends an item whose time is up; returns whether it did, in which case it takes no step this tick. */
  expire(item: T, now: number): boolean;
  /** Moves an item one step. */
  step(item: T): void;
}

export interface Clock<T> {
  /** Whether the interval is running. */
  readonly running: boolean;
  /** Let the clock move `item` (true) or leave it alone (false). */
  follow(item: T, moving: boolean): void;
  start(): void;
  /** Stop ticking; items keep their state and stay followed. */
  pause(): void;
  /** Stop for good: `start()` does nothing afterwards. */
  dispose(): void;
}

export function createClock<T>(options: ClockOptions<T>): Clock<T> {
  const { stepMs, random, expire, step } = options;
  if (!Number.isFinite(stepMs) || stepMs <= 0) throw new RangeError(`stepMs must be a positive number, got ${stepMs}`);
  const moving = new Set<T>();
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;

  const tick = (): void => {
    const now = Date.now();
    // A snapshot: items stop moving (or start) while the tick runs.
    for (const item of Array.from(moving)) {
      if (expire(item, now)) continue;
      if (random.chance(STEP_CHANCE)) step(item);
    }
  };

  const clock: Clock<T> = {
    get running() {
      return timer !== undefined;
    },
    follow(item, follow) {
      if (follow) moving.add(item);
      else moving.delete(item);
    },
    start() {
      if (timer || disposed) return;
      timer = setInterval(tick, stepMs);
      // The simulator must never be what keeps a process (or a vitest worker) alive.
      timer.unref();
    },
    pause() {
      clearInterval(timer);
      timer = undefined;
    },
    dispose() {
      disposed = true;
      clock.pause();
      moving.clear();
    },
  };
  return clock;
}
