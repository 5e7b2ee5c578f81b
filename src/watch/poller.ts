// The one poller of a process: a ref-counted watch set of jobs, refreshed in rounds. However
// many subscribers share a job, it costs one upstream refresh per interval; finished jobs are
// never refreshed again; rounds never overlap; calls are paced under a rate; failures back off.
import type { Logger } from 'pino';
import { isOlderState, isTerminalStatus, jobStateKey, type ModelInvocationJob } from '../bedrock/job.ts';
import type { JobsApi } from '../bedrock/jobs.ts';
import { mapConcurrent } from '../bedrock/map-concurrent.ts';
import type { JobPubSub } from './job-pub-sub.ts';
import { createRateLimiter } from './rate-limiter.ts';

export interface PollerOptions {
  jobs: JobsApi;
  pubSub: JobPubSub;
  /** Time between two refreshes of a watched, unfinished job. */
  intervalMs: number;
  /** Most upstream calls per second the poller makes, evenly spaced. */
  maxRps: number;
  /** Most refreshes in flight at once. */
  concurrency: number;
  logger: Logger;
  /** Longest pause for a job whose refreshes keep failing. @default 60000 */
  maxBackoffMs?: number;
}

export interface PollerStats {
  /** Jobs with at least one watcher. */
  watched: number;
  /** Watched jobs that are not finished, so still refreshed. */
  pollable: number;
  /** True when no timer is set and no round is running. */
  idle: boolean;
  rounds: number;
  /** How late the last round started against its schedule, in ms. */
  lastRoundLagMs: number;
}

export interface Poller {
  /** Keeps the job refreshed until the returned release function is called (ref-counted). */
  watch(jobId: string): () => void;
  /** The last state the poller saw of a watched job, if any. */
  latest(jobId: string): ModelInvocationJob | undefined;
  /** The latest state: the watch set's, or one upstream fetch shared by concurrent callers. */
  current(jobId: string): Promise<ModelInvocationJob>;
  /** Refreshes a job now (after a mutation or a pushed event) and publishes any change. */
  refresh(jobId: string): Promise<void>;
  /** Called after every round; returns the unsubscribe function. */
  onRound(listener: (stats: PollerStats) => void): () => void;
  stats(): PollerStats;
  /** Stops polling for good and forgets every watch. */
  close(): void;
}

interface WatchedJob {
  refs: number;
  latest?: ModelInvocationJob;
  stateKey?: string;
  failures: number;
  /** Skip rounds that start before this instant (backoff). */
  retryAt: number;
}

export function createPoller(options: PollerOptions): Poller {
  const { jobs, pubSub, intervalMs, concurrency, logger } = options;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const limiter = createRateLimiter(options.maxRps);
  const watched = new Map<string, WatchedJob>();
  const inFlight = new Map<string, Promise<ModelInvocationJob>>();
  const roundListeners = new Set<(stats: PollerStats) => void>();
  const closing = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let roundRunning = false;
  let nextRoundAt = 0;
  let rounds = 0;
  let lastRoundLagMs = 0;

  const isPollable = (entry: WatchedJob) => !isTerminalStatus(entry.latest?.status);
  const hasPollable = () => [...watched.values()].some(isPollable);

  // One upstream call per job at a time, whoever asks.
  const fetchJob = (jobId: string) => {
    let pending = inFlight.get(jobId);
    if (!pending) {
      pending = jobs.getJob(jobId).finally(() => inFlight.delete(jobId));
      inFlight.set(jobId, pending);
    }
    return pending;
  };

  // Records a state of a watched job and publishes it when it is new.
  const observe = (jobId: string, job: ModelInvocationJob) => {
    const entry = watched.get(jobId);
    if (!entry || (entry.latest && isOlderState(job, entry.latest))) return;
    const stateKey = jobStateKey(job);
    if (stateKey === entry.stateKey) return;
    entry.latest = job;
    entry.stateKey = stateKey;
    pubSub.publish('job:changed', jobId, { job, observedAt: new Date() });
  };

  const schedule = () => {
    if (closing.signal.aborted || timer || roundRunning || !hasPollable()) return;
    timer = setTimeout(runRound, Math.max(0, nextRoundAt - Date.now()));
  };

  const unschedule = () => {
    if (timer && !hasPollable()) {
      clearTimeout(timer);
      timer = undefined;
    }
  };

  const refreshInRound = async (jobId: string, entry: WatchedJob) => {
    try {
      await limiter.take(closing.signal);
      observe(jobId, await fetchJob(jobId));
      entry.failures = 0;
      entry.retryAt = 0;
    } catch (error) {
      if (closing.signal.aborted) return;
      entry.failures += 1;
      // Failure 1 retries next round, then 1, 3, 7… rounds are skipped, up to the cap.
      entry.retryAt = Date.now() + Math.min(intervalMs * (2 ** (entry.failures - 1) - 1), maxBackoffMs);
      logger.debug({ jobId, failures: entry.failures, err: error }, 'refresh failed; backing off');
    }
  };

  async function runRound() {
    timer = undefined;
    roundRunning = true;
    const startedAt = Date.now();
    lastRoundLagMs = Math.max(0, startedAt - nextRoundAt);
    // Half an interval of slack: a job that was due "now-ish" goes in this round.
    const due = [...watched].filter(([, entry]) => isPollable(entry) && entry.retryAt <= startedAt + intervalMs / 2);
    await mapConcurrent(due, concurrency, ([jobId, entry]) => refreshInRound(jobId, entry));
    rounds += 1;
    roundRunning = false;
    nextRoundAt = startedAt + intervalMs;
    const stats = poller.stats();
    for (const listener of roundListeners) listener(stats);
    schedule();
  }

  const poller: Poller = {
    watch(jobId) {
      const entry = watched.get(jobId) ?? { refs: 0, failures: 0, retryAt: 0 };
      entry.refs += 1;
      watched.set(jobId, entry);
      if (!timer && !roundRunning) nextRoundAt = Math.max(nextRoundAt, Date.now() + intervalMs);
      schedule();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        entry.refs -= 1;
        if (entry.refs === 0 && watched.get(jobId) === entry) watched.delete(jobId);
        unschedule();
      };
    },

    latest: (jobId) => watched.get(jobId)?.latest,

    async current(jobId) {
      const known = watched.get(jobId)?.latest;
      if (known) return known;
      const job = await fetchJob(jobId);
      observe(jobId, job);
      return job;
    },

    async refresh(jobId) {
      // A fetch already under way may predate the change that prompted this refresh.
      await inFlight.get(jobId)?.catch(() => undefined);
      await limiter.take(closing.signal);
      const job = await fetchJob(jobId);
      observe(jobId, job);
      schedule();
    },

    onRound(listener) {
      roundListeners.add(listener);
      return () => roundListeners.delete(listener);
    },

    stats: () => ({
      watched: watched.size,
      pollable: [...watched.values()].filter(isPollable).length,
      idle: !timer && !roundRunning,
      rounds,
      lastRoundLagMs,
    }),

    close() {
      closing.abort(new Error('poller closed'));
      clearTimeout(timer);
      timer = undefined;
      watched.clear();
      roundListeners.clear();
    },
  };
  return poller;
}
