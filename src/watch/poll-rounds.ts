// What one poll round does. It claims the leases of the watched unfinished jobs (and of the
// account scope) in one batch, catches up from the shared cache on the jobs peers hold, then
// refreshes what it holds and is due.
//
// Get or list: a round refreshes watched jobs with one GetModelInvocationJob each while they are
// few. It reads ListModelInvocationJobs pages instead (newest first, 1,000 jobs a page, bounded
// below by the submit time of the oldest unfinished job it tracks) when it holds the account
// lease, or when more than `listThreshold` are due and the last list round took fewer calls than
// there are due jobs; so upstream calls grow with pages, not with jobs. Failing lists back off
// like failing gets, and both stop backing off when the upstream recovers from an outage.
import type { Logger } from 'pino';
import { isTerminalStatus, UNFINISHED_STATUSES, type ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import type { JobsApi, ListJobsInput } from '../bedrock/jobs.ts';
import { mapConcurrent } from '../bedrock/map-concurrent.ts';
import type { AccountTracker } from './account-tracker.ts';
import { createBackoff, type BackoffOptions } from './backoff.ts';
import { jobLease, type PollOwnership } from './poll-ownership.ts';
import type { PollerUpstream } from './poller-upstream.ts';
import type { WatchedJob, WatchSet } from './watch-set.ts';

const LIST_PAGE_SIZE = 1000;

/** How a round refreshed: one get per job, list pages, or not at all. */
export type RoundMode = 'get' | 'list' | 'none';

export interface PollRoundsOptions {
  jobs: JobsApi;
  upstream: PollerUpstream;
  ownership: PollOwnership;
  watchSet: WatchSet;
  account: AccountTracker;
  /** Records a state the round read (the poller hands it to the watch set and account tracker). */
  observe(job: ModelInvocationJob, options?: { baseline?: boolean }): void;
  /** Time between two rounds. */
  intervalMs: number;
  /** Most refreshes in flight at once. */
  concurrency: number;
  /** Above this many due jobs, a round may read list pages instead of one get per job. */
  listThreshold: number;
  /** Backoff of list rounds that keep failing. */
  backoff: BackoffOptions;
  logger: Logger;
  /** Aborts when the poller closes: paging stops, and failures are no longer counted. */
  signal: AbortSignal;
}

export interface PollRounds {
  /** Runs one round, started at `startedAt`. Never rejects. */
  run(startedAt: number): Promise<void>;
  /**
   * The upstream is back after an outage: every watched job and the list rounds stop backing
   * off, so the next round refreshes whatever is due as if nothing had failed.
   */
  upstreamRecovered(): void;
  /** Rounds run. */
  readonly count: number;
  readonly lastRoundMode: RoundMode;
  /** Upstream calls the last round made. */
  readonly lastRoundCalls: number;
}

export function createPollRounds(options: PollRoundsOptions): PollRounds {
  const { jobs, upstream, ownership, watchSet, account, observe, logger, signal } = options;
  const { intervalMs, concurrency, listThreshold } = options;
  const listBackoff = createBackoff(options.backoff);
  let count = 0;
  let lastRoundMode: RoundMode = 'none';
  let lastRoundCalls = 0;
  // At least 1: lists win only while the last list took fewer calls than there are due jobs.
  let lastListCalls = 1;
  let callsThisRound = 0;

  const paced = async <T>(call: () => Promise<T>): Promise<T> => {
    await upstream.nextSlot();
    callsThisRound += 1;
    return call();
  };

  const listAll = async (input: ListJobsInput, onJob: (job: ModelInvocationJob) => void) => {
    let nextToken: string | undefined;
    do {
      const page = await paced(() => jobs.listJobs({ ...input, maxResults: LIST_PAGE_SIZE, nextToken }));
      page.jobs.forEach(onJob);
      nextToken = page.nextToken;
    } while (nextToken && !signal.aborted);
  };

  // Jobs held by other instances: take any newer state from the shared cache, in one read. This
  // is what repairs a pub/sub message lost during a reconnect (or a lease holder that died).
  const catchUp = async (followed: WatchedJob[]) => {
    const cached = await jobs.cachedJobs(followed.map(({ jobId }) => jobId));
    for (const job of cached.values()) observe(job);
  };

  // Claims the round's leases: the watched jobs this instance refreshes, and whether it lists
  // the account. Without peers everything is held.
  const claim = async () => {
    const pollable = watchSet.pollable();
    const leases = await ownership.claim([...pollable.map(({ jobId }) => jobLease(jobId)), ...account.leases()]);
    const ownsAccount = account.claimed(leases);
    const held = pollable.filter(({ jobId }) => leases.has(jobLease(jobId)));
    if (held.length < pollable.length) {
      await catchUp(pollable.filter(({ jobId }) => !leases.has(jobLease(jobId)))).catch((error: unknown) =>
        logger.debug({ err: error }, 'catching up from the shared cache failed'),
      );
    }
    return { held, ownsAccount };
  };

  const readAccountBaseline = async () => {
    // Every unfinished job, plus the newest page so later rounds can tell new jobs from old.
    const quietly = (job: ModelInvocationJob) => observe(job, { baseline: true });
    for (const statusEquals of UNFINISHED_STATUSES) await listAll({ statusEquals }, quietly);
    const newest = await paced(() => jobs.listJobs({ sortOrder: 'Descending', maxResults: LIST_PAGE_SIZE }));
    newest.jobs.forEach(quietly);
    account.baselineRead();
  };

  // The oldest submit time among unfinished jobs the round tracks: nothing older can change.
  const horizonOf = (due: WatchedJob[], ownsAccount: boolean) => {
    let horizon = ownsAccount ? account.horizon() : Infinity;
    for (const { latest } of due) if (latest) horizon = Math.min(horizon, new Date(latest.submitTime).getTime());
    return horizon;
  };

  // Reads list pages from the horizon on; resolves with the ids of the jobs they held.
  const listRound = async (due: WatchedJob[], ownsAccount: boolean) => {
    if (ownsAccount && account.state === 'baseline') await readAccountBaseline();
    const horizon = horizonOf(due, ownsAccount);
    const seen = new Set<string>();
    // Nothing bounds the list (no state known yet): reading the whole account is never cheaper.
    if (!Number.isFinite(horizon) && !ownsAccount) return seen;
    const after = Number.isFinite(horizon) ? { submitTimeAfter: new Date(horizon - 1) } : {};
    const unfinished = new Set(due.filter(({ latest }) => !isTerminalStatus(latest?.status)).map(({ jobId }) => jobId));
    await listAll({ sortOrder: 'Descending', ...after }, (job) => {
      const jobId = jobIdFromArn(job.jobArn);
      // A due job seen finishing is read on its own instead: its last state is kept for good,
      // and a summary may lack members (endTime, message) its subscribers should see.
      if (isTerminalStatus(job.status) && unfinished.has(jobId)) return;
      seen.add(jobId);
      observe(job);
    });
    if (ownsAccount) account.listed(horizon);
    return seen;
  };

  // A list round in place of gets: resolves with the due jobs still to get one by one (none
  // when the list failed: the list rounds back off, and the jobs wait for the next round).
  const listDue = async (due: WatchedJob[], ownsAccount: boolean) => {
    try {
      const seen = await listRound(due, ownsAccount);
      lastListCalls = Math.max(1, callsThisRound);
      listBackoff.succeeded();
      // A job missing from the list (not yet listed, or never fetched) is read on its own.
      return due.filter(({ jobId, latest }) => !seen.has(jobId) || !latest);
    } catch (error) {
      if (!signal.aborted) {
        listBackoff.failed();
        logger.debug({ failures: listBackoff.failures, err: error }, 'list round failed; backing off');
      }
      return [];
    }
  };

  const refreshOne = async ({ jobId, backoff }: WatchedJob) => {
    try {
      observe(await paced(() => upstream.fetchJob(jobId, true)));
      backoff.succeeded();
    } catch (error) {
      if (signal.aborted) return;
      backoff.failed();
      logger.debug({ jobId, failures: backoff.failures, err: error }, 'refresh failed; backing off');
    }
  };

  return {
    async run(startedAt) {
      callsThisRound = 0;
      const { held, ownsAccount } = await claim();
      // Half an interval of slack: a job due "now-ish" goes in this round. A job whose first read
      // is under way (a subscription starting) is left to it: a subscription churned on unknown
      // ids must cost its caller one call each, not the poller's share besides.
      const due = held.filter(
        ({ jobId, latest, backoff }) => backoff.retryAt <= startedAt + intervalMs / 2 && !(latest === undefined && upstream.pending(jobId)),
      );
      const useList =
        listBackoff.retryAt <= startedAt && (ownsAccount || (due.length > listThreshold && lastListCalls < due.length));
      const individually = useList ? await listDue(due, ownsAccount) : due;
      await mapConcurrent(individually, concurrency, refreshOne);
      count += 1;
      lastRoundMode = useList ? 'list' : due.length > 0 ? 'get' : 'none';
      lastRoundCalls = callsThisRound;
    },

    upstreamRecovered() {
      listBackoff.reset();
      for (const { backoff } of watchSet.pollable()) backoff.reset();
    },

    get count() {
      return count;
    },
    get lastRoundMode() {
      return lastRoundMode;
    },
    get lastRoundCalls() {
      return lastRoundCalls;
    },
  };
}
