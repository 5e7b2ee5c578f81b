// The one poller of a process. It refreshes, in rounds that never overlap, every job someone
// watches (ref-counted) and, while an account-wide stream is open, every unfinished job of the
// account. However many subscribers share a job, it costs one refresh per interval; finished
// jobs are never refreshed again; calls are paced under a rate; failures back off.
//
// Get or list: a round refreshes watched jobs with one GetModelInvocationJob each while they are
// few. When more than `listThreshold` are due, or an account-wide stream is open, and the last
// list round took fewer calls than there are jobs, the round reads ListModelInvocationJobs pages
// instead (newest first, 1,000 jobs a page, bounded below by the submit time of the oldest
// unfinished job it tracks), so upstream calls grow with pages, not with jobs.
//
// Several instances (Redis): each round first claims the leases of its due jobs (and of the
// account scope) in one batch; it refreshes only what it holds. What other instances hold it
// follows through their published events, which update `latest`, and through the shared cache,
// which catches up on any event Redis pub/sub dropped. Without Redis every lease is ours.
import type { Logger } from 'pino';
import { UNFINISHED_STATUSES, isOlderState, isTerminalStatus, jobStateKey, type JobStatus, type ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import type { JobsApi, ListJobsInput } from '../bedrock/jobs.ts';
import { mapConcurrent } from '../bedrock/map-concurrent.ts';
import type { JobPubSub } from './job-pub-sub.ts';
import { ACCOUNT_LEASE, createLocalPollOwnership, jobLease, type PollOwnership } from './poll-ownership.ts';
import { createTokenBucket } from '../limits/token-bucket.ts';

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
  lastRoundMode: 'get' | 'list' | 'none';
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
  /** The latest state: the watch set's, or one upstream fetch shared by concurrent callers. */
  current(jobId: string): Promise<ModelInvocationJob>;
  /**
   * Refreshes a job now and publishes any change. Pushed events wait for a slot under the rate
   * like polling does; a mutation's own follow-up (`paced: false`) does not queue behind them.
   */
  refresh(jobId: string, options?: { paced?: boolean }): Promise<ModelInvocationJob>;
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
  /** Stops following the states other instances publish (shared ownership only). */
  unfollow?: () => void;
}

interface AccountEntry {
  status: JobStatus | undefined;
  submitTime: number;
}

const LIST_PAGE_SIZE = 1000;

export function createPoller(options: PollerOptions): Poller {
  const { jobs, pubSub, intervalMs, concurrency, logger } = options;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const listThreshold = options.listThreshold ?? 5;
  const ownership = options.ownership ?? createLocalPollOwnership();
  // Even pacing: a bucket of one token.
  const pacing = createTokenBucket({ perSecond: options.maxRps, burst: 1 });
  const nextSlot = () => pacing.acquire('poller', { signal: closing.signal });
  const watched = new Map<string, WatchedJob>();
  const inFlight = new Map<string, { job: Promise<ModelInvocationJob>; fresh: boolean }>();
  const roundListeners = new Set<(stats: PollerStats) => void>();
  const closing = new AbortController();

  // Account-wide tracking: every job at or after the horizon, with the status last seen.
  const account = new Map<string, AccountEntry>();
  let accountWatchers = 0;
  let accountState: 'off' | 'baseline' | 'settling' | 'live' = 'off';
  let newestSubmitTime = 0;
  let baselineNewestSubmitTime = 0;
  // Whether this instance tracks and publishes account-wide changes: always alone; with peers,
  // while it holds the account lease (otherwise two instances would report one change twice).
  let accountLeaseHeld = !ownership.shared;
  let unfollowAccount: (() => void) | undefined;

  let timer: NodeJS.Timeout | undefined;
  let roundRunning = false;
  let nextRoundAt = 0;
  let rounds = 0;
  let lastRoundLagMs = 0;
  let lastRoundMode: PollerStats['lastRoundMode'] = 'none';
  let lastRoundCalls = 0;
  let lastListCalls = 1;
  let listFailures = 0;
  let listRetryAt = 0;
  let callsThisRound = 0;

  const isPollable = (entry: WatchedJob) => !isTerminalStatus(entry.latest?.status);
  // Stops at the first unfinished job: finished ones leave the watch set as their streams end.
  const hasWork = () => {
    if (accountWatchers > 0) return true;
    for (const entry of watched.values()) if (isPollable(entry)) return true;
    return false;
  };
  const backoffMs = (failures: number) => Math.min(intervalMs * (2 ** (failures - 1) - 1), maxBackoffMs);

  // One upstream get per job at a time, whoever asks. A refresh (`fresh`) asks Bedrock even when
  // a shared cache holds a recent copy, so it does not join a read that may come from that cache.
  const fetchJob = (jobId: string, fresh: boolean) => {
    const pending = inFlight.get(jobId);
    if (pending && (pending.fresh || !fresh)) return pending.job;
    const job = jobs.getJob(jobId, { fresh }).finally(() => {
      if (inFlight.get(jobId)?.job === job) inFlight.delete(jobId);
    });
    inFlight.set(jobId, { job, fresh });
    return job;
  };

  const paced = async <T>(call: () => Promise<T>): Promise<T> => {
    await nextSlot();
    callsThisRound += 1;
    return call();
  };

  // Records a job state; publishes it to the job's watchers and, for a status change, to
  // account-wide streams. `quiet` records without publishing (account baseline).
  const observe = (job: ModelInvocationJob, quiet = false) => {
    const jobId = jobIdFromArn(job.jobArn);
    const observedAt = new Date();
    const entry = watched.get(jobId);
    if (entry && !(entry.latest && isOlderState(job, entry.latest))) {
      const stateKey = jobStateKey(job);
      if (stateKey !== entry.stateKey) {
        entry.latest = job;
        entry.stateKey = stateKey;
        pubSub.publish('job:changed', jobId, { job, observedAt });
      }
      // Nobody needs to refresh a finished job: let the lease go at once.
      if (isTerminalStatus(job.status)) ownership.release([jobLease(jobId)]);
    }
    // Account-wide changes are tracked and published by the holder of the account lease; the
    // other instances learn them from its events (absorbAccountChange), not from their own reads.
    if (accountState === 'off' || !accountLeaseHeld) return;
    const known = account.get(jobId);
    if (known?.status === job.status) return;
    const submitTime = new Date(job.submitTime).getTime();
    account.set(jobId, { status: job.status, submitTime });
    newestSubmitTime = Math.max(newestSubmitTime, submitTime);
    // While settling, a job first seen already finished was finished before the baseline, unless
    // it is newer than the newest the baseline saw: then it was created (and finished) since.
    const settledBefore =
      accountState === 'settling' && !known && isTerminalStatus(job.status) && submitTime < baselineNewestSubmitTime;
    // A quiet (baseline) observation of a job whose status was known (from a peer that held the
    // account lease before us) is a change all the same; alone, nothing is known at the baseline.
    if ((quiet && !known) || settledBefore) return;
    pubSub.publish('jobs:statusChanged', { job, previousStatus: known?.status ?? null, observedAt });
  };

  // A state another instance published (or our own, echoed back): remembered, not republished,
  // since the event already reached this instance's subscribers.
  const absorb = (jobId: string, job: ModelInvocationJob) => {
    const entry = watched.get(jobId);
    if (!entry || (entry.latest && isOlderState(job, entry.latest))) return;
    entry.latest = job;
    entry.stateKey = jobStateKey(job);
  };

  const absorbAccountChange = (job: ModelInvocationJob) => {
    if (accountState === 'off') return;
    const submitTime = new Date(job.submitTime).getTime();
    account.set(jobIdFromArn(job.jobArn), { status: job.status, submitTime });
    newestSubmitTime = Math.max(newestSubmitTime, submitTime);
  };

  // Subscribes to a topic for as long as the returned function is not called.
  const follow = <T>(events: AsyncIterableIterator<T> & { return(): unknown }, take: (event: T) => void) => {
    void (async () => {
      for await (const event of events) take(event);
    })();
    return () => void events.return();
  };

  // Jobs held by other instances: take any newer state from the shared cache, in one read. This
  // is what repairs a pub/sub message lost during a reconnect (or a lease holder that died).
  const catchUp = async (jobIds: string[]) => {
    if (jobIds.length === 0) return;
    for (const job of (await jobs.cachedJobs(jobIds)).values()) observe(job);
  };

  const listAll = async (input: ListJobsInput, onJob: (job: ModelInvocationJob) => void) => {
    let nextToken: string | undefined;
    do {
      const page = await paced(() => jobs.listJobs({ ...input, maxResults: LIST_PAGE_SIZE, nextToken }));
      page.jobs.forEach(onJob);
      nextToken = page.nextToken;
    } while (nextToken && !closing.signal.aborted);
  };

  // The oldest submit time among unfinished jobs the poller tracks: nothing older can change.
  const listHorizon = (due: Array<[string, WatchedJob]>, ownsAccount: boolean): number => {
    let horizon = ownsAccount ? newestSubmitTime : Infinity;
    for (const [, entry] of due) if (entry.latest) horizon = Math.min(horizon, new Date(entry.latest.submitTime).getTime());
    if (!ownsAccount) return horizon;
    for (const { status, submitTime } of account.values()) if (!isTerminalStatus(status)) horizon = Math.min(horizon, submitTime);
    return horizon;
  };

  const establishAccountBaseline = async () => {
    // Every unfinished job, plus the newest page so later rounds can tell new jobs from old.
    for (const statusEquals of UNFINISHED_STATUSES) await listAll({ statusEquals }, (job) => observe(job, true));
    const newest = await paced(() => jobs.listJobs({ sortOrder: 'Descending', maxResults: LIST_PAGE_SIZE }));
    newest.jobs.forEach((job) => observe(job, true));
    baselineNewestSubmitTime = newestSubmitTime;
    accountState = 'settling';
  };

  const listRound = async (due: Array<[string, WatchedJob]>, ownsAccount: boolean) => {
    if (ownsAccount && accountState === 'baseline') await establishAccountBaseline();
    const horizon = listHorizon(due, ownsAccount);
    const seen = new Set<string>();
    // Nothing bounds the list (no state known yet): reading the whole account is never cheaper.
    if (!Number.isFinite(horizon) && !ownsAccount) return seen;
    await listAll(
      { sortOrder: 'Descending', ...(Number.isFinite(horizon) ? { submitTimeAfter: new Date(horizon - 1) } : {}) },
      (job) => {
        seen.add(jobIdFromArn(job.jobArn));
        observe(job);
      },
    );
    if (!ownsAccount) return seen;
    if (accountState === 'settling') accountState = 'live';
    // Finished jobs older than the horizon can never show up in a list round again.
    for (const [jobId, { status, submitTime }] of account) {
      if (isTerminalStatus(status) && submitTime < horizon) account.delete(jobId);
    }
    return seen;
  };

  const refreshOne = async (jobId: string, entry: WatchedJob) => {
    try {
      observe(await paced(() => fetchJob(jobId, true)));
      entry.failures = 0;
      entry.retryAt = 0;
    } catch (error) {
      if (closing.signal.aborted) return;
      entry.failures += 1;
      // Failure 1 retries next round, then 1, 3, 7… rounds are skipped, up to the cap.
      entry.retryAt = Date.now() + backoffMs(entry.failures);
      logger.debug({ jobId, failures: entry.failures, err: error }, 'refresh failed; backing off');
    }
  };

  async function runRound() {
    timer = undefined;
    roundRunning = true;
    callsThisRound = 0;
    const startedAt = Date.now();
    lastRoundLagMs = Math.max(0, startedAt - nextRoundAt);
    // Half an interval of slack: a job due "now-ish" goes in this round.
    const pollable = [...watched].filter(([, entry]) => isPollable(entry));
    const leases = await ownership.claim([
      ...pollable.map(([jobId]) => jobLease(jobId)),
      ...(accountWatchers > 0 ? [ACCOUNT_LEASE] : []),
    ]);
    const ownsAccount = accountWatchers > 0 && leases.has(ACCOUNT_LEASE);
    if (accountWatchers > 0) accountLeaseHeld = ownsAccount;
    const held = pollable.filter(([jobId]) => leases.has(jobLease(jobId)));
    if (held.length < pollable.length) {
      await catchUp(pollable.filter(([jobId]) => !leases.has(jobLease(jobId))).map(([jobId]) => jobId)).catch(
        (error: unknown) => logger.debug({ err: error }, 'catching up from the shared cache failed'),
      );
    }
    const due = held.filter(([, entry]) => entry.retryAt <= startedAt + intervalMs / 2);
    const useList =
      listRetryAt <= startedAt &&
      (ownsAccount || (due.length > listThreshold && lastListCalls < due.length));
    let individually = due;
    if (useList) {
      try {
        const seen = await listRound(due, ownsAccount);
        lastListCalls = Math.max(1, callsThisRound);
        listFailures = 0;
        // A job missing from the list (not yet listed, or never fetched) is read on its own.
        individually = due.filter(([jobId, entry]) => !seen.has(jobId) || !entry.latest);
      } catch (error) {
        if (!closing.signal.aborted) {
          listFailures += 1;
          listRetryAt = Date.now() + backoffMs(listFailures);
          logger.debug({ failures: listFailures, err: error }, 'list round failed; backing off');
        }
        individually = [];
      }
    }
    await mapConcurrent(individually, concurrency, ([jobId, entry]) => refreshOne(jobId, entry));
    rounds += 1;
    lastRoundMode = useList ? 'list' : due.length > 0 ? 'get' : 'none';
    lastRoundCalls = callsThisRound;
    roundRunning = false;
    nextRoundAt = startedAt + intervalMs;
    const stats = poller.stats();
    for (const listener of roundListeners) listener(stats);
    schedule();
  }

  const schedule = () => {
    if (closing.signal.aborted || timer || roundRunning || !hasWork()) return;
    timer = setTimeout(runRound, Math.max(0, nextRoundAt - Date.now()));
  };

  // After a release: once this turn's releases are done (a mass disconnect is one check, not one
  // per job), stop the timer if nothing is left to poll.
  let idleCheck: NodeJS.Immediate | undefined;
  const unschedule = () => {
    idleCheck ??= setImmediate(() => {
      idleCheck = undefined;
      if (timer && !hasWork()) {
        clearTimeout(timer);
        timer = undefined;
      }
    });
  };

  const poller: Poller = {
    watch(jobId, known) {
      let entry = watched.get(jobId);
      if (!entry) {
        const created: WatchedJob = { refs: 0, failures: 0, retryAt: 0 };
        entry = created;
        watched.set(jobId, created);
        if (ownership.shared) {
          created.unfollow = follow(pubSub.subscribe('job:changed', jobId), ({ job }) => absorb(jobId, job));
        }
      }
      if (known && !entry.latest) {
        entry.latest = known;
        entry.stateKey = jobStateKey(known);
      }
      entry.refs += 1;
      const watchedEntry = entry;
      if (!timer && !roundRunning) nextRoundAt = Math.max(nextRoundAt, Date.now() + intervalMs);
      schedule();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        watchedEntry.refs -= 1;
        if (watchedEntry.refs === 0 && watched.get(jobId) === watchedEntry) {
          watched.delete(jobId);
          watchedEntry.unfollow?.();
          ownership.release([jobLease(jobId)]);
          unschedule();
        }
      };
    },

    watchAccount() {
      accountWatchers += 1;
      if (accountState === 'off') {
        accountState = 'baseline';
        if (ownership.shared) {
          unfollowAccount = follow(pubSub.subscribe('jobs:statusChanged'), ({ job }) => absorbAccountChange(job));
        }
        // The baseline should not wait a whole interval: run the next round now.
        nextRoundAt = Date.now();
        if (timer) {
          clearTimeout(timer);
          timer = undefined;
        }
      }
      schedule();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        accountWatchers -= 1;
        if (accountWatchers === 0) {
          accountState = 'off';
          account.clear();
          newestSubmitTime = 0;
          unfollowAccount?.();
          unfollowAccount = undefined;
          accountLeaseHeld = !ownership.shared;
          ownership.release([ACCOUNT_LEASE]);
          unschedule();
        }
      };
    },

    latest: (jobId) => watched.get(jobId)?.latest,

    isTracked: (jobId) => watched.has(jobId) || accountWatchers > 0,

    async current(jobId) {
      const known = watched.get(jobId)?.latest;
      if (known) return known;
      const job = await fetchJob(jobId, false);
      observe(job);
      return job;
    },

    async refresh(jobId, { paced = true } = {}) {
      // A fetch already under way may predate the change that prompted this refresh.
      await inFlight.get(jobId)?.job.catch(() => undefined);
      if (paced) await nextSlot();
      const job = await fetchJob(jobId, true);
      observe(job);
      return job;
    },

    onRound(listener) {
      roundListeners.add(listener);
      return () => roundListeners.delete(listener);
    },

    stats: () => ({
      watched: watched.size,
      pollable: [...watched.values()].filter(isPollable).length,
      accountWatchers,
      accountUnfinished: [...account.values()].filter(({ status }) => !isTerminalStatus(status)).length,
      idle: !timer && !roundRunning,
      rounds,
      lastRoundMode,
      lastRoundCalls,
      lastRoundLagMs,
    }),

    close() {
      closing.abort(new Error('poller closed'));
      clearTimeout(timer);
      timer = undefined;
      clearImmediate(idleCheck);
      idleCheck = undefined;
      for (const entry of watched.values()) entry.unfollow?.();
      unfollowAccount?.();
      unfollowAccount = undefined;
      watched.clear();
      account.clear();
      accountWatchers = 0;
      accountState = 'off';
      roundListeners.clear();
    },
  };
  return poller;
}
