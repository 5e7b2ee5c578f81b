// The input of a job that retries what finished jobs failed: the records whose output line carries
// Bedrock's error, `{recordId, modelInput}` as the input had them, collected file by file with
// ranged reads (only the lines to write are kept), written as one JSONL object, and the request
// that submits it with the first job's settings. Everything that can refuse does so before the
// object is written; the object is never overwritten with other content, so that a retry of the
// same request (same clientRequestToken) writes the same bytes or nothing.
import { createHash } from 'node:crypto';
import { isTerminalStatus, type ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import type { CreateJobInput } from '../bedrock/jobs.ts';
import { ErrorCode, createGatewayError } from '../errors.ts';
import { listOutput, type OutputListing } from './output-files.ts';
import { scanRecords } from './record-pages.ts';
import { asFolder, formatS3Uri, outputFolderOf, parseS3Uri, type S3Location } from './s3-uri.ts';
import type { ResultsStorage } from './storage.ts';

/** How retries are checked (BATCH_MIN_RECORDS). */
export interface RetryOptions {
  /**
   * Fewest records Bedrock accepts in a job: fewer failed records are refused before anything is
   * written, instead of a job that fails validation. @default 100
   */
  minRecords: number;
}

/** Most jobs one retry collects from. */
export const MAX_RETRY_SOURCE_JOBS = 20;
/**
 * Largest retry input. The file is held in memory while it is compared and written, twice at
 * most (Bedrock accepts up to 1 GB per input file, far more than one request should hold).
 */
export const MAX_RETRY_INPUT_BYTES = 64 * 1024 * 1024;
/** The folder, beside the first job's input, that retry inputs go to by default. */
export const RETRY_FOLDER = 'retries/';
/** Tag values are at most 256 characters; ids are 12, space-separated. */
const MAX_TAG_VALUE = 256;

/** A BAD_USER_INPUT about one field of the mutation's input. */
const refuse = (field: string, message: string, extensions: Record<string, unknown> = {}) =>
  createGatewayError(ErrorCode.BAD_USER_INPUT, message, { field, ...extensions });

/**
 * The sources' output folders, after checking the jobs can be retried together: each finished,
 * each with an S3 output location, all of the first one's model. `field(i)` names job i in errors.
 */
export function checkRetrySources(jobs: readonly ModelInvocationJob[], field: (index: number) => string): S3Location[] {
  const [first] = jobs;
  return jobs.map((job, index) => {
    const id = jobIdFromArn(job.jobArn);
    if (!isTerminalStatus(job.status)) {
      throw refuse(field(index), `Job ${id} is ${job.status}: only finished jobs can have their failed records retried`, { status: job.status });
    }
    if (job.modelId !== first!.modelId) {
      throw refuse(
        field(index),
        `Job ${id} ran ${job.modelId}, but the first job ran ${first!.modelId}: one retry job runs one model, so retry them separately`,
      );
    }
    const folder = outputFolderOf(job);
    if (!folder) throw refuse(field(index), `Job ${id} has no output in S3 to read its failed records from`);
    return folder;
  });
}

/**
 * Where `inputS3Uri` puts the retry input: a `.jsonl` object, or `<jobName>.jsonl` in a folder
 * (a URI ending in `/`). Throws BAD_USER_INPUT for anything else.
 */
export function retryInputAt(inputS3Uri: string, jobName: string, field: string): S3Location {
  const location = parseS3Uri(inputS3Uri);
  if (!location) throw refuse(field, `${field} must be an S3 URI (s3://bucket/key.jsonl or s3://bucket/folder/)`);
  if (location.key === '' || location.key.endsWith('/')) return { bucket: location.bucket, key: `${location.key}${jobName}.jsonl` };
  if (!location.key.endsWith('.jsonl')) {
    throw refuse(field, `${field} must name a .jsonl object or a folder ending in / (got ${JSON.stringify(inputS3Uri.slice(0, 200))})`);
  }
  return location;
}

/**
 * The default retry input: `<input folder>/retries/<jobName>.jsonl`, where the input folder is
 * the first job's input URI when that is a folder, else the folder of the file it names. A URI
 * that neither ends in `/` nor `.jsonl` is a file if an object exists at it (one HEAD).
 */
export async function defaultRetryInput(storage: ResultsStorage, first: ModelInvocationJob, jobName: string): Promise<S3Location> {
  const uri = first.inputDataConfig.s3InputDataConfig?.s3Uri;
  const input = uri === undefined ? undefined : parseS3Uri(uri);
  if (!input) {
    throw refuse('input.inputS3Uri', `Job ${jobIdFromArn(first.jobArn)} has no S3 input to write the retry beside: give inputS3Uri`);
  }
  const { bucket, key } = input;
  const isFile = key !== '' && !key.endsWith('/') && (key.endsWith('.jsonl') || (await storage.head(bucket, key)) !== undefined);
  const folder = isFile ? key.slice(0, key.lastIndexOf('/') + 1) : asFolder(key);
  return { bucket, key: `${folder}${RETRY_FOLDER}${jobName}.jsonl` };
}

/**
 * Lists the sources' output folders; refuses a job whose folder holds no `.out` file (it
 * processed nothing, or its output is gone).
 */
export async function listRetrySources(
  storage: ResultsStorage,
  jobs: readonly ModelInvocationJob[],
  folders: readonly S3Location[],
  field: (index: number) => string,
): Promise<OutputListing[]> {
  const listings = await Promise.all(folders.map((folder) => listOutput(storage, folder)));
  listings.forEach((listing, index) => {
    if (listing.files.length === 0) {
      throw refuse(field(index), `Job ${jobIdFromArn(jobs[index]!.jobArn)} has no output files in ${formatS3Uri(listing.folder)}`);
    }
  });
  return listings;
}

/** BAD_USER_INPUT unless `count` failed records make a job Bedrock accepts. */
export function checkEnoughRecords(count: number, { minRecords }: RetryOptions): void {
  if (count < minRecords) {
    throw refuse(
      'input.jobIdentifiers',
      `The jobs have ${count} failed records to retry, fewer than the ${minRecords} records Bedrock needs in a job (BATCH_MIN_RECORDS)`,
      { failedRecords: count, minRecords },
    );
  }
}

/** The retry input, ready to write. */
export interface FailedRecords {
  /** JSON lines `{"recordId","modelInput"}`, each ending with a LF. */
  body: Buffer;
  /** Lines in `body`. */
  count: number;
  /** Output lines that are not records (MALFORMED_RECORD): they cannot be retried. */
  unreadable: number;
  /** Failed records whose line has no modelInput: nothing to send again. */
  withoutInput: number;
}

/**
 * The failed records (Bedrock's error, MODEL_INVOCATION_ERROR) of every listed output, in the
 * order of the listings, then of files, then of lines, streamed with ranged reads. A record
 * found twice (same recordId and modelInput, from two of the jobs) is written once. Rejects with
 * LIMIT_EXCEEDED, and stops reading, once the input would pass `maxBytes`.
 */
export async function collectFailedRecords(
  storage: ResultsStorage,
  listings: readonly OutputListing[],
  { maxBytes = MAX_RETRY_INPUT_BYTES }: { maxBytes?: number } = {},
): Promise<FailedRecords> {
  // Lines are kept encoded (a string may take twice its UTF-8 bytes), and known by their hash.
  const lines: Buffer[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  let unreadable = 0;
  let withoutInput = 0;
  for (const listing of listings) {
    for await (const { record } of scanRecords(storage, listing)) {
      if (record.error?.code === 'MALFORMED_RECORD') unreadable++;
      if (record.error?.code !== 'MODEL_INVOCATION_ERROR') continue;
      if (record.modelInput === undefined) {
        withoutInput++;
        continue;
      }
      const line = Buffer.from(`${JSON.stringify({ recordId: record.recordId, modelInput: record.modelInput })}\n`, 'utf8');
      const hash = createHash('sha256').update(line).digest('base64');
      if (seen.has(hash)) continue;
      seen.add(hash);
      lines.push(line);
      bytes += line.length;
      if (bytes > maxBytes) {
        throw createGatewayError(
          ErrorCode.LIMIT_EXCEEDED,
          `The failed records take more than ${maxBytes} bytes, the most the gateway writes as one retry input: retry fewer jobs at a time`,
          { maxBytes },
        );
      }
    }
  }
  return { body: Buffer.concat(lines, bytes), count: lines.length, unreadable, withoutInput };
}

/**
 * Writes the retry input unless the object already holds exactly these bytes (an earlier attempt
 * of the same retry wrote it). Refuses with CONFLICT, writing nothing, when the object exists
 * with other content: it may be the input of another job.
 */
export async function writeRetryInput(storage: ResultsStorage, at: S3Location, body: Buffer): Promise<'written' | 'unchanged'> {
  const existing = await storage.head(at.bucket, at.key);
  if (existing) {
    const bytes = existing.size === body.length ? await storage.get(at.bucket, at.key, { maxBytes: body.length }) : undefined;
    if (bytes && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(body)) return 'unchanged';
    throw createGatewayError(
      ErrorCode.CONFLICT,
      `${formatS3Uri(at)} already exists with other records (another retry's input?), and is never overwritten: choose another jobName or inputS3Uri`,
      { s3Uri: formatS3Uri(at) },
    );
  }
  await storage.put(at.bucket, at.key, body, { contentType: 'application/jsonl' });
  return 'written';
}

/** What the retry job takes besides the first job's settings. */
export interface RetryJobSpec {
  jobName: string;
  /** The caller's; left out, the caller of this function adds one (withClientRequestToken). */
  clientRequestToken?: string;
  /** The retry input written by writeRetryInput. */
  input: S3Location;
  /** Where the output goes; the first job's output location when absent. */
  outputDataConfig?: CreateJobInput['outputDataConfig'];
  /** The jobs retried, as bare ids. */
  sourceJobIds: readonly string[];
}

/**
 * The CreateModelInvocationJob request of the retry: the first job's model, role, VPC, timeout,
 * invocation type and (unless given) output location, the retry input, and `retry-of` tags.
 */
export function retryJobRequest(first: ModelInvocationJob, spec: RetryJobSpec): CreateJobInput {
  const firstInput = first.inputDataConfig.s3InputDataConfig;
  const firstOutput = first.outputDataConfig.s3OutputDataConfig;
  // The bucket owner of the first input holds for a file written to the same bucket only.
  const bucketOwner = firstInput?.s3BucketOwner !== undefined && parseS3Uri(firstInput.s3Uri ?? '')?.bucket === spec.input.bucket ? firstInput.s3BucketOwner : undefined;
  return {
    jobName: spec.jobName,
    ...(spec.clientRequestToken !== undefined ? { clientRequestToken: spec.clientRequestToken } : {}),
    modelId: first.modelId,
    roleArn: first.roleArn,
    inputDataConfig: {
      s3InputDataConfig: { s3Uri: formatS3Uri(spec.input), s3InputFormat: 'JSONL', ...(bucketOwner ? { s3BucketOwner: bucketOwner } : {}) },
    },
    outputDataConfig: spec.outputDataConfig ?? {
      s3OutputDataConfig: {
        s3Uri: firstOutput!.s3Uri,
        ...(firstOutput!.s3EncryptionKeyId ? { s3EncryptionKeyId: firstOutput!.s3EncryptionKeyId } : {}),
        ...(firstOutput!.s3BucketOwner ? { s3BucketOwner: firstOutput!.s3BucketOwner } : {}),
      },
    },
    ...(first.vpcConfig ? { vpcConfig: { subnetIds: first.vpcConfig.subnetIds, securityGroupIds: first.vpcConfig.securityGroupIds } } : {}),
    ...(first.timeoutDurationInHours !== undefined ? { timeoutDurationInHours: first.timeoutDurationInHours } : {}),
    ...(first.modelInvocationType !== undefined ? { modelInvocationType: first.modelInvocationType } : {}),
    tags: retryOfTags(spec.sourceJobIds),
  };
}

/**
 * `retry-of`: the source job ids separated by spaces, as many as fit in a tag value (19); the
 * rest continue in `retry-of-2`, `retry-of-3`… (20 sources take two tags).
 */
export function retryOfTags(jobIds: readonly string[]): Array<{ key: string; value: string }> {
  const values: string[] = [];
  for (const id of jobIds) {
    const last = values.length - 1;
    if (last >= 0 && values[last]!.length + 1 + id.length <= MAX_TAG_VALUE) values[last] += ` ${id}`;
    else values.push(id);
  }
  return values.map((value, index) => ({ key: index === 0 ? 'retry-of' : `retry-of-${index + 1}`, value }));
}
