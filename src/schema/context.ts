// What every resolver receives. Built fresh per operation so loaders are never shared.
import type { Principal } from '../auth/scopes.ts';
import { createJobLoader, type JobLoader } from '../bedrock/loader.ts';
import type { JobsApi } from '../bedrock/jobs.ts';
import type { JobFeed } from '../watch/job-feed.ts';
import type { Poller } from '../watch/poller.ts';

export interface ContextDependencies {
  jobs: JobsApi;
  /** Live job streams for subscriptions, shared by the whole process. */
  feed: JobFeed;
  /** The shared poller: mutations ask it to refresh a job so subscribers see the effect at once. */
  poller: Poller;
  /** Most GetModelInvocationJob calls one operation runs at once. */
  upstreamConcurrency: number;
  /** Most identifiers accepted by modelInvocationJobsByIdentifier. */
  maxBatchIdentifiers: number;
  /** Most distinct jobs one operation may look up upstream. */
  maxJobsPerOperation: number;
  /** Who the operation runs as; scope checks read it. */
  principal: Principal;
  /** Correlates the operation's log lines; echoed in the `x-request-id` response header. */
  requestId: string;
}

export interface Context {
  jobs: JobsApi;
  feed: JobFeed;
  poller: Poller;
  loaders: { job: JobLoader };
  limits: { maxBatchIdentifiers: number };
  principal: Principal;
  requestId: string;
}

export function createContext(deps: ContextDependencies): Context {
  return {
    jobs: deps.jobs,
    feed: deps.feed,
    poller: deps.poller,
    loaders: {
      job: createJobLoader(deps.jobs, { concurrency: deps.upstreamConcurrency, maxJobs: deps.maxJobsPerOperation }),
    },
    limits: { maxBatchIdentifiers: deps.maxBatchIdentifiers },
    principal: deps.principal,
    requestId: deps.requestId,
  };
}
