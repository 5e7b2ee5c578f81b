// The topics live job state travels on. In-process by default; an EventTarget backed by Redis
// can be passed in so that instances share what any of them observed.
import { createPubSub, type PubSub, type PubSubEventTarget } from 'graphql-yoga';
import type { ModelInvocationJob } from '../bedrock/job.ts';

/** A job state the poller observed, published when it differs from the previous one. */
export interface JobObservation {
  job: ModelInvocationJob;
  observedAt: Date;
}

export type JobTopics = {
  /** `job:changed:<jobId>`: anything about one job changed. */
  'job:changed': [jobId: string, observation: JobObservation];
};

export type JobPubSub = PubSub<JobTopics>;

export function createJobPubSub(eventTarget?: PubSubEventTarget<JobTopics>): JobPubSub {
  return createPubSub<JobTopics>(eventTarget ? { eventTarget } : {});
}
