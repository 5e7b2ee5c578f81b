// The one poller of a process. It refreshes, in rounds that never overlap, every job someone
// watches (ref-counted) and, while an account-wide stream is open, every unfinished job of the
// account. However many subscribers share a job, it costs one refresh per interval; finished
// jobs are never refreshed again; calls are paced under a rate; failures back off, until the
// upstream recovers from an outage: then whatever is due is refreshed in the next round.
//
// It is put together here from its parts: the watch set (watched jobs and their latest states),
// the account tracker (account-wide streams), the rounds (what a round reads: gets or list
// pages) and their scheduler (when rounds run), and the paced upstream they share.
//
// Several instances (Redis): each round first claims the leases of its due jobs (and of the
// account scope) in one batch; it refreshes only what it holds. What other instances hold it
// follows through their published events, which update `latest`, and through the shared cache,
// which catches up on any event Redis pub/sub dropped. Without Redis every lease is ours.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import { POLLER_CALLER, type JobsApi } from '../bedrock/jobs.ts';
import type { UpstreamHealth } from '../bedrock/upstream-health.ts';
import { createAccountTracker } from './account-tracker.ts';
import type { JobPubSub } from './job-pub-sub.ts';
import { createLocalPollOwnership, type PollOwnership } from './poll-ownership.ts';
import { createPollRounds, type RoundMode } from './poll-rounds.ts';
import { createPollerUpstream } from './poller-upstream.ts';
import { createRoundScheduler } from './round-scheduler.ts';
import { createWatchSet } from './watch-set.ts';

export interface PollerOptions {
  jobs: JobsApi;
  pubSub: JobPubSub;
  /** Time between two refreshes of a watched, unfinished job. */
  intervalMs: number;
  /** Most upstream calls per second the poller makes, evenly spaced. */
  maxCallsPerSecond: number;
  /** Most refreshes in flight at once. */
  concurrency: number;
  logger: Logger;
  /** Longest pause for a job whose refreshes keep failing. @default 60000 */
  maxBackoffMs?: number;
  /**
   * Tells when Bedrock answers again after an outage; every backoff is reset then, so
   * subscribers learn what queries learn within one interval. @default none: backoffs run out
   */
  upstreamHealth?: Pick<UpstreamHealth, 'onRecovered'>;
  /** Above this many due jobs, a round may read list pages instead of one get per job. @default 5 */
  listThreshold?: number;
  /**
   * Decides which due jobs (and whether the account scope) this instance refreshes; the rest it
   * follows through published events. @default createLocalPollOwnership(): everything is ours
   */
  ownership?: PollOwnership;
}

export interface PollerStats {
  /** Jobs with at least one watcher. */
  watched: number;
  /** Watched jobs that are not finished, so still refreshed. */
  pollable: number;
  /** Open account-wide streams. */
  accountWatchers: number;
  /** Unfinished jobs tracked for account-wide streams. */
  accountUnfinished: number;
  /** True when no timer is set and no round is running. */
  idle: boolean;
  rounds: number;
  /** How the last round refreshed: one get per job, or list pages. */
  lastRoundMode: RoundMode;
  /** Upstream calls the last round made. */
  lastRoundCalls: number;
  /** How late the last round started against its schedule, in ms. */
  lastRoundLagMs: number;
}

export interface Poller {
  /**
   * Keeps the job refreshed until the returned release function is called (ref-counted).
   * `known` is the state the caller just read; it seeds `latest` when nothing is known yet.
   */
  watch(jobId: string, known?: ModelInvocationJob): () => void;
  /** Tracks every unfinished job of the account (for account-wide streams) until released. */
  watchAccount(): () => void;
  /** The last state the poller saw of a watched job, if any. */
  latest(jobId: string): ModelInvocationJob | undefined;
  /** Whether a change of this job would reach anyone (it is watched, or the account is). */
  isTracked(jobId: string): boolean;
  /**
   * The latest state: the watch set's, or one upstream fetch shared by concurrent callers, charged
   * to `caller`'s share of the call budget (the client whose subscription asks).
   */
  current(jobId: string, caller: string): Promise<ModelInvocationJob>;
  /**
   * Refreshes a job now and publishes any change. Pushed events wait for a slot under the rate
   * like polling does; a mutation's own follow-up (`paced: false`) does not queue behind them,
   * and is charged to `caller`'s share. @default caller: the poller's
   */
  refresh(jobId: string, options?: { paced?: boolean; caller?: string }): Promise<ModelInvocationJob>;
  /** Called after every round; returns the unsubscribe function. */
  onRound(listener: (stats: PollerStats) => void): () => void;
  stats(): PollerStats;
  /** Stops polling for good and forgets every watch. */
  close(): void;
}

export function createPoller(options: PollerOptions): Poller {
  const { pubSub, intervalMs, logger } = options;
  // Rounds and pushed refreshes spend the poller's own share (POLL_MAX_CALLS_PER_SECOND).
  const jobs = options.jobs.forCaller(POLLER_CALLER);
  const ownership = options.ownership ?? createLocalPollOwnership();
  const backoff = { intervalMs, maxBackoffMs: options.maxBackoffMs ?? 60_000 };
  const closing = new AbortController();
  // Each call waiting for a pacing slot listens for the close: a queue of them is not a leak.
  setMaxListeners(0, closing.signal);
  const upstream = createPollerUpstream({ jobs, maxCallsPerSecond: options.maxCallsPerSecond, signal: closing.signal });
  const watchSet = createWatchSet({ pubSub, ownership, backoff });
  const account = createAccountTracker({ pubSub, ownership });
  const roundListeners = new Set<(stats: PollerStats) => void>();

  // Records a job state read from Bedrock: the watch set merges it with what it knew and publishes
  // a change to the job's watchers, the account tracker a status change to account-wide streams
  // (as merged, when the job is watched). Returns the state as now known.
  const observe = (read: ModelInvocationJob, observeOptions?: { baseline?: boolean }) => {
    const jobId = jobIdFromArn(read.jobArn);
    const observedAt = new Date();
    const job = watchSet.observe(jobId, read, observedAt) ?? read;
    account.observe(jobId, job, observedAt, observeOptions);
    return job;
  };

  const rounds = createPollRounds({
    jobs,
    upstream,
    ownership,
    watchSet,
    account,
    observe,
    intervalMs,
    concurrency: options.concurrency,
    listThreshold: options.listThreshold ?? 5,
    backoff,
    logger,
    signal: closing.signal,
  });
  const stopFollowingRecoveries = options.upstreamHealth?.onRecovered(() => {
    logger.debug('upstream recovered; refreshing every due job in the next round');
    rounds.upstreamRecovered();
  });
  const scheduler = createRoundScheduler({
    intervalMs,
    hasWork: () => account.watchers > 0 || watchSet.hasPollable(),
    runRound: rounds.run,
    afterRound() {
      const stats = poller.stats();
      for (const listener of roundListeners) listener(stats);
    },
  });

  const poller: Poller = {
    watch(jobId, known) {
      const release = watchSet.watch(jobId, known);
      scheduler.wake();
      return () => {
        if (release()) scheduler.settle();
      };
    },

    watchAccount() {
      const starting = account.state === 'off';
      const release = account.watch();
      // The baseline should not wait a whole interval: run the next round now.
      if (starting) scheduler.hurry();
      else scheduler.schedule();
      return () => {
        if (release()) scheduler.settle();
      };
    },

    latest: (jobId) => watchSet.latest(jobId),

    isTracked: (jobId) => watchSet.has(jobId) || account.watchers > 0,

    async current(jobId, caller) {
      const known = watchSet.latest(jobId);
      if (known) return known;
      return observe(await upstream.fetchJob(jobId, false, caller));
    },

    async refresh(jobId, { paced = true, caller } = {}) {
      // A fetch already under way may predate the change that prompted this refresh.
      await upstream.pending(jobId)?.catch(() => undefined);
      if (paced) await upstream.nextSlot();
      return observe(await upstream.fetchJob(jobId, true, caller));
    },

    onRound(listener) {
      roundListeners.add(listener);
      return () => roundListeners.delete(listener);
    },

    stats: () => ({
      watched: watchSet.size,
      pollable: watchSet.pollable().length,
      accountWatchers: account.watchers,
      accountUnfinished: account.unfinished,
      idle: scheduler.idle,
      rounds: rounds.count,
      lastRoundMode: rounds.lastRoundMode,
      lastRoundCalls: rounds.lastRoundCalls,
      lastRoundLagMs: scheduler.lastRoundLagMs,
    }),

    close() {
      stopFollowingRecoveries?.();
      closing.abort(new Error('poller closed'));
      scheduler.close();
      watchSet.close();
      account.close();
      roundListeners.clear();
    },
  };
  return poller;
}
