// retryFailedRecords through the real gateway, the real S3 SDK and the simulator's S3: the
// failed records of finished jobs (as the simulator writes them from their inputs) collected into
// one JSONL input, a new job with the first job's settings that the simulator runs on that input,
// idempotency by clientRequestToken (a failed create included), and every refusal before anything
// is written.
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listOutput } from '../src/results/output-files.ts';
import { collectFailedRecords, retryOfTags } from '../src/results/retry-failed-records.ts';
import { isTerminalStatus, type SimulatedJob } from '../src/simulator/index.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { nextRound } from './support/poller-rounds.ts';
import { simulatorStorage } from './support/results-storage.ts';
import { errorCodesByPath, startTestGateway, type GraphQLResponse, type TestGateway } from './support/test-gateway.ts';

const KEYS = {
  full: 'retry-test-full-key-0123456789',
  writeOnly: 'retry-test-write-key-0123456789',
  readResults: 'retry-test-results-key-0123456789',
};
const BUCKET = 'retry-data';
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const OTHER_MODEL = 'meta.llama3-1-70b-instruct-v1:0';
const ROLE = 'arn:aws:iam::123456789012:role/BedrockBatchRole';
const VPC = { subnetIds: ['subnet-0a1b2c3d'], securityGroupIds: ['sg-0a1b2c3d'] };

let t: TestGateway;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestGateway({
    AUTH_REQUIRED: 'true',
    GATEWAY_API_KEYS: JSON.stringify({
      [KEYS.full]: ['jobs:read', 'jobs:write', 'results:read'],
      [KEYS.writeOnly]: ['jobs:read', 'jobs:write'],
      [KEYS.readResults]: ['jobs:read', 'results:read'],
    }),
    RATE_LIMIT_RPS: '0',
    RESPONSE_CACHE_SIZE: '0',
  });
  // Jobs move only when a test moves them.
  t.simulator.engine.pause();
  t.simulator.s3.createBucket(BUCKET);
});
beforeEach(() => {
  t.simulator.s3.reset();
  t.simulator.resetStats();
});
afterEach(async () => {
  t.simulator.faults.reset();
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(() => t.close());

// ---- Finished jobs with inputs and outputs -----------------------------------------------------

interface InputRecord {
  recordId: string;
  modelInput: unknown;
}

interface Source {
  job: SimulatedJob;
  prefix: string;
  records: InputRecord[];
}

let runs = 0;
const anthropicInput = (text: string) => ({
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 256,
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
});
const jsonl = (records: object[]) => `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
const parseJsonl = (body: Buffer | undefined) =>
  (body?.toString('utf8') ?? '').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, any>);

/**
 * A PartiallyCompleted job of `records` input records (in `<prefix>/input/part-1.jsonl`) of which
 * `failed` failed: the simulator writes its outputs from that input when it finishes.
 */
function seedSource(options: { records?: number; failed: number; modelId?: string; inputAsFolder?: boolean; status?: SimulatedJob['status'] }): Source {
  const prefix = `run-${++runs}`;
  const total = options.records ?? 1000;
  const records = Array.from({ length: total }, (_, i) => ({
    recordId: `${prefix}-rec-${String(i).padStart(5, '0')}`,
    modelInput: anthropicInput(`Review ${i} of ${prefix}: très bien 😀`),
  }));
  const file = `${prefix}/input/part-1.jsonl`;
  t.simulator.s3.putObject(BUCKET, file, jsonl(records));
  const job = t.simulator.engine.createJob(
    {
      status: 'InProgress',
      jobName: `${prefix}-source`,
      modelId: options.modelId ?? MODEL,
      roleArn: ROLE,
      timeoutDurationInHours: 72,
      vpcConfig: VPC,
      inputDataConfig: { s3InputDataConfig: { s3Uri: `s3://${BUCKET}/${options.inputAsFolder ? `${prefix}/input/` : file}`, s3InputFormat: 'JSONL' } },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${BUCKET}/${prefix}/output/` } },
    },
    { paused: true, totalRecordCount: total },
  );
  const counts = { totalRecordCount: total, processedRecordCount: total, successRecordCount: total - options.failed, errorRecordCount: options.failed };
  const status = options.status ?? 'PartiallyCompleted';
  return { job: isTerminalStatus(status) ? t.simulator.engine.setStatus(job.jobId, status, counts) : job, prefix, records };
}

/** The failed records of a source as its output has them: `{recordId, modelInput}`. */
function failedRecordsOf(source: Source): InputRecord[] {
  const folder = `${source.prefix}/output/${source.job.jobId}/`;
  return t.simulator.s3
    .listKeys(BUCKET, folder)
    .filter((key) => key.endsWith('.jsonl.out'))
    .flatMap((key) => parseJsonl(t.simulator.s3.getObject(BUCKET, key)))
    .filter((line) => line.error)
    .map(({ recordId, modelInput }) => ({ recordId, modelInput }));
}

/** Keys of retry inputs under a source's input folder. */
const retryKeys = (source: Source) => t.simulator.s3.listKeys(BUCKET, `${source.prefix}/input/retries/`);

// ---- The mutation ---------------------------------------------------------------------------------

const RETRY = `mutation ($input: RetryFailedRecordsInput!) {
  retryFailedRecords(input: $input) {
    jobId jobName status modelId roleArn clientRequestToken timeoutDurationInHours
    vpcConfig { subnetIds securityGroupIds }
    inputDataConfig { ... on ModelInvocationJobS3InputDataConfig { s3Uri } }
    outputDataConfig { ... on ModelInvocationJobS3OutputDataConfig { s3Uri } }
  }
}`;

function retry(input: Record<string, unknown>, key = KEYS.full): Promise<GraphQLResponse> {
  return t.graphql(RETRY, { input }, { headers: { 'x-api-key': key } });
}

/** Nothing written to S3, no job created. */
function expectNothingDone() {
  expect(t.simulator.s3.stats().requests.PutObject).toBe(0);
  expect(t.simulator.stats().calls.CreateModelInvocationJob).toBe(0);
}

// ---- Tests --------------------------------------------------------------------------------------

describe('retrying failed records', () => {
  it("should write exactly the failed records beside the job's input and submit a job with its settings, which the simulator runs", async () => {
    const source = seedSource({ failed: 120 });
    const failed = failedRecordsOf(source);
    expect(failed).toHaveLength(120);

    const response = await retry({ jobIdentifiers: [source.job.jobArn], jobName: 'reviews-retry-1' });
    expect(response.errors).toBeUndefined();
    expect(response.extensions?.warnings).toBeUndefined();
    const job = response.data!.retryFailedRecords;
    const key = `${source.prefix}/input/retries/reviews-retry-1.jsonl`;
    expect(job).toMatchObject({
      jobName: 'reviews-retry-1',
      status: 'SUBMITTED',
      modelId: MODEL,
      roleArn: ROLE,
      timeoutDurationInHours: 72,
      vpcConfig: VPC,
      inputDataConfig: { s3Uri: `s3://${BUCKET}/${key}` },
      outputDataConfig: { s3Uri: `s3://${BUCKET}/${source.prefix}/output/` },
    });
    expect(job.clientRequestToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    // The input: the failed records, in the output's order, as the original input had them.
    const written = parseJsonl(t.simulator.s3.getObject(BUCKET, key));
    expect(written).toEqual(failed);
    const originals = new Map(source.records.map((record) => [record.recordId, record.modelInput]));
    for (const record of written) expect(record.modelInput).toEqual(originals.get(record.recordId));
    expect(retryKeys(source)).toEqual([key]);

    const created = t.simulator.engine.get(job.jobId)!;
    expect(created.tags).toEqual([{ key: 'retry-of', value: source.job.jobId }]);
    expect(created.inputDataConfig.s3InputDataConfig?.s3InputFormat).toBe('JSONL');

    // The simulator reads the input when it validates the job, and answers every record when it ends.
    let current = created;
    for (let step = 0; step < 5 && current.status !== 'Scheduled'; step++) current = t.simulator.engine.advance(job.jobId);
    expect(current.status).toBe('Scheduled');
    expect(current.totalRecordCount).toBe(120);
    t.simulator.engine.setStatus(job.jobId, 'Completed', { processedRecordCount: 120, successRecordCount: 120, errorRecordCount: 0 });
    const results = await t.graphql(
      `query ($id: String!) { modelInvocationJob(jobIdentifier: $id) { status results { manifest { totalRecordCount successRecordCount } files { s3Uri } } } }`,
      { id: job.jobId },
      { headers: { 'x-api-key': KEYS.full } },
    );
    expect(results.errors).toBeUndefined();
    expect(results.data!.modelInvocationJob).toEqual({
      status: 'COMPLETED',
      results: {
        manifest: { totalRecordCount: 120, successRecordCount: 120 },
        files: [{ s3Uri: `s3://${BUCKET}/${source.prefix}/output/${job.jobId}/reviews-retry-1.jsonl.out` }],
      },
    });
    const answered = parseJsonl(t.simulator.s3.getObject(BUCKET, `${source.prefix}/output/${job.jobId}/reviews-retry-1.jsonl.out`));
    expect(answered.map((line) => line.recordId)).toEqual(failed.map((record) => record.recordId));
  });

  it("should collect several jobs' failed records in the order given, from a folder input, and tag the retry with every source", async () => {
    const first = seedSource({ failed: 70, inputAsFolder: true });
    const second = seedSource({ records: 500, failed: 40 });
    const response = await retry({ jobIdentifiers: [first.job.jobId, second.job.jobArn], jobName: 'two-sources' });
    expect(response.errors).toBeUndefined();
    const key = `${first.prefix}/input/retries/two-sources.jsonl`;
    expect(response.data!.retryFailedRecords.inputDataConfig.s3Uri).toBe(`s3://${BUCKET}/${key}`);
    expect(parseJsonl(t.simulator.s3.getObject(BUCKET, key))).toEqual([...failedRecordsOf(first), ...failedRecordsOf(second)]);
    expect(t.simulator.engine.get(response.data!.retryFailedRecords.jobId)!.tags).toEqual([
      { key: 'retry-of', value: `${first.job.jobId} ${second.job.jobId}` },
    ]);
  });

  it('should write where inputS3Uri says, and the output where outputDataConfig says', async () => {
    const source = seedSource({ failed: 100 });
    t.simulator.s3.createBucket('retry-elsewhere');
    const inFolder = await retry({
      jobIdentifiers: [source.job.jobId],
      jobName: 'to-a-folder',
      inputS3Uri: 's3://retry-elsewhere/custom/',
      outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://retry-elsewhere/out/' } },
    });
    expect(inFolder.errors).toBeUndefined();
    expect(inFolder.data!.retryFailedRecords).toMatchObject({
      inputDataConfig: { s3Uri: 's3://retry-elsewhere/custom/to-a-folder.jsonl' },
      outputDataConfig: { s3Uri: 's3://retry-elsewhere/out/' },
    });
    const asFile = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'to-a-file', inputS3Uri: 's3://retry-elsewhere/custom/named.jsonl' });
    expect(asFile.data!.retryFailedRecords.inputDataConfig.s3Uri).toBe('s3://retry-elsewhere/custom/named.jsonl');
    expect(t.simulator.s3.listKeys('retry-elsewhere', 'custom/')).toEqual(['custom/named.jsonl', 'custom/to-a-folder.jsonl']);
    expect(parseJsonl(t.simulator.s3.getObject('retry-elsewhere', 'custom/named.jsonl'))).toEqual(failedRecordsOf(source));
    expect(retryKeys(source)).toEqual([]);

    t.simulator.s3.reset();
    t.simulator.resetStats();
    const wrong = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'to-a-text', inputS3Uri: 's3://retry-elsewhere/custom/named.txt' });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.inputS3Uri' });
    expectNothingDone();
  });

  it('should return the job Bedrock accepted even when reading it back fails, with a JOB_READ_FAILED warning', async () => {
    const source = seedSource({ failed: 100 });
    // A finished job is served from the cache from now on: only the read-back calls Bedrock.
    await t.graphql(`query ($id: String!) { modelInvocationJob(jobIdentifier: $id) { status } }`, { id: source.job.jobId }, { headers: { 'x-api-key': KEYS.full } });
    t.simulator.faults.failNext(50, 'throttle', 'GetModelInvocationJob');
    const response = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'read-back-fails' });
    t.simulator.faults.reset();
    expect(response.errors).toBeUndefined();
    expect(response.data!.retryFailedRecords).toMatchObject({ jobName: 'read-back-fails', status: 'SUBMITTED', modelId: MODEL });
    expect(t.simulator.engine.get(response.data!.retryFailedRecords.jobId)?.jobName).toBe('read-back-fails');
    expect(response.extensions?.warnings).toEqual([
      { code: 'JOB_READ_FAILED', cause: 'THROTTLED', path: ['retryFailedRecords'], message: expect.stringContaining('reading it back failed (THROTTLED)') },
    ]);
  });

  it('should retry the records it can read and warn of the lines it cannot (RECORDS_NOT_RETRIED)', async () => {
    const source = seedSource({ records: 300, failed: 101 });
    const [lost, ...readable] = failedRecordsOf(source);
    const key = t.simulator.s3.listKeys(BUCKET, `${source.prefix}/output/${source.job.jobId}/`).find((k) => k.endsWith('.jsonl.out'))!;
    const lines = t.simulator.s3.getObject(BUCKET, key)!.toString('utf8').split('\n');
    const index = lines.findIndex((line) => line.includes('"error"'));
    lines[index] = lines[index]!.slice(0, 40);
    t.simulator.s3.putObject(BUCKET, key, lines.join('\n'));
    const response = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'one-malformed' });
    expect(response.errors).toBeUndefined();
    expect(response.extensions?.warnings).toEqual([
      { code: 'RECORDS_NOT_RETRIED', path: ['retryFailedRecords'], message: expect.stringMatching(/^1 output lines could not be read \(MALFORMED_RECORD\) and 0 failed records/) },
    ]);
    expect(lines[index]).toContain(lost!.recordId);
    expect(parseJsonl(t.simulator.s3.getObject(BUCKET, `${source.prefix}/input/retries/one-malformed.jsonl`))).toEqual(readable);
  });

  it('should show the retry to account-wide subscribers as any created job', async () => {
    const source = seedSource({ failed: 100 });
    const client = createWsClient(t.url, { connectionParams: { 'x-api-key': KEYS.full } });
    clients.push(client);
    const sub = subscribeWs(client, `subscription { modelInvocationJobsChanged(filter: { nameContains: "acct-retry" }) { status previousStatus job { jobId } } }`);
    await expect.poll(() => t.gateway.poller.stats().accountWatchers).toBe(1);
    await nextRound(t.gateway.poller); // the baseline round
    const response = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'acct-retry' });
    expect((await sub.next()).data!.modelInvocationJobsChanged).toEqual({
      status: 'SUBMITTED',
      previousStatus: null,
      job: { jobId: response.data!.retryFailedRecords.jobId },
    });
  });
});

describe('idempotency', () => {
  it('should make one job and write one file for one clientRequestToken, however often it is sent', async () => {
    const source = seedSource({ failed: 150 });
    const input = { jobIdentifiers: [source.job.jobId], jobName: 'same-token', clientRequestToken: 'retry-token-1' };
    const first = await retry(input);
    expect(first.errors).toBeUndefined();
    const key = `${source.prefix}/input/retries/same-token.jsonl`;
    const body = t.simulator.s3.getObject(BUCKET, key);

    t.simulator.s3.reset();
    const second = await retry(input);
    expect(second.errors).toBeUndefined();
    expect(second.data!.retryFailedRecords.jobId).toBe(first.data!.retryFailedRecords.jobId);
    // Found by its token: the outputs are not read again, nothing is written.
    expect(t.simulator.s3.stats().requests).toMatchObject({ GetObject: 0, PutObject: 0 });
    expect(t.simulator.s3.getObject(BUCKET, key)).toEqual(body);
    expect(retryKeys(source)).toEqual([key]);
    expect(t.simulator.engine.list({ nameContains: 'same-token' }).jobs).toHaveLength(1);
  });

  it('should reuse the file it wrote when the create failed, and make one job with the token the error named', async () => {
    const source = seedSource({ failed: 130 });
    t.simulator.faults.failNext(50, 'internal', 'CreateModelInvocationJob');
    const failed = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'create-failed' });
    t.simulator.faults.reset();
    expect(errorCodesByPath(failed)).toEqual({ retryFailedRecords: 'UPSTREAM_UNAVAILABLE' });
    const token = failed.errors![0]!.extensions!.clientRequestToken as string;
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    const key = `${source.prefix}/input/retries/create-failed.jsonl`;
    const body = t.simulator.s3.getObject(BUCKET, key);
    expect(parseJsonl(body)).toHaveLength(130);
    expect(t.simulator.engine.list({ nameContains: 'create-failed' }).jobs).toHaveLength(0);

    t.simulator.s3.reset();
    const again = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'create-failed', clientRequestToken: token });
    expect(again.errors).toBeUndefined();
    expect(again.data!.retryFailedRecords.clientRequestToken).toBe(token);
    // The same records again: the file is left as it is.
    expect(t.simulator.s3.stats().requests.PutObject).toBe(0);
    expect(t.simulator.s3.getObject(BUCKET, key)).toEqual(body);
    const third = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'create-failed', clientRequestToken: token });
    expect(third.data!.retryFailedRecords.jobId).toBe(again.data!.retryFailedRecords.jobId);
    expect(t.simulator.engine.list({ nameContains: 'create-failed' }).jobs).toHaveLength(1);
  });

  it('should never overwrite an input file holding other records (CONFLICT), nor create a job', async () => {
    const source = seedSource({ failed: 100 });
    const key = `${source.prefix}/input/retries/taken-name.jsonl`;
    t.simulator.s3.putObject(BUCKET, key, jsonl([{ recordId: 'someone-else', modelInput: anthropicInput('not yours') }]));
    t.simulator.s3.reset();
    const response = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'taken-name' });
    expect(errorCodesByPath(response)).toEqual({ retryFailedRecords: 'CONFLICT' });
    expect(response.errors![0]!.message).toContain(`s3://${BUCKET}/${key} already exists`);
    expectNothingDone();
    expect(parseJsonl(t.simulator.s3.getObject(BUCKET, key))).toHaveLength(1);
  });
});

describe('refusals before anything is written', () => {
  it('should refuse jobs of different models', async () => {
    const first = seedSource({ failed: 100 });
    const other = seedSource({ failed: 100, modelId: OTHER_MODEL });
    t.simulator.resetStats();
    t.simulator.s3.reset();
    const response = await retry({ jobIdentifiers: [first.job.jobId, other.job.jobId], jobName: 'mixed-models' });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.jobIdentifiers[1]' });
    expect(response.errors![0]!.message).toContain(OTHER_MODEL);
    expect(response.errors![0]!.message).toContain(MODEL);
    expectNothingDone();
    expect(retryKeys(first)).toEqual([]);
  });

  it('should refuse an unfinished job', async () => {
    const done = seedSource({ failed: 100 });
    const running = seedSource({ failed: 0, status: 'InProgress' });
    t.simulator.resetStats();
    t.simulator.s3.reset();
    const response = await retry({ jobIdentifiers: [done.job.jobId, running.job.jobId], jobName: 'unfinished' });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.jobIdentifiers[1]', status: 'InProgress' });
    expectNothingDone();
  });

  it('should refuse fewer failed records than BATCH_MIN_RECORDS, naming both numbers', async () => {
    const source = seedSource({ failed: 99 });
    t.simulator.resetStats();
    t.simulator.s3.reset();
    const response = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'too-few' });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', failedRecords: 99, minRecords: 100 });
    expect(response.errors![0]!.message).toMatch(/\b99 failed records\b.*\b100 records\b/);
    expectNothingDone();
    expect(retryKeys(source)).toEqual([]);
  });

  it('should count the failed records in the output, not the job\'s errorRecordCount, and refuse too few there as well', async () => {
    // Bedrock reports 100 errors, but one of the lines cannot be read: 99 records can be retried.
    const source = seedSource({ records: 300, failed: 100 });
    const key = t.simulator.s3.listKeys(BUCKET, `${source.prefix}/output/${source.job.jobId}/`).find((k) => k.endsWith('.jsonl.out'))!;
    const lines = t.simulator.s3.getObject(BUCKET, key)!.toString('utf8').split('\n');
    const index = lines.findIndex((line) => line.includes('"error"'));
    lines[index] = lines[index]!.slice(0, 40);
    t.simulator.s3.putObject(BUCKET, key, lines.join('\n'));
    t.simulator.resetStats();
    t.simulator.s3.reset();
    const response = await retry({ jobIdentifiers: [source.job.jobId], jobName: 'one-unreadable' });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', failedRecords: 99, minRecords: 100 });
    expect(t.simulator.s3.stats().requests).toMatchObject({ GetObject: expect.any(Number), PutObject: 0 });
    expectNothingDone();
  });

  it('should refuse a job without output', async () => {
    const empty = t.simulator.engine.createJob(
      {
        status: 'Failed',
        modelId: MODEL,
        inputDataConfig: { s3InputDataConfig: { s3Uri: `s3://${BUCKET}/nothing/input.jsonl` } },
        outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${BUCKET}/nothing/output/` } },
        processedRecordCount: 0,
        errorRecordCount: 0,
      },
      { paused: true },
    );
    t.simulator.resetStats();
    const response = await retry({ jobIdentifiers: [empty.jobId], jobName: 'no-output' });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.jobIdentifiers[0]' });
    expect(response.errors![0]!.message).toContain('has no output files');
    expectNothingDone();
  });

  it.each([
    [{ jobIdentifiers: [] }, 'input.jobIdentifiers'],
    [{ jobIdentifiers: Array.from({ length: 21 }, (_, i) => `job${String(i).padStart(9, '0')}`) }, 'input.jobIdentifiers'],
    [{ jobIdentifiers: ['not-a-job'] }, 'input.jobIdentifiers[0]'],
    [{ jobIdentifiers: ['abcdefabcdef', 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefabcdef'] }, 'input.jobIdentifiers[1]'],
    [{ jobName: 'has spaces' }, 'input.jobName'],
    [{ clientRequestToken: 'under_score' }, 'input.clientRequestToken'],
    [{ inputS3Uri: 'https://bucket/key.jsonl' }, 'input.inputS3Uri'],
    [{ outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://B/' } } }, 'input.outputDataConfig.s3OutputDataConfig.s3Uri'],
  ])('should refuse %j with BAD_USER_INPUT naming %s, before any call', async (overrides, field) => {
    const response = await retry({ jobIdentifiers: ['abcdefabcdef'], jobName: 'bad-input', ...overrides });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(t.simulator.stats().calls).toMatchObject({ GetModelInvocationJob: 0, CreateModelInvocationJob: 0 });
    expect(Object.values(t.simulator.s3.stats().requests).every((count) => count === 0)).toBe(true);
  });

  it('should answer FORBIDDEN without both jobs:write and results:read', async () => {
    const source = seedSource({ failed: 100 });
    t.simulator.resetStats();
    t.simulator.s3.reset();
    const input = { jobIdentifiers: [source.job.jobId], jobName: 'no-scope' };
    const withoutResults = await retry(input, KEYS.writeOnly);
    expect(errorCodesByPath(withoutResults)).toEqual({ retryFailedRecords: 'FORBIDDEN' });
    expect(withoutResults.errors![0]!.message).toContain('results:read');
    const withoutWrite = await retry(input, KEYS.readResults);
    expect(errorCodesByPath(withoutWrite)).toEqual({ retryFailedRecords: 'FORBIDDEN' });
    expect(withoutWrite.errors![0]!.message).toContain('jobs:write');
    expect(t.simulator.stats().calls.GetModelInvocationJob).toBe(0);
    expect(Object.values(t.simulator.s3.stats().requests).every((count) => count === 0)).toBe(true);
  });
});

describe('limits', () => {
  it('should answer LIMIT_EXCEEDED past the size cap, and write a record failed alike in two jobs once', async () => {
    const source = seedSource({ failed: 200 });
    const storage = simulatorStorage(t.simulator);
    try {
      const listing = await listOutput(storage, { bucket: BUCKET, key: `${source.prefix}/output/${source.job.jobId}/` });
      await expect(collectFailedRecords(storage, [listing], { maxBytes: 10_000 })).rejects.toMatchObject({
        extensions: { code: 'LIMIT_EXCEEDED', maxBytes: 10_000 },
      });
      const twice = await collectFailedRecords(storage, [listing, listing]);
      expect(twice).toMatchObject({ count: 200, unreadable: 0, withoutInput: 0 });
      expect(parseJsonl(twice.body)).toEqual(failedRecordsOf(source));
    } finally {
      storage.close();
    }
  });

  it('should spread retry-of over tags of at most 256 characters', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `job${String(i).padStart(9, '0')}`);
    const tags = retryOfTags(ids);
    expect(tags.map((tag) => tag.key)).toEqual(['retry-of', 'retry-of-2']);
    expect(tags.every((tag) => tag.value.length <= 256)).toBe(true);
    expect(tags.flatMap((tag) => tag.value.split(' '))).toEqual(ids);
  });
});
