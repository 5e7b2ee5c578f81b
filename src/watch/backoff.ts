// How long something that keeps failing (one watched job's refresh, the list rounds) waits
// before the next try, counted in poll intervals. A recovery of the upstream resets it: failures
// an outage caused say nothing about the next try.

export interface BackoffOptions {
  /** Time between two poll rounds. */
  intervalMs: number;
  /** Longest pause, however many failures. */
  maxBackoffMs: number;
}

export interface Backoff {
  readonly failures: number;
  /** Skip rounds that start before this instant (0: none to skip). */
  readonly retryAt: number;
  /** Counts a failure and pushes `retryAt` back. */
  failed(): void;
  succeeded(): void;
  /** Forgets the failures (the outage behind them is over): the next round tries again. */
  reset(): void;
}

export function createBackoff({ intervalMs, maxBackoffMs }: BackoffOptions): Backoff {
  let failures = 0;
  let retryAt = 0;
  const reset = () => {
    failures = 0;
    retryAt = 0;
  };
  return {
    get failures() {
      return failures;
    },
    get retryAt() {
      return retryAt;
    },
    failed() {
      failures += 1;
      // Failure 1 retries next round, then 1, 3, 7… rounds are skipped, up to the cap.
      retryAt = Date.now() + Math.min(intervalMs * (2 ** (failures - 1) - 1), maxBackoffMs);
    },
    succeeded: reset,
    reset,
  };
}
