// Per-subscriber streams. For one job: its current state first, then each later state the
// poller publishes, completing after a terminal status; each stream keeps its own last state,
// so a subscriber never sees a duplicate and always catches up with the latest. For the whole
// account: every status change of a job matching a filter, new jobs included.
import { Repeater } from 'graphql-yoga';
import {
  isOlderState,
  isTerminalStatus,
  jobStateKey,
  matchesFilter,
  type JobFilter,
  type ModelInvocationJob,
} from '../bedrock/job.ts';
import type { JobPubSub } from './job-pub-sub.ts';
import type { Poller } from './poller.ts';

export interface JobChange {
  job: ModelInvocationJob;
  /** The status before this event (for one job: this stream's previous event); null at first. */
  previousStatus: ModelInvocationJob['status'] | null;
  observedAt: Date;
}

export type ChangeKind = 'status' | 'anything';

export interface JobFeed {
  /**
   * Fetches the job (rejecting with NOT_FOUND or BAD_USER_INPUT before anything is watched),
   * then streams changes of the given kind. `return()` on the stream releases everything.
   */
  follow(jobId: string, kind: ChangeKind): Promise<AsyncIterableIterator<JobChange>>;
  /** Every status change of any job matching the filter, until `return()`. */
  followAccount(filter: JobFilter): AsyncIterableIterator<JobChange>;
  /** Number of open streams. */
  readonly size: number;
  /** Completes every open stream (graceful shutdown). */
  close(): void;
}

export function createJobFeed({ poller, pubSub }: { poller: Poller; pubSub: JobPubSub }): JobFeed {
  const open = new Set<() => void>();

  return {
    async follow(jobId, kind) {
      const initial = await poller.current(jobId);
      const keyOf = kind === 'status' ? (job: ModelInvocationJob) => String(job.status) : jobStateKey;

      return new Repeater<JobChange>(async (push, stop) => {
        let last = initial;
        let lastKey = keyOf(initial);
        push({ job: initial, previousStatus: null, observedAt: new Date() });
        if (isTerminalStatus(initial.status)) return stop();

        const deliver = (job: ModelInvocationJob, observedAt: Date) => {
          if (isOlderState(job, last)) return;
          const key = keyOf(job);
          if (key === lastKey) return;
          push({ job, previousStatus: last.status ?? null, observedAt });
          last = job;
          lastKey = key;
          if (isTerminalStatus(job.status)) stop();
        };

        // Subscribe before catching up, so nothing published in between is missed.
        const changes = pubSub.subscribe('job:changed', jobId);
        const release = poller.watch(jobId, initial);
        open.add(stop);
        const latest = poller.latest(jobId);
        if (latest) deliver(latest, new Date());
        void (async () => {
          for await (const { job, observedAt } of changes) deliver(job, observedAt);
        })();

        await stop;
        open.delete(stop);
        release();
        await changes.return();
      });
    },

    followAccount(filter) {
      return new Repeater<JobChange>(async (push, stop) => {
        const changes = pubSub.subscribe('jobs:statusChanged');
        const release = poller.watchAccount();
        open.add(stop);
        void (async () => {
          for await (const change of changes) if (matchesFilter(change.job, filter)) push(change);
        })();
        await stop;
        open.delete(stop);
        release();
        await changes.return();
      });
    },

    get size() {
      return open.size;
    },

    close() {
      for (const stop of open) stop();
    },
  };
}
