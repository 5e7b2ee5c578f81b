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

export type JobPubSub = PubSub<JobTopics>;

export function createJobPubSub(eventTarget?: PubSubEventTarget<JobTopics>): JobPubSub {
  return createPubSub<JobTopics>(eventTarget ? { eventTarget } : {});
}

/**
 * Takes every event of a subscription (`pubSub.subscribe(...)`) until the returned function is
 * called, which ends the subscription.
 */
export function followTopic<T>(events: AsyncIterableIterator<T> & { return(): unknown }, take: (event: T) => void): () => void {
  void (async () => {
    for await (const event of events) take(event);
  })();
  return () => void events.return();
}
