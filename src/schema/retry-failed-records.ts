// Mutation.retryFailedRecords: one new job for the records finished jobs failed. Refusals come
// first (identifiers, input, the jobs, their outputs, the number of failed records), then the
// retry input is written once, then the job is submitted the way createModelInvocationJob submits
// one. Idempotent by clientRequestToken: see results/retry-failed-records.ts for the file.
import { validateCreateJobRequest, withClientRequestToken } from '../bedrock/create-job-request.ts';
import type { ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import type { CreateJobInput } from '../bedrock/jobs.ts';
import { ErrorCode, createGatewayError, errorCodeOf } from '../errors.ts';
import {
  MAX_RETRY_INPUT_BYTES,
  MAX_RETRY_SOURCE_JOBS,
  checkEnoughRecords,
  checkRetrySources,
  collectFailedRecords,
  defaultRetryInput,
  listRetrySources,
  retryInputAt,
  retryJobRequest,
  writeRetryInput,
} from '../results/retry-failed-records.ts';
import type { S3Location } from '../results/s3-uri.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { OutputDataConfigInput, submitJob, withExtensions, withoutNulls } from './create-model-invocation-job.ts';
import { ModelInvocationJobRef } from './model-invocation-job.ts';

const RetryFailedRecordsInput = builder.inputType('RetryFailedRecordsInput', {
  description: 'Which finished jobs to retry the failed records of, and how to name and place the retry.',
  fields: (t) => ({
    jobIdentifiers: t.stringList({
      required: true,
      description: `1–${MAX_RETRY_SOURCE_JOBS} finished jobs of one model, by ARN or id, each once. Their failed records are written in this order; the first job gives the retry its model, role, VPC, timeout, invocation type and output location.`,
    }),
    jobName: t.string({
      required: true,
      description: "The retry job's name (1–63 characters: letters, digits, +, - and .), also the name of its input file, `<jobName>.jsonl`.",
    }),
    clientRequestToken: t.string({
      description:
        'Idempotency token (1–256 letters, digits and dashes): the same input with the same token makes one job and writes one file, however often it is sent. Generated when left out, and returned with the job (and in `extensions.clientRequestToken` of an error).',
    }),
    inputS3Uri: t.string({
      description:
        "Where to write the retry input: an S3 URI of a `.jsonl` object, or of a folder (ending in /) to write `<jobName>.jsonl` in. By default `retries/<jobName>.jsonl` in the first job's input folder (the folder of its input file, or its input folder). An existing object there is never overwritten with other records.",
    }),
    outputDataConfig: t.field({
      type: OutputDataConfigInput,
      description: "Where the retry writes its output; the first job's output location when left out.",
    }),
  }),
});

builder.mutationFields((t) => ({
  retryFailedRecords: t.field({
    type: ModelInvocationJobRef,
    // Mutation's own scope (jobs:write) applies too: the records read are customer data.
    authScopes: { resultsRead: true },
    description:
      'Submits a new job for the records that finished jobs of one model failed (those with a MODEL_INVOCATION_ERROR: their recordId and modelInput as the input had them), and returns it as createModelInvocationJob does, warnings included; account-wide subscriptions see it at once. ' +
      'The failed records are read from the jobs\' outputs in S3 and written as one JSONL input (see `inputS3Uri`); a record failed by two of the jobs alike is written once. The new job is tagged `retry-of` with the source job ids, space-separated (past 19 ids, `retry-of-2`…). ' +
      `Refused with BAD_USER_INPUT, before anything is written: malformed or repeated identifiers, more than ${MAX_RETRY_SOURCE_JOBS} jobs, jobs of different models, unfinished jobs, jobs without output, and fewer failed records than Bedrock's minimum per job (BATCH_MIN_RECORDS); with CONFLICT when the input file exists with other records; with LIMIT_EXCEEDED past ${MAX_RETRY_INPUT_BYTES / 1024 / 1024} MiB of records. ` +
      'Idempotent by clientRequestToken. Needs the jobs:write and results:read scopes.',
    args: { input: t.arg({ type: RetryFailedRecordsInput, required: true, description: 'The jobs to retry and the name of the retry.' }) },
    resolve: async (_, { input }, context) => {
      const { jobIdentifiers, jobName } = input;
      const ids = sourceJobIds(jobIdentifiers, context);
      const outputDataConfig = input.outputDataConfig ? (withoutNulls(input.outputDataConfig) as CreateJobInput['outputDataConfig']) : undefined;
      checkRequest({ jobName, clientRequestToken: input.clientRequestToken ?? undefined, outputDataConfig });
      const explicitInput = input.inputS3Uri == null ? undefined : retryInputAt(input.inputS3Uri, jobName, 'input.inputS3Uri');

      const sources = await loadSources(ids, context);
      const field = (index: number) => `input.jobIdentifiers[${index}]`;
      const folders = checkRetrySources(sources, field);
      const first = sources[0]!;
      const target = explicitInput ?? (await defaultRetryInput(context.storage, first, jobName));
      const request = withClientRequestToken(
        retryJobRequest(first, { jobName, clientRequestToken: input.clientRequestToken ?? undefined, input: target, outputDataConfig, sourceJobIds: ids }),
      );
      checkRequest(request);
      const { clientRequestToken } = request;

      // From here on a retry of the mutation should carry the token: it can make no second job.
      try {
        if (input.clientRequestToken != null) {
          const done = await findSubmitted(request, target, context);
          if (done) return done;
        }
        const listings = await listRetrySources(context.storage, sources, folders, field);
        // Bedrock's counts refuse too few records without reading the outputs; the scan decides.
        const reported = sources.reduce<number | undefined>(
          (sum, job) => (sum === undefined || job.errorRecordCount === undefined ? undefined : sum + job.errorRecordCount),
          0,
        );
        if (reported !== undefined) checkEnoughRecords(reported, context.retry);
        const records = await collectFailedRecords(context.storage, listings);
        checkEnoughRecords(records.count, context.retry);
        await writeRetryInput(context.storage, target, records.body);
        if (records.unreadable + records.withoutInput > 0) {
          context.warnings.push({
            code: 'RECORDS_NOT_RETRIED',
            message: `${records.unreadable} output lines could not be read (MALFORMED_RECORD) and ${records.withoutInput} failed records have no modelInput: they are not in the retry input`,
            path: ['retryFailedRecords'],
          });
        }
        return await submitJob(request, context, 'retryFailedRecords');
      } catch (error) {
        throw withExtensions(error, { clientRequestToken });
      }
    },
  }),
}));

/** The bare ids of the sources; BAD_USER_INPUT for none, too many, malformed or repeated ones. */
function sourceJobIds(identifiers: readonly string[], { jobs }: Pick<Context, 'jobs'>): string[] {
  if (identifiers.length === 0 || identifiers.length > MAX_RETRY_SOURCE_JOBS) {
    throw createGatewayError(
      ErrorCode.BAD_USER_INPUT,
      `input.jobIdentifiers must hold 1 to ${MAX_RETRY_SOURCE_JOBS} jobs (got ${identifiers.length})`,
      { field: 'input.jobIdentifiers' },
    );
  }
  const seen = new Map<string, number>();
  return identifiers.map((identifier, index) => {
    const field = `input.jobIdentifiers[${index}]`;
    let id: string;
    try {
      id = jobs.identifiers.normalise(identifier);
    } catch (error) {
      throw createGatewayError(ErrorCode.BAD_USER_INPUT, `${field}: ${(error as Error).message}`, { field });
    }
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw createGatewayError(ErrorCode.BAD_USER_INPUT, `${field} names job ${id} again (as input.jobIdentifiers[${earlier}])`, { field });
    }
    seen.set(id, index);
    return id;
  });
}

/** What the API would refuse of the request, as BAD_USER_INPUT naming the mutation's field. */
function checkRequest(request: Partial<CreateJobInput>): void {
  const [problem] = validateCreateJobRequest(request as CreateJobInput);
  if (!problem) return;
  // The request's fields that come from the input; the rest are the first job's own.
  const inputField = problem.field.startsWith('inputDataConfig.')
    ? 'input.inputS3Uri'
    : /^(jobName|clientRequestToken|outputDataConfig)\b/.test(problem.field)
      ? `input.${problem.field}`
      : 'input.jobIdentifiers[0]';
  const message = inputField === `input.${problem.field}` ? `input.${problem.message}` : `${inputField}: the retry's ${problem.message}`;
  throw createGatewayError(ErrorCode.BAD_USER_INPUT, message, { field: inputField });
}

/** The sources, concurrently; one that does not exist fails the mutation, naming it. */
function loadSources(ids: readonly string[], { loaders }: Pick<Context, 'loaders'>): Promise<ModelInvocationJob[]> {
  return Promise.all(
    ids.map((id, index) =>
      loaders.job.load(id).catch((error: unknown) => {
        if (errorCodeOf(error) !== ErrorCode.NOT_FOUND) throw error;
        const field = `input.jobIdentifiers[${index}]`;
        throw createGatewayError(ErrorCode.NOT_FOUND, `${field}: job ${id} does not exist`, { field });
      }),
    ),
  );
}

/**
 * The job an earlier attempt of this very retry created (same name and clientRequestToken), read
 * back; undefined when there is none yet. Saves reading the outputs again when a client retries
 * after losing the answer. A job of that name and token with another model or input is a CONFLICT
 * (Bedrock would return that job for the token).
 */
async function findSubmitted(
  request: CreateJobInput & { clientRequestToken: string },
  target: S3Location,
  { jobs, poller }: Pick<Context, 'jobs' | 'poller'>,
): Promise<ModelInvocationJob | undefined> {
  const { jobs: named } = await jobs.listJobs({ nameContains: request.jobName, sortOrder: 'Descending', maxResults: 100 });
  const found = named.find((job) => job.jobName === request.jobName && job.clientRequestToken === request.clientRequestToken);
  if (!found) return undefined;
  const uri = found.inputDataConfig.s3InputDataConfig?.s3Uri;
  if (found.modelId !== request.modelId || uri !== request.inputDataConfig?.s3InputDataConfig?.s3Uri) {
    throw createGatewayError(
      ErrorCode.CONFLICT,
      `clientRequestToken was used for job ${jobIdFromArn(found.jobArn)} (${found.modelId}, input ${uri}), not this retry (${request.modelId}, input s3://${target.bucket}/${target.key}): use another token`,
      { jobId: jobIdFromArn(found.jobArn) },
    );
  }
  return poller.refresh(jobIdFromArn(found.jobArn), { paced: false, caller: jobs.caller }).catch(() => found);
}
