// A job's results as one operation reads them: its output folder listed once, the manifest read
// once, download URLs, pages of records and the estimated cost. A reader is built per operation
// (never shared), so nothing read here outlives the request that read it.
import type { ModelInvocationJob } from '../bedrock/job.ts';
import { ErrorCode, createGatewayError } from '../errors.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import { costOf, priceOf, type JobCost, type ModelPrices } from './cost.ts';
import { listOutput, readManifest, type OutputFile, type OutputListing, type OutputManifest } from './output-files.ts';
import { readRecordPage, type RecordConnection, type RecordPageRequest } from './record-pages.ts';
import { formatS3Uri, outputFolderOf, type S3Location } from './s3-uri.ts';
import type { ResultsStorage } from './storage.ts';

/** How results are served (RESULTS_URL_TTL_S, MODEL_PRICES). */
export interface ResultsOptions {
  /** Seconds a presigned download URL stays valid. @default 900 */
  urlTtlSeconds: number;
  /** USD per million tokens by model id; a model without a price has no estimated cost. */
  modelPrices: ModelPrices;
}

export interface JobResults {
  readonly job: ModelInvocationJob;
  /** The job's output folder: `<output s3Uri>/<jobId>/`. */
  readonly folder: S3Location;
  readonly s3Uri: string;
  /** The folder's `.out` files and manifest, listed when these results were made. */
  readonly listing: OutputListing;
  /** The manifest's counts, read once; null while it does not exist. */
  manifest(): Promise<OutputManifest | null>;
  /** A presigned GET URL of one of the files, valid `urlTtlSeconds`. */
  downloadUrl(file: OutputFile): Promise<string>;
  /** A page of records (see record-pages.ts). */
  records(request: RecordPageRequest): Promise<RecordConnection>;
  /** Tokens times the model's price; null without a price or a manifest. */
  estimatedCost(): Promise<JobCost | null>;
}

export interface ResultsReader {
  /**
   * The job's results, its output folder listed (one ListObjectsV2 call); the same promise for the
   * same job object within the operation. Null when the job's output is not in S3. Rejects with
   * FORBIDDEN when S3 refuses the listing.
   */
  forJob(job: ModelInvocationJob): Promise<JobResults | null>;
}

/**
 * `maxJobs`: most distinct jobs whose results one operation reads (MAX_JOBS_PER_OPERATION): a
 * page of 1,000 jobs selecting `results` would otherwise be 1,000 S3 listings at once. Beyond it,
 * `results` fails with LIMIT_EXCEEDED for the jobs past the limit.
 */
export function createResultsReader(storage: ResultsStorage, options: ResultsOptions, { maxJobs = Infinity } = {}): ResultsReader {
  // By job object: a subscription's next event brings a new one, whose output may have changed.
  const read = new WeakMap<ModelInvocationJob, Promise<JobResults | null>>();
  const jobIds = new Set<string>();
  return {
    forJob(job) {
      let results = read.get(job);
      if (!results) {
        const jobId = jobIdFromArn(job.jobArn);
        if (!jobIds.has(jobId) && jobIds.size >= maxJobs) {
          return Promise.reject(
            createGatewayError(
              ErrorCode.LIMIT_EXCEEDED,
              `This operation reads the results of more than ${maxJobs} jobs (MAX_JOBS_PER_OPERATION); ask for fewer jobs' results at once`,
              { limit: 'MAX_JOBS_PER_OPERATION' },
            ),
          );
        }
        jobIds.add(jobId);
        results = resultsOf(storage, options, job);
        read.set(job, results);
      }
      return results;
    },
  };
}

async function resultsOf(storage: ResultsStorage, options: ResultsOptions, job: ModelInvocationJob): Promise<JobResults | null> {
  const folder = outputFolderOf(job);
  if (!folder) return null;
  const listing = await listOutput(storage, folder);
  let manifest: Promise<OutputManifest | null> | undefined;
  const results: JobResults = {
    job,
    folder,
    s3Uri: formatS3Uri(folder),
    listing,
    manifest: () => (manifest ??= readManifest(storage, listing)),
    downloadUrl: (file) => storage.presignGet(folder.bucket, file.key, options.urlTtlSeconds),
    records: (request) =>
      readRecordPage(
        {
          storage,
          listing,
          jobId: jobIdFromArn(job.jobArn),
          recordCount: job.processedRecordCount ?? job.totalRecordCount,
          errorRecordCount: job.errorRecordCount,
        },
        request,
      ),
    async estimatedCost() {
      const price = priceOf(options.modelPrices, job.modelId);
      if (!price) return null;
      const counts = await results.manifest();
      return counts && costOf(price, counts);
    },
  };
  return results;
}
