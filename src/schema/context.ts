// What every resolver receives. Built fresh per operation so loaders are never shared. Its
// upstream calls are charged to the caller's share of the upstream budget (see callerOf).
import DataLoader from 'dataloader';
import type { Principal } from '../access/scopes.ts';
import { createJobLoader, type JobLoader } from '../bedrock/loader.ts';
import type { JobHistory } from '../bedrock/job-history.ts';
import type { JobsApi } from '../bedrock/jobs.ts';
import { createResultsReader, type ResultsOptions, type ResultsReader } from '../results/job-results.ts';
import type { RetryOptions } from '../results/retry-failed-records.ts';
import type { ResultsStorage } from '../results/storage.ts';
import type { JobFeed } from '../subscriptions/job-feed.ts';
import type { Poller } from '../watch/poller.ts';
import { createCacheability, type Cacheability } from './cacheability.ts';

export interface ContextDependencies {
  /** Bedrock; the context hands resolvers its view for this operation's caller. */
  jobs: JobsApi;
  /** Live job streams for subscriptions, shared by the whole process. */
  feed: JobFeed;
  /** The shared poller: mutations ask it to refresh a job so subscribers see the effect at once. */
  poller: Poller;
  /** The jobs' S3 input and output, shared by the whole process, and how results are served. */
  results: { storage: ResultsStorage; options: ResultsOptions };
  /** How retryFailedRecords checks its sources (BATCH_MIN_RECORDS). */
  retry: RetryOptions;
  /** Most GetModelInvocationJob calls one operation runs at once. */
  upstreamConcurrency: number;
  /** Most identifiers accepted by modelInvocationJobsByIdentifier. */
  maxBatchIdentifiers: number;
  /** Most distinct jobs one operation may look up upstream. */
  maxJobsPerOperation: number;
  /** Who the operation runs as; scope checks read it. */
  principal: Principal;
  /** The client's address (callers without credentials get a share of the upstream budget each). */
  clientAddress?: string;
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
  /** Bedrock, with every call charged to this operation's caller (`jobs.caller`). */
  jobs: JobsApi;
  feed: JobFeed;
  poller: Poller;
  /** Every job loaded through here is noted in `cacheability`. */
  loaders: {
    job: JobLoader;
    /** Jobs' observed histories, read together for every job resolved in the same tick (never cached: events reuse a context). */
    history: Pick<DataLoader<string, JobHistory>, 'load'>;
  };
  /** Jobs' results (S3 output), each job's folder listed once per operation. */
  results: ResultsReader;
  /** The jobs' S3 input and output (retryFailedRecords writes through it). */
  storage: ResultsStorage;
  retry: RetryOptions;
  limits: { maxBatchIdentifiers: number };
  principal: Principal;
  requestId: string;
  /** Whether this operation's answer may be served again from the response cache. */
  cacheability: Cacheability;
  /** Warnings for the result's `extensions.warnings` (see plugins/warnings-plugin.ts). */
  warnings: Warning[];
}

/**
 * Whose share of the upstream budget (and of watched jobs) an operation spends: its credential,
 * or without one its client's address, or one share for every caller whose address is unknown.
 */
export function callerOf(principal: Principal, clientAddress: string | undefined): string {
  if (principal.kind !== 'anonymous') return principal.id;
  return clientAddress && clientAddress !== 'unknown' ? `ip:${clientAddress}` : 'anonymous';
}

export function createContext(deps: ContextDependencies): Context {
  const cacheability = createCacheability();
  const jobs = deps.jobs.forCaller(callerOf(deps.principal, deps.clientAddress));
  // Created on first use: subscriptions and mutations never need one.
  let jobLoader: JobLoader | undefined;
  const job: JobLoader = {
    load(identifier) {
      jobLoader ??= createJobLoader(jobs, { concurrency: deps.upstreamConcurrency, maxJobs: deps.maxJobsPerOperation });
      return jobLoader.load(identifier).then((loaded) => {
        cacheability.noteJob(loaded);
        return loaded;
      });
    },
    primeFrom(listed) {
      jobLoader ??= createJobLoader(jobs, { concurrency: deps.upstreamConcurrency, maxJobs: deps.maxJobsPerOperation });
      jobLoader.primeFrom(listed);
    },
  };
  let historyLoader: DataLoader<string, JobHistory> | undefined;
  const history = { load: (jobId: string) => (historyLoader ??= createHistoryLoader(jobs)).load(jobId) };
  return {
    jobs,
    feed: deps.feed,
    poller: deps.poller,
    loaders: { job, history },
    results: createResultsReader(deps.results.storage, deps.results.options, { maxJobs: deps.maxJobsPerOperation }),
    storage: deps.results.storage,
    retry: deps.retry,
    limits: { maxBatchIdentifiers: deps.maxBatchIdentifiers },
    principal: deps.principal,
    requestId: deps.requestId,
    cacheability,
    warnings: [],
  };
}

/** One history read for the jobs of a tick; a job asked for by several fields is read once. */
function createHistoryLoader(jobs: JobsApi): DataLoader<string, JobHistory> {
  return new DataLoader(
    async (jobIds) => {
      const histories = await jobs.histories([...new Set(jobIds)]);
      return jobIds.map((jobId) => histories.get(jobId) as JobHistory);
    },
    { cache: false },
  );
}
