// What every resolver receives. Built fresh per operation so loaders are never shared.
import type { Principal } from '../access/scopes.ts';
import { createJobLoader, type JobLoader } from '../bedrock/loader.ts';
import type { JobsApi } from '../bedrock/jobs.ts';
import type { JobFeed } from '../subscriptions/job-feed.ts';
import type { Poller } from '../watch/poller.ts';
import { createCacheability, type Cacheability } from './cacheability.ts';

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

/** Something the caller should know about an answer that is not an error (`extensions.warnings`). */
export interface Warning {
  /** Stable, like an error code. */
  code: string;
  message: string;
  /** The field the warning is about. */
  path: ReadonlyArray<string | number>;
  /** The gateway code of the failure behind it, when there is one. */
  cause?: string;
}

export interface Context {
  jobs: JobsApi;
  feed: JobFeed;
  poller: Poller;
  /** Every job loaded through here is noted in `cacheability`. */
  loaders: { job: JobLoader };
  limits: { maxBatchIdentifiers: number };
  principal: Principal;
  requestId: string;
  /** Whether this operation's answer may be served again from the response cache. */
  cacheability: Cacheability;
  /** Warnings for the result's `extensions.warnings` (see plugins/warnings-plugin.ts). */
  warnings: Warning[];
}

export function createContext(deps: ContextDependencies): Context {
  const cacheability = createCacheability();
  // Created on first use: subscriptions and mutations never need one.
  let jobLoader: JobLoader | undefined;
  const job: JobLoader = {
    load(identifier) {
      jobLoader ??= createJobLoader(deps.jobs, { concurrency: deps.upstreamConcurrency, maxJobs: deps.maxJobsPerOperation });
      return jobLoader.load(identifier).then((loaded) => {
        cacheability.noteJob(loaded);
        return loaded;
      });
    },
    primeFrom(listed) {
      jobLoader ??= createJobLoader(deps.jobs, { concurrency: deps.upstreamConcurrency, maxJobs: deps.maxJobsPerOperation });
      jobLoader.primeFrom(listed);
    },
  };
  return {
    jobs: deps.jobs,
    feed: deps.feed,
    poller: deps.poller,
    loaders: { job },
    limits: { maxBatchIdentifiers: deps.maxBatchIdentifiers },
    principal: deps.principal,
    requestId: deps.requestId,
    cacheability,
    warnings: [],
  };
}
