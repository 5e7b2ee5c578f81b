// Account-wide tracking, for account-wide streams: the status last seen of every job at or after
// the list horizon, and the rule that decides which observations are status changes published on
// `jobs:statusChanged`. Its states, each step one method below:
//
//   off       no account-wide stream is open; nothing is tracked.
//   baseline  a stream opened (watch); the next round that holds the account lease reads every
//             unfinished job and the newest page quietly: what exists already is not news.
//   settling  the baseline is read (baselineRead); the first list round after it runs. A job it
//             first sees already finished may have finished before the baseline, so is not news.
//   live      that list round is done (listed); every new status is news.
//
// With peers (shared ownership) only the holder of the account lease tracks from its own reads
// and publishes, otherwise two instances would report one change twice. The others take the
// holder's events into their map, so whichever takes the lease over goes on with what it knew.
import { isTerminalStatus, type JobStatus, type ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import type { JobPubSub } from './job-pub-sub.ts';
import { ACCOUNT_LEASE, type PollOwnership } from './poll-ownership.ts';

export type AccountTrackingState = 'off' | 'baseline' | 'settling' | 'live';

export interface AccountTrackerOptions {
  pubSub: JobPubSub;
  ownership: PollOwnership;
}

export interface AccountTracker {
  readonly state: AccountTrackingState;
  /** Open account-wide streams. */
  readonly watchers: number;
  /** Unfinished jobs tracked. */
  readonly unfinished: number;
  /**
   * Adds an account-wide stream; the first one moves `off` to `baseline`. The returned release
   * says whether it let the last stream go (then the state is `off` again and the lease given up).
   */
  watch(): () => boolean;
  /** The lease keys a round claims for the account: none while no stream is open. */
  leases(): string[];
  /** Takes a round's claimed leases; says whether this instance lists the account this round. */
  claimed(leases: ReadonlySet<string>): boolean;
  /**
   * Records a state this instance read; publishes it when its status is news. `baseline`: read
   * while establishing the baseline.
   */
  observe(jobId: string, job: ModelInvocationJob, observedAt: Date, options?: { baseline?: boolean }): void;
  /** The baseline reads are done: `baseline` → `settling`. */
  baselineRead(): void;
  /**
   * Where a list round must start for the account: the submit time of the oldest unfinished job
   * tracked, or of the newest job seen when none is unfinished. Nothing older can change.
   */
  horizon(): number;
  /** A list round read every job from `horizon` on: `settling` → `live`; old finished jobs go. */
  listed(horizon: number): void;
  /** Stops following peers and forgets everything (the poller is closing). */
  close(): void;
}

interface AccountEntry {
  status: JobStatus | undefined;
  submitTime: number;
}

export function createAccountTracker({ pubSub, ownership }: AccountTrackerOptions): AccountTracker {
  const entries = new Map<string, AccountEntry>();
  let state: AccountTrackingState = 'off';
  let watchers = 0;
  let newestSubmitTime = 0;
  let baselineNewestSubmitTime = 0;
  // Alone, always; with peers, while this instance holds the account lease.
  let leaseHeld = !ownership.shared;
  let unfollow: (() => void) | undefined;

  const record = (jobId: string, job: ModelInvocationJob): number => {
    const submitTime = new Date(job.submitTime).getTime();
    entries.set(jobId, { status: job.status, submitTime });
    newestSubmitTime = Math.max(newestSubmitTime, submitTime);
    return submitTime;
  };

  // Whether a status this instance just read (and did not know) is a change to publish.
  const isNews = (known: AccountEntry | undefined, job: ModelInvocationJob, submitTime: number, baseline: boolean) => {
    // A baseline read of a job whose status was known (from a peer that held the account lease
    // before us) is a change all the same; alone, nothing is known at the baseline.
    if (baseline) return known !== undefined;
    // While settling, a job first seen already finished was finished before the baseline, unless
    // it is newer than the newest the baseline saw: then it was created (and finished) since.
    const settledBefore =
      state === 'settling' && !known && isTerminalStatus(job.status) && submitTime < baselineNewestSubmitTime;
    return !settledBefore;
  };

  const start = () => {
    state = 'baseline';
    if (ownership.shared) {
      // A peer's change: remembered, not republished (it already reached our subscribers).
      unfollow = pubSub.listenToAccount(({ job }) => {
        if (state !== 'off') record(jobIdFromArn(job.jobArn), job);
      });
    }
  };

  const stop = () => {
    state = 'off';
    entries.clear();
    newestSubmitTime = 0;
    unfollow?.();
    unfollow = undefined;
    leaseHeld = !ownership.shared;
    ownership.release([ACCOUNT_LEASE]);
  };

  return {
    get state() {
      return state;
    },
    get watchers() {
      return watchers;
    },
    get unfinished() {
      let count = 0;
      for (const { status } of entries.values()) if (!isTerminalStatus(status)) count += 1;
      return count;
    },

    watch() {
      watchers += 1;
      if (state === 'off') start();
      let released = false;
      return () => {
        if (released) return false;
        released = true;
        watchers -= 1;
        if (watchers > 0) return false;
        stop();
        return true;
      };
    },

    leases: () => (watchers > 0 ? [ACCOUNT_LEASE] : []),

    claimed(leases) {
      if (watchers === 0) return false;
      leaseHeld = leases.has(ACCOUNT_LEASE);
      return leaseHeld;
    },

    observe(jobId, job, observedAt, { baseline = false } = {}) {
      // Peers learn account-wide changes from the lease holder's events, not from their own reads.
      if (state === 'off' || !leaseHeld) return;
      const known = entries.get(jobId);
      if (known?.status === job.status) return;
      const submitTime = record(jobId, job);
      if (!isNews(known, job, submitTime, baseline)) return;
      pubSub.publish('jobs:statusChanged', { job, previousStatus: known?.status ?? null, observedAt });
    },

    baselineRead() {
      // The last stream may have gone while the baseline was read: nothing to settle then.
      if (state !== 'baseline') return;
      baselineNewestSubmitTime = newestSubmitTime;
      state = 'settling';
    },

    horizon() {
      let horizon = newestSubmitTime;
      for (const { status, submitTime } of entries.values()) {
        if (!isTerminalStatus(status)) horizon = Math.min(horizon, submitTime);
      }
      return horizon;
    },

    listed(horizon) {
      if (state === 'settling') state = 'live';
      // Finished jobs older than the horizon can never show up in a list round again.
      for (const [jobId, { status, submitTime }] of entries) {
        if (isTerminalStatus(status) && submitTime < horizon) entries.delete(jobId);
      }
    },

    close() {
      unfollow?.();
      unfollow = undefined;
      entries.clear();
      watchers = 0;
      state = 'off';
    },
  };
}
