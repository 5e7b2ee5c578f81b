// What every resolver receives. Built fresh per operation so loaders are never shared.
import { createJobLoader, type JobLoader } from '../bedrock/loader.ts';
import type { JobsApi } from '../bedrock/jobs.ts';

export interface ContextDependencies {
  jobs: JobsApi;
  /** Most GetModelInvocationJob calls one operation runs at once. */
  upstreamConcurrency: number;
  /** Most identifiers accepted by modelInvocationJobsByIdentifier. */
  maxBatchIdentifiers: number;
}

export interface Context {
  jobs: JobsApi;
  loaders: { job: JobLoader };
  limits: { maxBatchIdentifiers: number };
}

export function createContext(deps: ContextDependencies): Context {
  return {
    jobs: deps.jobs,
    loaders: { job: createJobLoader(deps.jobs, { concurrency: deps.upstreamConcurrency }) },
    limits: { maxBatchIdentifiers: deps.maxBatchIdentifiers },
  };
}
