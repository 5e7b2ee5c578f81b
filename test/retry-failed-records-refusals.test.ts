// What retryFailedRecords refuses, through the real gateway, the real S3 SDK and the simulator's
// S3, for source jobs as support/retry-gateway.ts seeds them: every refusal comes before anything
// is written or created (mixed models, unfinished jobs, too few failed records, no output, bad
// input, missing scopes); and the limits (the size cap, a record failed alike in two jobs, long
// retry-of tags). What it does when it may is in retry-failed-records.test.ts.
import { describe, expect, it } from 'vitest';
import { listOutput } from '../src/results/output-files.ts';
import { collectFailedRecords, retryOfTags } from '../src/results/retry-failed-records.ts';
import { simulatorStorage } from './support/results-storage.ts';
import { BUCKET, KEYS, MODEL, OTHER_MODEL, parseJsonl, useRetryGateway } from './support/retry-gateway.ts';
import { errorCodesByPath, type TestGateway } from './support/test-gateway.ts';

let t: TestGateway;
const { seedSource, failedRecordsOf, retryKeys, retry, expectNothingDone } = useRetryGateway((started) => (t = started));

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
