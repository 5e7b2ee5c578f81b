// The per-request job loader: every lookup in one operation (aliases, lists, nesting) lands
// in one DataLoader keyed by bare job id, so each distinct job costs at most one upstream call.
import DataLoader from 'dataloader';
import { ErrorCode, createGatewayError, errorCodeOf } from '../errors.ts';
import type { ModelInvocationJob } from './job.ts';
import { jobIdFromArn } from './job-identifier.ts';
import type { JobsApi } from './jobs.ts';
import { mapConcurrent } from './map-concurrent.ts';

export interface JobLoader {
  /** The job behind an ARN or id; BAD_USER_INPUT without an upstream call when malformed. */
  load(identifier: string): Promise<ModelInvocationJob>;
  /**
   * Seeds the loader with the jobs a list call will return. Lookups dispatched while the list is
   * in flight wait for it, so a job listed and looked up in one operation costs no extra call.
   */
  primeFrom(listed: Promise<readonly ModelInvocationJob[]>): void;
}

export interface JobLoaderOptions {
  /** Most upstream lookups in flight at once. */
  concurrency: number;
  /**
   * Most jobs one operation may look up: aliases times batch lists could otherwise turn one
   * request into thousands of upstream calls. Lookups beyond it fail with LIMIT_EXCEEDED.
   * @default Infinity
   */
  maxJobs?: number;
}

export function createJobLoader(jobs: JobsApi, options: JobLoaderOptions): JobLoader {
  const maxJobs = options.maxJobs ?? Infinity;
  let looked = 0;
  const overBudget = () =>
    createGatewayError(
      ErrorCode.LIMIT_EXCEEDED,
      `This operation looks up more than ${maxJobs} distinct jobs (MAX_JOBS_PER_OPERATION); split it into several requests`,
    );
  const pendingLists = new Set<Promise<unknown>>();
  const listed = new Map<string, ModelInvocationJob>();

  const loader: DataLoader<string, ModelInvocationJob> = new DataLoader(async (jobIds) => {
    if (pendingLists.size > 0) await Promise.allSettled(pendingLists);
    // Bedrock has no batch-get: a batch is concurrent single gets under a cap.
    const results = await mapConcurrent(jobIds, options.concurrency, async (jobId) => {
      const alreadyListed = listed.get(jobId);
      if (alreadyListed) return alreadyListed;
      if (looked >= maxJobs) return overBudget();
      looked += 1;
      return jobs.getJob(jobId).catch((error: Error) => error);
    });
    // A transient failure must not stick for the rest of the request; a NOT_FOUND may.
    results.forEach((result, index) => {
      if (result instanceof Error && errorCodeOf(result) !== ErrorCode.NOT_FOUND) loader.clear(jobIds[index] as string);
    });
    return results;
  });

  const load = (identifier: string) => {
    try {
      return loader.load(jobs.identifiers.normalise(identifier));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };

  return {
    load,
    primeFrom(list) {
      const tracked = list.then((jobsListed) => {
        for (const job of jobsListed) {
          const jobId = jobIdFromArn(job.jobArn);
          listed.set(jobId, job);
          loader.prime(jobId, job);
        }
      });
      pendingLists.add(tracked);
      void tracked.finally(() => pendingLists.delete(tracked)).catch(() => undefined);
    },
  };
}
