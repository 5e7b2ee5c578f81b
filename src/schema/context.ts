// What every resolver receives. Built fresh per operation so loaders are never shared. Its
// upstream calls are charged to the caller's share of the upstream budget (see callerOf).
import { RequestCache } from '@pothos/plugin-scope-auth';
import DataLoader from 'dataloader';
import type { Principal } from '../access/scopes.ts';
import type { ModelInvocationJob } from '../bedrock/job.ts';
import { createJobLoader, type JobLoader } from '../bedrock/loader.ts';
import type { JobHistory } from '../bedrock/job-history.ts';
import type { CreateJobInput, JobsApi, ListJobsInput } from '../bedrock/jobs.ts';
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
  const jobs = new CallerJobs(deps.jobs, callerOf(deps.principal, deps.clientAddress));
  return {
    jobs,
    feed: deps.feed,
    poller: deps.poller,
    loaders: new OperationLoaders(jobs, deps.upstreamConcurrency, deps.maxJobsPerOperation, cacheability),
    results: new OperationResults(deps.results.storage, deps.results.options, deps.maxJobsPerOperation),
    storage: deps.results.storage,
    retry: deps.retry,
    limits: { maxBatchIdentifiers: deps.maxBatchIdentifiers },
    principal: deps.principal,
    requestId: deps.requestId,
    cacheability,
    warnings: [],
  };
}

// What follows makes its parts on first use. A subscription keeps its context for as long as it
// runs (10,000 of them for a busy job), and starting one only reads its caller and the identifiers;
// most never load, list or read results at all.

/** Bedrock with every call charged to `caller`: the caller's view of it is made on the first call. */
class CallerJobs implements JobsApi {
  private view: JobsApi | undefined;

  constructor(
    private readonly api: JobsApi,
    readonly caller: string,
  ) {}

  get identifiers() {
    return this.api.identifiers;
  }

  forCaller(caller: string): JobsApi {
    return this.api.forCaller(caller);
  }

  getJob(jobId: string, options?: { fresh?: boolean }) {
    return this.calls().getJob(jobId, options);
  }

  cachedJobs(jobIds: readonly string[]) {
    return this.calls().cachedJobs(jobIds);
  }

  histories(jobIds: readonly string[]) {
    return this.calls().histories(jobIds);
  }

  listJobs(input: ListJobsInput) {
    return this.calls().listJobs(input);
  }

  stopJob(jobId: string) {
    return this.calls().stopJob(jobId);
  }

  createJob(input: CreateJobInput) {
    return this.calls().createJob(input);
  }

  private calls(): JobsApi {
    return (this.view ??= this.api.forCaller(this.caller));
  }
}

/** The operation's loaders; every job loaded is noted in its cacheability. */
class OperationLoaders {
  private jobLoader: JobLoader | undefined;
  private historyLoader: DataLoader<string, JobHistory> | undefined;

  constructor(
    private readonly jobs: JobsApi,
    private readonly concurrency: number,
    private readonly maxJobs: number,
    private readonly cacheability: Cacheability,
  ) {}

  get job(): JobLoader {
    this.jobLoader ??= notingJobs(createJobLoader(this.jobs, { concurrency: this.concurrency, maxJobs: this.maxJobs }), this.cacheability);
    return this.jobLoader;
  }

  get history(): Pick<DataLoader<string, JobHistory>, 'load'> {
    return (this.historyLoader ??= createHistoryLoader(this.jobs));
  }
}

function notingJobs(loader: JobLoader, cacheability: Cacheability): JobLoader {
  return {
    load: (identifier) =>
      loader.load(identifier).then((loaded) => {
        cacheability.noteJob(loaded);
        return loaded;
      }),
    primeFrom: (listed) => loader.primeFrom(listed),
  };
}

/** Jobs' results, each job's folder listed once per operation. */
class OperationResults implements ResultsReader {
  private reader: ResultsReader | undefined;

  constructor(
    private readonly storage: ResultsStorage,
    private readonly options: ResultsOptions,
    private readonly maxJobs: number,
  ) {}

  forJob(job: ModelInvocationJob) {
    this.reader ??= createResultsReader(this.storage, this.options, { maxJobs: this.maxJobs });
    return this.reader.forJob(job);
  }
}

/**
 * Forgets the scopes checked while the operation started. Pothos keeps what it checked for as
 * long as the context lives (five Maps, 1.2 KB), and a subscription keeps its context for as long
 * as it runs; a field of its events that checks a scope again checks it anew.
 */
export function forgetCheckedScopes(context: Context): void {
  RequestCache.clearForContext(context);
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
