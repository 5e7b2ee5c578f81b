// When poll rounds run: one at a time, never overlapping, an interval apart from start to start,
// and only while there is work. No timer stays set once nothing is left to poll.

export interface RoundSchedulerOptions {
  /** Time from the start of one round to the start of the next. */
  intervalMs: number;
  /** Whether anything needs polling; no round is scheduled while nothing does. */
  hasWork(): boolean;
  /** Runs one round; `startedAt` is when it started. Must not reject. */
  runRound(startedAt: number): Promise<void>;
  /** Called after every round, before the next one is scheduled. */
  afterRound(): void;
}

export interface RoundScheduler {
  /** Schedules the next round if there is work and none is pending or running. */
  schedule(): void;
  /**
   * A job watch began: when no round is pending or running, the next one comes no sooner than
   * an interval from now (the watcher has just read the job).
   */
  wake(): void;
  /**
   * Moves the next round to now, in place of the one pending. A round already running is not
   * cut short: the next one still comes an interval after it started.
   */
  hurry(): void;
  /**
   * After a release: once this turn's releases are done (a mass disconnect is one check, not one
   * per job), stops the timer if nothing is left to poll.
   */
  settle(): void;
  /** True when no timer is set and no round is running. */
  readonly idle: boolean;
  /** How late the last round started against its schedule, in ms. */
  readonly lastRoundLagMs: number;
  /** Clears every timer; no round is scheduled any more (one running finishes). */
  close(): void;
}

export function createRoundScheduler({ intervalMs, hasWork, runRound, afterRound }: RoundSchedulerOptions): RoundScheduler {
  let timer: NodeJS.Timeout | undefined;
  let idleCheck: NodeJS.Immediate | undefined;
  let running = false;
  let closed = false;
  let nextRoundAt = 0;
  let lastRoundLagMs = 0;

  const clearTimer = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  const fire = async () => {
    timer = undefined;
    running = true;
    const startedAt = Date.now();
    lastRoundLagMs = Math.max(0, startedAt - nextRoundAt);
    await runRound(startedAt);
    running = false;
    nextRoundAt = startedAt + intervalMs;
    afterRound();
    schedule();
  };

  const schedule = () => {
    if (closed || timer || running || !hasWork()) return;
    timer = setTimeout(fire, Math.max(0, nextRoundAt - Date.now()));
  };

  return {
    schedule,

    wake() {
      if (!timer && !running) nextRoundAt = Math.max(nextRoundAt, Date.now() + intervalMs);
      schedule();
    },

    hurry() {
      nextRoundAt = Date.now();
      clearTimer();
      schedule();
    },

    settle() {
      idleCheck ??= setImmediate(() => {
        idleCheck = undefined;
        if (timer && !hasWork()) clearTimer();
      });
    },

    get idle() {
      return !timer && !running;
    },

    get lastRoundLagMs() {
      return lastRoundLagMs;
    },

    close() {
      closed = true;
      clearTimer();
      clearImmediate(idleCheck);
      idleCheck = undefined;
    },
  };
}
