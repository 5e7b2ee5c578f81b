// retryFailedRecords through the real gateway, the real S3 SDK and the simulator's S3, for source
// jobs as support/retry-gateway.ts seeds them: the failed records of finished jobs (as the simulator
// writes them from their inputs) collected into one JSONL input, a new job with the first job's
// settings that the simulator runs on that input, and idempotency by clientRequestToken (a failed
// create included). Every refusal before anything is written, and the limits, are in
// retry-failed-records-refusals.test.ts.
import { describe, expect, it } from 'vitest';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { nextRound } from './support/poller-rounds.ts';
import { anthropicInput, BUCKET, jsonl, KEYS, MODEL, parseJsonl, ROLE, useRetryGateway, VPC } from './support/retry-gateway.ts';
import { errorCodesByPath, type TestGateway } from './support/test-gateway.ts';

let t: TestGateway;
const { clients, seedSource, failedRecordsOf, retryKeys, retry, expectNothingDone } = useRetryGateway((started) => (t = started));

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
