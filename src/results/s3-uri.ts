// S3 locations as Bedrock gives them (`s3://bucket/key`), and where a job's output lands.
import type { ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';

export interface S3Location {
  bucket: string;
  /** The object key, or a folder's prefix (ending in `/`, or empty for the bucket's root). */
  key: string;
}

/** `s3://bucket/key` → bucket and key; undefined when it is not an S3 URI with a bucket. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri.trim());
  if (!match) return undefined;
  return { bucket: match[1]!, key: match[2]! };
}

export function formatS3Uri({ bucket, key }: S3Location): string {
  return `s3://${bucket}/${key}`;
}

/** A folder: the key with one trailing `/` (empty for the bucket's root). */
export function asFolder(key: string): string {
  const trimmed = key.replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** The part of a key after its folder: the object's name. */
export function nameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/**
 * Where Bedrock writes a job's output: a folder named after the job id under the output URI
 * (`s3://bucket/out/` or `s3://bucket/out` → `out/<jobId>/`). Undefined when the job's output
 * is not in S3 (a kind of location newer than this gateway).
 */
export function outputFolderOf(job: Pick<ModelInvocationJob, 'jobArn' | 'outputDataConfig'>): S3Location | undefined {
  const uri = job.outputDataConfig.s3OutputDataConfig?.s3Uri;
  const location = uri === undefined ? undefined : parseS3Uri(uri);
  if (!location) return undefined;
  return { bucket: location.bucket, key: `${asFolder(location.key)}${jobIdFromArn(job.jobArn)}/` };
}
