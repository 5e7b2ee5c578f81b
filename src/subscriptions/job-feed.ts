// Per-subscriber streams. For one job: its current state first, then each later state the
// poller publishes, completing after a terminal status; what each stream last received is kept
// (by cohort, see Cohorts), so a subscriber never sees a duplicate and always catches up with
// the latest. For the whole account: every status change of a job matching a filter, new jobs
// included. Each caller may follow only so many distinct unfinished jobs at once (watch-quota.ts),
// and the first read of a job is charged to the caller's share of the upstream budget.
import {
  isOlderState,
  isTerminalStatus,
  jobStateKey,
  matchesFilter,
  type JobFilter,
  type ModelInvocationJob,
} from '../bedrock/job.ts';
import { createEventStream, type EventStream } from './event-stream.ts';
import type { JobObservation, JobPubSub } from '../watch/job-pub-sub.ts';
import type { Poller } from '../watch/poller.ts';
import { createWatchQuota } from '../watch/watch-quota.ts';

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
   * `caller` (a credential, or a client address without one) is charged for the fetch, and
   * rejected with LIMIT_EXCEEDED, before any fetch, when this would be one job more than it may
   * watch at once.
   */
  follow(jobId: string, kind: ChangeKind, caller: string): Promise<AsyncIterableIterator<JobChange>>;
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

export interface JobFeedOptions {
  poller: Poller;
  pubSub: JobPubSub;
  /** After each change of a job reached all of its streams: seconds since it was observed. */
  onFanOut?(seconds: number): void;
  /**
   * Most distinct unfinished jobs one caller may follow at once (MAX_WATCHED_JOBS_PER_CREDENTIAL);
   * a stream holds its job until it ends. @default Infinity
   */
  maxWatchedJobsPerCaller?: number;
  /** Told about every follow refused for that limit (metrics). */
  onRefused?(reason: 'watch_limit'): void;
}

export function createJobFeed({ poller, pubSub, onFanOut, maxWatchedJobsPerCaller = Infinity, onRefused }: JobFeedOptions): JobFeed {
  const quota = createWatchQuota({ maxJobsPerCaller: maxWatchedJobsPerCaller });
  const fanOut = createFanOut(onFanOut);
  // Every open stream, to end them all on close().
  const open = new Set<{ end(): void }>();
  // One pub/sub listener per followed job, shared by all of its streams: an observation
  // costs one dispatch, not one per subscriber.
  const byJob = new Map<string, { cohorts: Cohorts; close(): void }>();
  // First events are shared too: streams starting from one state of a job get one event, stamped
  // when the first of them started (10,000 clients opening at once cost one execution, not 10,000).
  const firstChanges = new WeakMap<ModelInvocationJob, JobChange>();
  const firstChangeOf = (job: ModelInvocationJob) => {
    let change = firstChanges.get(job);
    if (!change) firstChanges.set(job, (change = { job, previousStatus: null, observedAt: new Date() }));
    return change;
  };
  // A job's state key (its JSON), computed once per job object, not once per subscriber.
  const stateKeys = new WeakMap<ModelInvocationJob, string>();
  const keyOf = (kind: ChangeKind, job: ModelInvocationJob) => {
    if (kind === 'status') return String(job.status);
    let key = stateKeys.get(job);
    if (key === undefined) stateKeys.set(job, (key = jobStateKey(job)));
    return key;
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
        await inChunks(followers, ({ filter, stream }) => {
          if (matchesFilter(change.job, filter)) stream.push(change);
        });
      }
    })();
    return (account = own);
  };

  // Puts a stream among its job's, from state `last` on; returns how to take it out again.
  const join = (jobId: string, stream: EventStream<JobChange>, kind: ChangeKind, last: ModelInvocationJob) => {
    let job = byJob.get(jobId);
    if (!job) {
      const cohorts = new Cohorts(keyOf);
      const close = pubSub.listenToJob(jobId, (observation) => fanOut.add(cohorts.advance(observation), observation.observedAt));
      job = { cohorts, close };
      byJob.set(jobId, job);
    }
    const own = job;
    own.cohorts.add(stream, kind, last);
    return () => {
      own.cohorts.remove(stream);
      if (own.cohorts.size === 0 && byJob.get(jobId) === own) {
        byJob.delete(jobId);
        own.close();
      }
    };
  };

  return {
    async follow(jobId, kind, caller) {
      // Counted before anything is fetched: a caller over its limit costs no upstream call. A job
      // that turns out unknown or finished is let go again below (its stream ends at once).
      let unclaim: () => void;
      try {
        unclaim = quota.claim(caller, jobId);
      } catch (error) {
        onRefused?.('watch_limit');
        throw error;
      }
      // Watch first: the fetch below then records the job in the watch set, so the subscribers
      // that follow are answered from it instead of each fetching the job again.
      const release = poller.watch(jobId);
      let initial: ModelInvocationJob;
      try {
        initial = await poller.current(jobId, caller);
      } catch (error) {
        release();
        unclaim();
        throw error;
      }
      let leave: (() => void) | undefined;
      const stream = createEventStream<JobChange>(() => {
        open.delete(stream);
        release();
        unclaim();
        leave?.();
      });
      stream.push(firstChangeOf(initial));
      // Catch up with what the poller saw meanwhile, then join the job's streams at the state
      // reached. Nothing here waits, so nothing published meanwhile can be missed.
      let last = initial;
      const latest = poller.latest(jobId);
      if (latest && !isOlderState(latest, last) && keyOf(kind, latest) !== keyOf(kind, last)) {
        stream.push({ job: latest, previousStatus: last.status ?? null, observedAt: new Date() });
        last = latest;
      }
      if (isTerminalStatus(last.status)) {
        stream.end();
        return stream.iterator;
      }
      leave = join(jobId, stream, kind, last);
      open.add(stream);
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

/**
 * A job's streams, grouped by the state each last received (a cohort): an observation is judged
 * once per cohort, not once per stream, and streams that receive one observation with the same
 * previous status get the same event object, so whatever is derived from it (the subscription's
 * execution result, see shared-execution-plugin.ts) is computed once for all.
 * A cohort an observation moves joins the one already at the new state, if any.
 */
class Cohorts {
  // By kind and state key.
  private readonly cohorts = new Map<string, Cohort>();
  /** Number of streams. */
  size = 0;

  constructor(private readonly keyOf: (kind: ChangeKind, job: ModelInvocationJob) => string) {}

  add(stream: EventStream<JobChange>, kind: ChangeKind, last: ModelInvocationJob): void {
    const cohort = this.cohortAt(kind, last);
    // Same key, not always the same moment (a status key): judge by the latest of them.
    if (isOlderState(cohort.last, last)) cohort.last = last;
    cohort.streams.add(stream);
    this.size += 1;
  }

  remove(stream: EventStream<JobChange>): void {
    // Few cohorts to look through: each observation merges those it moves into one.
    for (const [id, cohort] of this.cohorts) {
      if (!cohort.streams.delete(stream)) continue;
      this.size -= 1;
      if (cohort.streams.size === 0) this.cohorts.delete(id);
      return;
    }
  }

  /**
   * Moves every cohort for which the observation is news to its state; returns their streams (as
   * they were) and the event each is to be handed. Streams that reach a terminal status leave.
   */
  advance(observation: JobObservation): Move[] {
    const { job } = observation;
    const moved: Cohort[] = [];
    for (const [id, cohort] of this.cohorts) {
      if (isOlderState(job, cohort.last) || this.keyOf(cohort.kind, job) === cohort.key) continue;
      this.cohorts.delete(id);
      moved.push(cohort);
    }
    const finished = isTerminalStatus(job.status);
    const changes = new Map<JobChange['previousStatus'], JobChange>();
    return moved.map((cohort) => {
      const previousStatus = cohort.last.status ?? null;
      let change = changes.get(previousStatus);
      if (!change) changes.set(previousStatus, (change = { job, previousStatus, observedAt: observation.observedAt }));
      const move = { streams: [...cohort.streams], change, finished };
      if (finished) this.size -= cohort.streams.size;
      else this.moveTo(cohort, job);
      return move;
    });
  }

  private cohortAt(kind: ChangeKind, last: ModelInvocationJob): Cohort {
    const key = this.keyOf(kind, last);
    const id = `${kind} ${key}`;
    let cohort = this.cohorts.get(id);
    if (!cohort) this.cohorts.set(id, (cohort = { kind, key, last, streams: new Set() }));
    return cohort;
  }

  /** Puts a cohort (out of the map) at a new state, merged with the one already there. */
  private moveTo(cohort: Cohort, job: ModelInvocationJob): void {
    cohort.last = job;
    cohort.key = this.keyOf(cohort.kind, job);
    const id = `${cohort.kind} ${cohort.key}`;
    const there = this.cohorts.get(id);
    if (there) {
      const [from, to] = there.streams.size < cohort.streams.size ? [there, cohort] : [cohort, there];
      for (const stream of from.streams) to.streams.add(stream);
      this.cohorts.set(id, to);
      to.last = job;
    } else {
      this.cohorts.set(id, cohort);
    }
  }
}

interface Cohort {
  kind: ChangeKind;
  /** The state its streams last received, and its key. */
  last: ModelInvocationJob;
  key: string;
  streams: Set<EventStream<JobChange>>;
}

/** Streams an observation moves, and the event they are handed. */
interface Move {
  streams: Array<EventStream<JobChange>>;
  change: JobChange;
  finished: boolean;
}

/** Streams handed an event (or ended) before the fan-out lets what that started run (see inChunks). */
const FAN_OUT_CHUNK = 500;

/**
 * One queue for the events of every job, in the order they were observed: changes observed
 * together (a poll round's list page; reads that come back in the same turn), whichever jobs
 * they are of, are handed out together, FAN_OUT_CHUNK streams at a time across jobs (see
 * inChunks), so a socket holding subscriptions to several of those jobs gets their frames in
 * one write. Streams a terminal status finishes end once everyone queued has the
 * event: ending one costs more than handing it an event (its operation completes), and nobody's
 * event should wait for that. `onFanOut` hears of each observation once its streams have it.
 */
function createFanOut(onFanOut: JobFeedOptions['onFanOut']) {
  const events: Array<{ moves: Move[]; observedAt: Date }> = [];
  const ending: Array<{ streams: Array<EventStream<JobChange>>; at: number }> = [];
  let running = false;
  let handed = 0;
  // Every FAN_OUT_CHUNK streams: the frames handed so far leave, and what they started runs.
  const turn = () => {
    handed = 0;
    return nextTurn();
  };

  const run = async () => {
    running = true;
    while (events.length > 0 || ending.length > 0) {
      const delivered: Date[] = [];
      for (let event = events.shift(); event; event = events.shift()) {
        for (const { streams, change, finished } of event.moves) {
          for (const stream of streams) {
            stream.push(change);
            if (++handed === FAN_OUT_CHUNK) await turn();
          }
          if (finished) ending.push({ streams, at: 0 });
        }
        delivered.push(event.observedAt);
      }
      if (delivered.length > 0) {
        await turn();
        for (const observedAt of delivered) onFanOut?.((Date.now() - observedAt.getTime()) / 1000);
      }
      // Until an event comes: it goes first.
      while (ending.length > 0 && events.length === 0) {
        const group = ending[0]!;
        const stream = group.streams[group.at++];
        if (group.at >= group.streams.length) ending.shift();
        stream?.end();
        if (++handed === FAN_OUT_CHUNK) await turn();
      }
    }
    running = false;
  };

  return {
    add(moves: Move[], observedAt: Date): void {
      events.push({ moves, observedAt });
      if (!running) void run();
    },
  };
}

/**
 * Calls `each` for every stream (or follower), a chunk at a time: each chunk's deliveries run to
 * the socket (and its ended operations complete) before the next chunk starts, so the first
 * subscribers do not wait for the last, the event loop is never held for long (ending 10,000
 * operations at once held it for 300–500 ms; 100 account-wide changes reaching 10,000 dashboards
 * held it for seconds), and what a chunk allocates dies young instead of piling up for 10,000
 * subscribers at once. Resolves once the last chunk's frames are written.
 */
async function inChunks<T>(items: Iterable<T>, each: (item: T) => void): Promise<void> {
  let handed = 0;
  for (const item of items) {
    each(item);
    if (++handed % FAN_OUT_CHUNK === 0) await nextTurn();
  }
  if (handed % FAN_OUT_CHUNK !== 0) await nextTurn();
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
