// What a simulated job leaves in S3 when it finishes, as Bedrock leaves it: under
// `<output s3Uri>/<jobId>/`, one `<input file name>.out` per input file and `manifest.json.out`.
// Written on every change into a terminal status with records processed (Completed,
// PartiallyCompleted, and Stopped/Failed/Expired part-way). The objects are generated when first
// read, from the job and its input as they were at that moment. A job's input and output buckets
// exist from its creation on, as they must for a real job (a client may write beside the input).
import type { JobChangeListener } from '../engine.ts';
import { isTerminalStatus } from '../lifecycle.ts';
import type { ObjectStore } from '../s3/object-store.ts';
import type { SimulatedJob } from '../simulated-job.ts';
import { locateInput } from './job-input.ts';
import { JobRecords } from './job-records.ts';
import { asFolder, parseS3Uri } from './s3-uri.ts';

/** The name Bedrock gives the manifest beside the record files. */
export const MANIFEST_NAME = 'manifest.json.out';

/** The change listener that creates a new job's buckets and writes a job's outputs when it finishes. */
export function createJobOutputWriter(store: ObjectStore): JobChangeListener {
  return (job, previous) => {
    if (!previous) {
      for (const uri of [job.inputDataConfig.s3InputDataConfig?.s3Uri, job.outputDataConfig.s3OutputDataConfig?.s3Uri]) {
        const bucket = parseS3Uri(uri ?? '')?.bucket;
        if (bucket) store.ensureBucket(bucket);
      }
    }
    if (!isTerminalStatus(job.status) || (job.processedRecordCount ?? 0) === 0) return;
    // Written once per outcome: a terminal job rewrites only when a test changes its status or counts.
    if (previous && isTerminalStatus(previous.status) && previous.status === job.status && sameCounts(previous, job)) return;
    writeOutputs(store, job);
  };
}

/** `s3://<bucket>/<prefix>/<jobId>/`, the folder a job's outputs go to, or undefined without an output location. */
export function outputFolderOf(job: Pick<SimulatedJob, 'jobId' | 'outputDataConfig'>): { bucket: string; prefix: string } | undefined {
  const location = parseS3Uri(job.outputDataConfig.s3OutputDataConfig?.s3Uri ?? '');
  return location && { bucket: location.bucket, prefix: `${asFolder(location.key)}${job.jobId}/` };
}

function writeOutputs(store: ObjectStore, job: SimulatedJob): void {
  const folder = outputFolderOf(job);
  if (!folder) return;
  const records = new JobRecords(job, locateInput(store, job.inputDataConfig));
  const options = { lastModified: job.endTime ?? new Date(), contentType: 'application/octet-stream' };
  store.ensureBucket(folder.bucket);
  for (const file of records.files) {
    store.putGenerated(folder.bucket, `${folder.prefix}${file.name}.out`, () => records.renderFile(file), options);
  }
  store.putGenerated(folder.bucket, `${folder.prefix}${MANIFEST_NAME}`, () => Buffer.from(JSON.stringify(records.manifest()), 'utf8'), options);
}

function sameCounts(a: SimulatedJob, b: SimulatedJob): boolean {
  return (
    a.totalRecordCount === b.totalRecordCount &&
    a.processedRecordCount === b.processedRecordCount &&
    a.successRecordCount === b.successRecordCount &&
    a.errorRecordCount === b.errorRecordCount
  );
}
