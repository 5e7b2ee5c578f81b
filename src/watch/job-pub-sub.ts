// The topics live job state travels on. In-process by default; an EventTarget backed by Redis
// can be passed in so that instances share what any of them observed.
import { createPubSub, type PubSub, type PubSubEventTarget } from 'graphql-yoga';
import type { ModelInvocationJob } from '../bedrock/job.ts';

/** A job state the poller observed, published when it differs from the previous one. */
export interface JobObservation {
  job: ModelInvocationJob;
  observedAt: Date;
}

/** A status change of any job in the account, for account-wide streams. */
export interface AccountJobChange extends JobObservation {
  /** The status the poller knew before; null for a job it had not seen (a new job). */
  previousStatus: ModelInvocationJob['status'] | null;
}

export type JobTopics = {
  /** `job:changed:<jobId>`: anything about one watched job changed. */
  'job:changed': [jobId: string, observation: JobObservation];
  /** `jobs:statusChanged`: the status of some job in the account changed. */
  'jobs:statusChanged': [change: AccountJobChange];
};

export interface JobPubSub extends PubSub<JobTopics> {
  /**
   * Hands `take` every observation of one job until the returned function is called: a listener
   * on the event target itself, for what follows one job each (the feed, the watch set), where
   * `subscribe`'s iterator and the loop reading it would cost promises per job and per event.
   * Each event is handed over in a microtask of its own, in order, as an iterator would: never
   * inside the publisher's own loop, and never after the returned function was called.
   */
  listenToJob(jobId: string, take: (observation: JobObservation) => void): () => void;
  /** The same for every status change in the account (`jobs:statusChanged`). */
  listenToAccount(take: (change: AccountJobChange) => void): () => void;
}

export function createJobPubSub(eventTarget?: PubSubEventTarget<JobTopics>): JobPubSub {
  // Yoga's own default, made here so that the listeners listen where publish dispatches.
  const target = eventTarget ?? (new EventTarget() as PubSubEventTarget<JobTopics>);
  const pubSub = createPubSub<JobTopics>({ eventTarget: target });
  // `topic` as Yoga's publish names it: the routing key, then the id when there is one.
  const listen = <T>(topic: string, take: (event: T) => void) => {
    let listening = true;
    const listener = (event: CustomEvent<T>) =>
      queueMicrotask(() => {
        if (listening) take(event.detail);
      });
    target.addEventListener(topic, listener as (event: CustomEvent) => void);
    return () => {
      listening = false;
      target.removeEventListener(topic, listener as (event: CustomEvent) => void);
    };
  };
  return Object.assign(pubSub, {
    listenToJob: (jobId: string, take: (observation: JobObservation) => void) => listen(`job:changed:${jobId}`, take),
    listenToAccount: (take: (change: AccountJobChange) => void) => listen('jobs:statusChanged', take),
  });
}
