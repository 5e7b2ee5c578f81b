// Per-subscriber streams. For one job: its current state first, then each later state the
// poller publishes, completing after a terminal status; each stream keeps its own last state,
// so a subscriber never sees a duplicate and always catches up with the latest. For the whole
// account: every status change of a job matching a filter, new jobs included.
import {
  isOlderState,
  isTerminalStatus,
  jobStateKey,
  matchesFilter,
  type JobFilter,
  type ModelInvocationJob,
} from '../bedrock/job.ts';
import { createEventStream, type EventStream } from './event-stream.ts';
import type { JobObservation, JobPubSub } from './job-pub-sub.ts';
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

/** An account-wide stream and what it asked for. */
interface AccountFollower {
  filter: JobFilter;
  stream: EventStream<JobChange>;
}

/** One stream's end of a job's observations. */
interface Follower {
  deliver(observation: JobObservation): void;
}

const statusOf = (job: ModelInvocationJob) => String(job.status);

export interface JobFeedOptions {
  poller: Poller;
  pubSub: JobPubSub;
  /** After each change of a job reached all of its streams: seconds since it was observed. */
  onFanOut?(seconds: number): void;
}

export function createJobFeed({ poller, pubSub, onFanOut }: JobFeedOptions): JobFeed {
  // Every open stream, to end them all on close().
  const open = new Set<{ end(): void }>();
  // One pub/sub subscription per followed job, shared by all of its streams: an observation
  // costs one dispatch, not one per subscriber.
  const byJob = new Map<string, { followers: Set<Follower>; close(): void }>();
  // Events are shared too: streams that receive one observation with the same previous status
  // get the same object, so whatever is derived from an event (the subscription's execution
  // result, see plugins/shared-subscription-execution-plugin.ts) can be computed once for all of them.
  const sharedChanges = new WeakMap<JobObservation, Map<string | null, JobChange>>();
  // First events as well: streams starting from one state of a job get one event, stamped when
  // the first of them started (10,000 clients opening at once cost one execution, not 10,000).
  const firstChanges = new WeakMap<ModelInvocationJob, JobChange>();
  const firstChangeOf = (job: ModelInvocationJob) => {
    let change = firstChanges.get(job);
    if (!change) firstChanges.set(job, (change = { job, previousStatus: null, observedAt: new Date() }));
    return change;
  };
  // A job's state key (its JSON), computed once per job object, not once per subscriber.
  const stateKeys = new WeakMap<ModelInvocationJob, string>();
  const stateKeyOf = (job: ModelInvocationJob) => {
    let key = stateKeys.get(job);
    if (key === undefined) stateKeys.set(job, (key = jobStateKey(job)));
    return key;
  };

  const changeOf = (observation: JobObservation, previousStatus: JobChange['previousStatus']): JobChange => {
    let byPrevious = sharedChanges.get(observation);
    if (!byPrevious) sharedChanges.set(observation, (byPrevious = new Map()));
    let change = byPrevious.get(previousStatus ?? null);
    if (!change) {
      change = { job: observation.job, previousStatus, observedAt: observation.observedAt };
      byPrevious.set(previousStatus ?? null, change);
    }
    return change;
  };

  // Every account-wide stream, on one pub/sub subscription while any is open: a change costs one
  // dispatch and one filter check per stream, and each stream gets the same event object.
  let account: { followers: Set<AccountFollower>; close(): void } | undefined;
  const accountChanges = () => {
    if (account) return account;
    const followers = new Set<AccountFollower>();
    const changes = pubSub.subscribe('jobs:statusChanged');
    const own = {
      followers,
      close() {
        if (account === own) account = undefined;
        void changes.return();
      },
    };
    void (async () => {
      for await (const change of changes) {
        for (const { filter, stream } of followers) if (matchesFilter(change.job, filter)) stream.push(change);
      }
    })();
    return (account = own);
  };

  const listen = (jobId: string, follower: Follower) => {
    let job = byJob.get(jobId);
    if (!job) {
      const followers = new Set<Follower>();
      const observations = pubSub.subscribe('job:changed', jobId);
      void (async () => {
        for await (const observation of observations) {
          await fanOut(followers, observation);
          onFanOut?.((Date.now() - observation.observedAt.getTime()) / 1000);
        }
      })();
      job = { followers, close: () => void observations.return() };
      byJob.set(jobId, job);
    }
    const own = job;
    own.followers.add(follower);
    return () => {
      own.followers.delete(follower);
      if (own.followers.size === 0 && byJob.get(jobId) === own) {
        byJob.delete(jobId);
        own.close();
      }
    };
  };

  return {
    async follow(jobId, kind) {
      // Watch first: the fetch below then records the job in the watch set, so the subscribers
      // that follow are answered from it instead of each fetching the job again.
      const release = poller.watch(jobId);
      let initial: ModelInvocationJob;
      try {
        initial = await poller.current(jobId);
      } catch (error) {
        release();
        throw error;
      }
      const keyOf = kind === 'status' ? statusOf : stateKeyOf;

      let unlisten: (() => void) | undefined;
      const stream = createEventStream<JobChange>(() => {
        open.delete(stream);
        release();
        unlisten?.();
      });
      stream.push(firstChangeOf(initial));
      if (isTerminalStatus(initial.status)) {
        stream.end();
        return stream.iterator;
      }

      let last = initial;
      let lastKey = keyOf(initial);
      // An object with a method rather than a closure: see event-stream.ts on closures under tsx.
      const follower: Follower = {
        deliver(observation) {
          const { job } = observation;
          if (isOlderState(job, last)) return;
          const key = keyOf(job);
          if (key === lastKey) return;
          stream.push(changeOf(observation, last.status ?? null));
          last = job;
          lastKey = key;
          if (isTerminalStatus(job.status)) stream.end();
        },
      };

      // Listen before catching up, so nothing published in between is missed.
      unlisten = listen(jobId, follower);
      open.add(stream);
      const latest = poller.latest(jobId);
      if (latest) follower.deliver({ job: latest, observedAt: new Date() });
      return stream.iterator;
    },

    followAccount(filter) {
      // Subscribed before the poller starts tracking the account, so no change is missed.
      const changes = accountChanges();
      const release = poller.watchAccount();
      const stream = createEventStream<JobChange>(() => {
        open.delete(stream);
        changes.followers.delete(follower);
        release();
        if (changes.followers.size === 0) changes.close();
      });
      const follower: AccountFollower = { filter, stream };
      changes.followers.add(follower);
      open.add(stream);
      return stream.iterator;
    },

    get size() {
      return open.size;
    },

    close() {
      for (const stream of open) stream.end();
    },
  };
}

/** Streams handed an event before the fan-out lets their deliveries run (see fanOut). */
const FAN_OUT_CHUNK = 500;

/**
 * Hands an observation to every stream of a job, a chunk at a time: each chunk's deliveries run
 * to the socket before the next chunk starts, so the first subscribers do not wait for the last,
 * and what a delivery allocates dies young instead of piling up for 10,000 subscribers at once.
 */
async function fanOut(followers: Set<Follower>, observation: JobObservation): Promise<void> {
  let handed = 0;
  for (const follower of followers) {
    follower.deliver(observation);
    if (++handed % FAN_OUT_CHUNK === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}
