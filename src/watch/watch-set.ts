// The jobs someone watches, ref-counted however many watchers share one: the latest state of
// each, the `job:changed` events that state's changes publish, and each job's refresh backoff.
// With peers (shared ownership) it also follows the states other instances publish for them.
import { isOlderState, isTerminalStatus, jobStateKey, mergeJobState, type ModelInvocationJob } from '../bedrock/job.ts';
import { createBackoff, type Backoff, type BackoffOptions } from './backoff.ts';
import type { JobPubSub } from './job-pub-sub.ts';
import { jobLease, type PollOwnership } from './poll-ownership.ts';

export interface WatchSetOptions {
  pubSub: JobPubSub;
  ownership: PollOwnership;
  /** Backoff of a job whose refreshes keep failing. */
  backoff: BackoffOptions;
}

/** One watched job, as poll rounds see it. */
export interface WatchedJob {
  readonly jobId: string;
  /** The newest state seen: read here, seeded by a watcher, or published by a peer. */
  readonly latest: ModelInvocationJob | undefined;
  readonly backoff: Backoff;
}

export interface WatchSet {
  /**
   * Adds a watcher; `known` (a state the caller just read) seeds `latest` when nothing is known
   * yet. The returned release says whether it let the job's last watcher go.
   */
  watch(jobId: string, known?: ModelInvocationJob): () => boolean;
  latest(jobId: string): ModelInvocationJob | undefined;
  has(jobId: string): boolean;
  /**
   * Records a state this instance read, merged with what was known; publishes it when that
   * changed anything a client sees. Returns the job's state as now known (undefined if unwatched).
   */
  observe(jobId: string, job: ModelInvocationJob, observedAt: Date): ModelInvocationJob | undefined;
  /** Watched jobs that are not finished, so still refreshed. */
  pollable(): WatchedJob[];
  /** Whether any watched job is unfinished. */
  hasPollable(): boolean;
  /** Jobs with at least one watcher. */
  readonly size: number;
  /** Stops following peers and forgets every watch. */
  close(): void;
}

interface Entry extends WatchedJob {
  refs: number;
  latest: ModelInvocationJob | undefined;
  stateKey: string | undefined;
  /** Stops following the states other instances publish (shared ownership only). */
  unfollow: (() => void) | undefined;
}

export function createWatchSet({ pubSub, ownership, backoff }: WatchSetOptions): WatchSet {
  const entries = new Map<string, Entry>();

  const isPollable = (entry: Entry) => !isTerminalStatus(entry.latest?.status);
  const remember = (entry: Entry, job: ModelInvocationJob, stateKey = jobStateKey(job)) => {
    entry.latest = job;
    entry.stateKey = stateKey;
  };

  // A state another instance published (or our own, echoed back): remembered, not republished,
  // since the event already reached this instance's subscribers.
  const absorb = (jobId: string, job: ModelInvocationJob) => {
    const entry = entries.get(jobId);
    if (!entry || (entry.latest && isOlderState(job, entry.latest))) return;
    remember(entry, mergeJobState(entry.latest, job));
  };

  const add = (jobId: string): Entry => {
    const entry: Entry = {
      jobId,
      refs: 0,
      latest: undefined,
      stateKey: undefined,
      backoff: createBackoff(backoff),
      unfollow: undefined,
    };
    entries.set(jobId, entry);
    if (ownership.shared) {
      entry.unfollow = pubSub.listenToJob(jobId, ({ job }) => absorb(jobId, job));
    }
    return entry;
  };

  return {
    watch(jobId, known) {
      const entry = entries.get(jobId) ?? add(jobId);
      if (known && !entry.latest) remember(entry, known);
      entry.refs += 1;
      let released = false;
      return () => {
        if (released) return false;
        released = true;
        entry.refs -= 1;
        // After close() the id may belong to a newer entry: that one is not ours to end.
        if (entry.refs > 0 || entries.get(jobId) !== entry) return false;
        entries.delete(jobId);
        entry.unfollow?.();
        ownership.release([jobLease(jobId)]);
        return true;
      };
    },

    latest: (jobId) => entries.get(jobId)?.latest,

    has: (jobId) => entries.has(jobId),

    observe(jobId, read, observedAt) {
      const entry = entries.get(jobId);
      if (!entry || (entry.latest && isOlderState(read, entry.latest))) return entry?.latest;
      // A list summary may lack members a fuller read gave: they are kept, not erased.
      const job = mergeJobState(entry.latest, read);
      const stateKey = jobStateKey(job);
      if (stateKey !== entry.stateKey) {
        remember(entry, job, stateKey);
        pubSub.publish('job:changed', jobId, { job, observedAt });
      }
      // Nobody needs to refresh a finished job: let the lease go at once.
      if (isTerminalStatus(job.status)) ownership.release([jobLease(jobId)]);
      return entry.latest;
    },

    pollable: () => [...entries.values()].filter(isPollable),

    // Stops at the first unfinished job: finished ones leave the watch set as their streams end.
    hasPollable() {
      for (const entry of entries.values()) if (isPollable(entry)) return true;
      return false;
    },

    get size() {
      return entries.size;
    },

    close() {
      for (const entry of entries.values()) entry.unfollow?.();
      entries.clear();
    },
  };
}
