// ModelInvocationJobResults: what a job left in S3 (its output folder, manifest, `.out` files and
// their records) and what it cost. Record contents and download URLs are customer data: they need
// the results:read scope; the rest needs only jobs:read, like the job itself.
import type { ModelInvocationJob } from '../bedrock/job.ts';
import type { JobCost } from '../results/cost.ts';
import type { JobResults } from '../results/job-results.ts';
import type { OutputFile, OutputManifest } from '../results/output-files.ts';
import type { OutputRecord, OutputRecordError } from '../results/output-record.ts';
import { MAX_RECORD_IDS, MAX_RECORD_PAGE_SIZE, type RecordConnection, type RecordEdge } from '../results/record-pages.ts';
import { formatS3Uri } from '../results/s3-uri.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { DateTime } from './date-time.ts';
import { JSONScalar } from './json.ts';
import { PageInfoRef } from './model-invocation-job-connection.ts';
import { SafeInt } from './safe-int.ts';

const DEFAULT_RECORD_PAGE_SIZE = 100;

const ManifestRef = builder.objectRef<OutputManifest>('ModelInvocationJobManifest').implement({
  description: "The job's `manifest.json.out`: how many records it processed, how they ended, and the tokens they used.",
  fields: (t) => ({
    totalRecordCount: t.expose('totalRecordCount', { type: SafeInt, description: 'Records in the input.' }),
    processedRecordCount: t.expose('processedRecordCount', {
      type: SafeInt,
      description: 'Records processed, successfully or not.',
    }),
    successRecordCount: t.expose('successRecordCount', { type: SafeInt, description: 'Records with a modelOutput.' }),
    errorRecordCount: t.expose('errorRecordCount', { type: SafeInt, description: 'Records with an error instead of a modelOutput.' }),
    inputTokenCount: t.expose('inputTokenCount', {
      type: SafeInt,
      nullable: true,
      description: 'Tokens of all the model inputs; null when the manifest does not count them.',
    }),
    outputTokenCount: t.expose('outputTokenCount', {
      type: SafeInt,
      nullable: true,
      description: 'Tokens of all the model outputs; null when the manifest does not count them.',
    }),
  }),
});

/** A file with the results it belongs to (for its download URL). */
interface FileOfResults {
  file: OutputFile;
  results: JobResults;
}

const OutputFileRef = builder.objectRef<FileOfResults>('ModelInvocationJobOutputFile').implement({
  description: 'A `.out` file of the job: the records of one input file, one JSON line each.',
  fields: (t) => ({
    s3Uri: t.string({
      description: "The file's S3 URI: the output folder plus `<input file name>.out`.",
      resolve: ({ file, results }) => formatS3Uri({ bucket: results.folder.bucket, key: file.key }),
    }),
    size: t.field({ type: SafeInt, description: 'Bytes.', resolve: ({ file }) => file.size }),
    lastModified: t.field({ type: DateTime, description: 'When Bedrock wrote it.', resolve: ({ file }) => file.lastModified }),
    downloadUrl: t.string({
      authScopes: { resultsRead: true },
      description:
        'A presigned S3 GET URL of the file, valid for RESULTS_URL_TTL_S seconds (900 by default): anyone holding it can download the records. Needs the results:read scope; without it this field fails with FORBIDDEN, and, being non-null, takes `results` with it, so ask for it only with that scope.',
      resolve: ({ file, results }, _args, { cacheability }) => {
        // An answer holding a URL that expires is never served again from the response cache.
        cacheability.markVolatile();
        return results.downloadUrl(file);
      },
    }),
  }),
});

const RecordErrorRef = builder.objectRef<OutputRecordError>('ModelInvocationRecordError').implement({
  description: 'Why a record has no modelOutput: Bedrock could not process it, or its output line could not be read.',
  fields: (t) => ({
    errorCode: t.exposeInt('errorCode', {
      nullable: true,
      description: "Bedrock's error code for the record (an HTTP status such as 400); null when Bedrock gave none, and for a MALFORMED_RECORD.",
    }),
    errorMessage: t.exposeString('errorMessage', {
      nullable: true,
      description:
        "Bedrock's explanation; for a MALFORMED_RECORD, what is wrong with the line (prefixed `MALFORMED_RECORD:`). Null when Bedrock gave none.",
    }),
    code: t.exposeString('code', {
      description:
        'Added by the gateway, a stable kind: `MODEL_INVOCATION_ERROR` when Bedrock reported the record failed (errorCode and errorMessage are its own), `MALFORMED_RECORD` when its output line is not a record the gateway can read (not JSON, no recordId, neither modelOutput nor error, or longer than 32 MiB). Paging goes on past either.',
    }),
  }),
});

const RecordRef = builder.objectRef<OutputRecord>('ModelInvocationRecord').implement({
  description: 'One record of the output: the request sent to the model and its answer, or why there is none.',
  fields: (t) => ({
    recordId: t.exposeString('recordId', {
      description:
        "The input record's id. For a MALFORMED_RECORD, whatever id can be read from the line, or an empty string when none can.",
    }),
    modelInput: t.field({
      type: JSONScalar,
      nullable: true,
      description: 'The request sent to the model, as in the input line; null when the output line does not have it.',
      resolve: (record) => record.modelInput ?? null,
    }),
    modelOutput: t.field({
      type: JSONScalar,
      nullable: true,
      description: "The model's answer, in the model's own response format; null for a record with an error.",
      resolve: (record) => record.modelOutput ?? null,
    }),
    error: t.field({
      type: RecordErrorRef,
      nullable: true,
      description: 'Why the record has no answer; null for a record the model answered.',
      resolve: (record) => record.error,
    }),
    file: t.exposeString('file', {
      description: 'The name of the `.out` file the record is in (its key after the output folder).',
    }),
  }),
});

const RecordFilterInput = builder.inputType('ModelInvocationRecordFilter', {
  description: 'Which records to return; filters scan forward from the cursor, and both must match when both are given.',
  fields: (t) => ({
    errorsOnly: t.boolean({
      description: 'Only records with an error: those Bedrock failed, and MALFORMED_RECORD lines.',
    }),
    recordIds: t.stringList({
      description: `Only records with these ids, at most ${MAX_RECORD_IDS}; the first record found for each id. The page ends once every id is found.`,
    }),
  }),
});

const RecordEdgeRef = builder.objectRef<RecordEdge>('ModelInvocationRecordEdge').implement({
  description: 'A record in a page, with the cursor that continues after it.',
  fields: (t) => ({
    node: t.field({ type: RecordRef, description: 'The record.', resolve: (edge) => edge.node }),
    cursor: t.exposeString('cursor', { description: 'Opaque; pass as `after` (with the same filter) to continue after this record.' }),
  }),
});

const RecordConnectionRef = builder.objectRef<RecordConnection>('ModelInvocationRecordConnection').implement({
  description: "A page of the job's output records, in file order then line order (Bedrock's order, not the input's).",
  fields: (t) => ({
    edges: t.field({
      type: [RecordEdgeRef],
      description: 'The records of this page, each with its cursor.',
      resolve: (connection) => connection.edges,
    }),
    nodes: t.field({
      type: [RecordRef],
      description: 'The records of `edges`, for clients that need no cursors.',
      resolve: (connection) => connection.edges.map((edge) => edge.node),
    }),
    pageInfo: t.field({
      type: PageInfoRef,
      description: 'Whether more records follow, and the cursor to continue from.',
      resolve: (connection) => connection.pageInfo,
    }),
  }),
});

const CostRef = builder.objectRef<JobCost>('ModelInvocationJobCost').implement({
  description:
    "An estimate of what the job cost: the manifest's token counts times the model's price per million tokens configured in MODEL_PRICES (the operator's batch prices; the gateway ships none for AWS).",
  fields: (t) => ({
    currency: t.exposeString('currency', { description: 'Always USD, the currency of MODEL_PRICES.' }),
    inputCost: t.exposeFloat('inputCost', { description: 'inputTokenCount × the input price / 1,000,000.' }),
    outputCost: t.exposeFloat('outputCost', { description: 'outputTokenCount × the output price / 1,000,000.' }),
    total: t.exposeFloat('total', { description: 'inputCost + outputCost.' }),
  }),
});

export const ModelInvocationJobResultsRef = builder.objectRef<JobResults>('ModelInvocationJobResults').implement({
  description:
    "What the job wrote to S3: its output folder, manifest and `.out` files, their records, and the job's estimated cost. The folder is read when this field is resolved.",
  fields: (t) => ({
    s3Uri: t.exposeString('s3Uri', {
      description: "The job's output folder: the output location's s3Uri plus `<jobId>/`.",
    }),
    manifest: t.field({
      type: ManifestRef,
      nullable: true,
      description: 'The counts of `manifest.json.out`; null until Bedrock has written it (the job has not finished, or its folder is missing).',
      resolve: (results) => results.manifest(),
    }),
    files: t.field({
      type: [OutputFileRef],
      description: 'The `.out` record files (not the manifest), in key order; empty until Bedrock writes them.',
      resolve: (results) => results.listing.files.map((file) => ({ file, results })),
    }),
    records: t.field({
      type: RecordConnectionRef,
      authScopes: { resultsRead: true },
      description: `Pages of the records of every \`.out\` file, streamed from S3: a page reads about its own size (ranged GETs from its cursor's byte offset), never a whole file. \`first\` from 1 to ${MAX_RECORD_PAGE_SIZE}. A page may hold fewer than \`first\` records when it reaches its scan limit (64 MiB): follow \`pageInfo.hasNextPage\` and \`endCursor\`. Needs the results:read scope; without it this field fails with FORBIDDEN, and, being non-null, takes \`results\` with it.`,
      args: {
        first: t.arg.int({
          defaultValue: DEFAULT_RECORD_PAGE_SIZE,
          description: `How many records this page holds at most, 1–${MAX_RECORD_PAGE_SIZE}.`,
        }),
        after: t.arg.string({
          description: "A cursor from a page of the same job and filter (`pageInfo.endCursor`, or any edge's `cursor`): the page starts right after it.",
        }),
        filter: t.arg({ type: RecordFilterInput, description: 'Which records; every record when absent.' }),
      },
      resolve: (results, { first, after, filter }) =>
        results.records({
          first: first ?? DEFAULT_RECORD_PAGE_SIZE,
          after: after ?? undefined,
          filter: { errorsOnly: filter?.errorsOnly ?? false, recordIds: filter?.recordIds ?? undefined },
        }),
    }),
    estimatedCost: t.field({
      type: CostRef,
      nullable: true,
      description: "What the job cost, from the manifest's tokens and MODEL_PRICES; null when the model has no configured price or there is no manifest yet.",
      resolve: (results) => results.estimatedCost(),
    }),
  }),
});

/** `ModelInvocationJob.results`: null without an S3 output location; FORBIDDEN when S3 refuses the folder. */
export async function resolveResults(job: ModelInvocationJob, { results, cacheability }: Pick<Context, 'results' | 'cacheability'>) {
  const read = await results.forJob(job);
  // A finished job's folder may still be written to (or be missing for good): only answers with
  // its manifest are stable enough for the response cache.
  if (!read?.listing.manifest) cacheability.markVolatile();
  return read;
}
