// stopModelInvocationJob and createModelInvocationJob: validation, error codes, idempotency,
// and effects reaching running subscriptions without waiting for a poll.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { errorCodesByPath, startTestGateway, type TestGateway } from './support/test-gateway.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';

const STOP = `mutation($id: String!) { stopModelInvocationJob(jobIdentifier: $id) { jobId status } }`;
const CREATE = `mutation($input: CreateModelInvocationJobInput!) {
  createModelInvocationJob(input: $input) { jobId jobName status modelId clientRequestToken timeoutDurationInHours
    inputDataConfig { ... on ModelInvocationJobS3InputDataConfig { s3Uri } } }
}`;
const validInput = (overrides: Record<string, unknown> = {}) => ({
  jobName: 'reviews-sentiment-2026-11',
  roleArn: 'arn:aws:iam::123456789012:role/BedrockBatchRole',
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://my-bucket/input/records.jsonl' } },
  outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://my-bucket/output/' } },
  ...overrides,
});

let t: TestGateway;
const clients: Client[] = [];
beforeAll(async () => {
  // A poll interval far longer than any test: changes can only arrive through the mutation.
  t = await startTestGateway({ POLL_INTERVAL_MS: '600000' }, { maxJobs: 50 });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(() => t.close());

describe('stopModelInvocationJob', () => {
  it('should stop a running job and show STOPPING to its subscribers at once', async () => {
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const client = createWsClient(t.url);
    clients.push(client);
    const sub = subscribeWs(client, `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status previousStatus } }`, { id: job.jobId });
    await sub.next();
    const { data, errors } = await t.graphql(STOP, { id: job.jobArn });
    expect(errors).toBeUndefined();
    expect(data!.stopModelInvocationJob).toEqual({ jobId: job.jobId, status: 'STOPPING' });
    expect((await sub.next()).data!.modelInvocationJobStatusChanged).toEqual({ status: 'STOPPING', previousStatus: 'IN_PROGRESS' });
  });

  it('should answer CONFLICT for a finished job, NOT_FOUND for an unknown one, BAD_USER_INPUT for a malformed one', async () => {
    const done = t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
    const conflict = await t.graphql(STOP, { id: done.jobId });
    expect(errorCodesByPath(conflict)).toEqual({ stopModelInvocationJob: 'CONFLICT' });
    expect(conflict.errors![0]!.message).toContain('already Completed');
    expect(errorCodesByPath(await t.graphql(STOP, { id: 'zzzzzzzzzzzz' }))).toEqual({ stopModelInvocationJob: 'NOT_FOUND' });
    expect(errorCodesByPath(await t.graphql(STOP, { id: 'x' }))).toEqual({ stopModelInvocationJob: 'BAD_USER_INPUT' });
  });

  it('should answer 10 concurrent stops with the job, making one stop upstream (the losers got BAD_USER_INPUT before)', async () => {
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    // Stops are held a moment, so every request has read the job (InProgress) before one lands.
    Object.assign(t.simulator.faults, { latencyMs: 200, operations: ['StopModelInvocationJob'] });
    t.simulator.resetStats();
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.graphql(STOP, { id: job.jobId })));
    t.simulator.faults.reset();
    expect(answers.map((answer) => answer.errors)).toEqual(answers.map(() => undefined));
    expect(new Set(answers.map((answer) => answer.data!.stopModelInvocationJob.status))).toEqual(new Set(['STOPPING']));
    expect(t.simulator.stats().calls.StopModelInvocationJob).toBe(1);
  });

  it("should treat Bedrock's refusal to stop a job another client stopped meanwhile as done", async () => {
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    // The gateway has read the job (InProgress); its stop arrives, and is held for a moment…
    Object.assign(t.simulator.faults, { latencyMs: 200, operations: ['StopModelInvocationJob'] });
    t.simulator.resetStats();
    const answer = t.graphql(STOP, { id: job.jobId });
    await expect.poll(() => t.simulator.stats().calls.StopModelInvocationJob, { interval: 5 }).toBe(1);
    // … while someone else's stop gets there first: Bedrock refuses the gateway's ("State was: Stopping").
    t.simulator.engine.stop(job.jobId);
    const { data, errors } = await answer;
    t.simulator.faults.reset();
    expect(errors).toBeUndefined();
    expect(data!.stopModelInvocationJob).toEqual({ jobId: job.jobId, status: 'STOPPING' });
    expect(t.simulator.stats().calls.StopModelInvocationJob).toBe(1);
  });

  it('should treat stopping a STOPPING or STOPPED job as done', async () => {
    const stopped = t.simulator.engine.createJob({ status: 'Stopped' }, { paused: true });
    expect((await t.graphql(STOP, { id: stopped.jobId })).data!.stopModelInvocationJob).toEqual({ jobId: stopped.jobId, status: 'STOPPED' });
    const job = t.simulator.engine.createJob({ status: 'Stopping' }, { paused: true });
    expect((await t.graphql(STOP, { id: job.jobId })).data!.stopModelInvocationJob).toEqual({ jobId: job.jobId, status: 'STOPPING' });
  });
});

describe('createModelInvocationJob', () => {
  it('should submit a job and return it as Bedrock reports it', async () => {
    const { data, errors } = await t.graphql(CREATE, { input: validInput({ timeoutDurationInHours: 48 }) });
    expect(errors).toBeUndefined();
    expect(data!.createModelInvocationJob).toMatchObject({
      jobName: 'reviews-sentiment-2026-11',
      status: 'SUBMITTED',
      timeoutDurationInHours: 48,
      inputDataConfig: { s3Uri: 's3://my-bucket/input/records.jsonl' },
    });
    expect(t.simulator.engine.get(data!.createModelInvocationJob.jobId)?.status).toBe('Submitted');
  });

  it('should return the same job for the same clientRequestToken', async () => {
    const input = validInput({ jobName: 'idempotent-job', clientRequestToken: 'retry-token-1' });
    const first = await t.graphql(CREATE, { input });
    const second = await t.graphql(CREATE, { input });
    expect(second.data!.createModelInvocationJob.jobId).toBe(first.data!.createModelInvocationJob.jobId);
  });

  it('should return a job Bedrock accepted even when reading it back fails, with a token that makes a retry safe (lost before)', async () => {
    t.simulator.faults.failNext(50, 'throttle', 'GetModelInvocationJob');
    const first = await t.graphql(CREATE, { input: validInput({ jobName: 'read-back-fails' }) });
    t.simulator.faults.reset();
    expect(first.errors).toBeUndefined();
    const job = first.data!.createModelInvocationJob;
    expect(job).toMatchObject({ jobName: 'read-back-fails', status: 'SUBMITTED', modelId: validInput().modelId });
    expect(job.clientRequestToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(t.simulator.engine.get(job.jobId)?.clientRequestToken).toBe(job.clientRequestToken);
    expect(first.extensions?.warnings).toEqual([
      { code: 'JOB_READ_FAILED', cause: 'THROTTLED', path: ['createModelInvocationJob'], message: expect.stringContaining('reading it back failed (THROTTLED)') },
    ]);

    const retry = await t.graphql(CREATE, { input: validInput({ jobName: 'read-back-fails', clientRequestToken: job.clientRequestToken }) });
    expect(retry.data!.createModelInvocationJob.jobId).toBe(job.jobId);
    expect(retry.extensions?.warnings).toBeUndefined();
    expect(t.simulator.engine.list({ nameContains: 'read-back-fails' }).jobs).toHaveLength(1);
  });

  it('should name the token it generated in the error when the create failed, so that a retry makes one job', async () => {
    t.simulator.faults.failNext(50, 'throttle', 'CreateModelInvocationJob');
    const failed = await t.graphql(CREATE, { input: validInput({ jobName: 'create-fails' }) });
    t.simulator.faults.reset();
    expect(errorCodesByPath(failed)).toEqual({ createModelInvocationJob: 'THROTTLED' });
    const token = failed.errors![0]!.extensions!.clientRequestToken as string;
    expect(token).toMatch(/^[0-9a-f-]{36}$/);

    const retry = await t.graphql(CREATE, { input: validInput({ jobName: 'create-fails', clientRequestToken: token }) });
    const again = await t.graphql(CREATE, { input: validInput({ jobName: 'create-fails', clientRequestToken: token }) });
    expect(again.data!.createModelInvocationJob.jobId).toBe(retry.data!.createModelInvocationJob.jobId);
    expect(t.simulator.engine.list({ nameContains: 'create-fails' }).jobs).toHaveLength(1);
  });

  it.each([
    [{ jobName: 'has spaces' }, 'input.jobName'],
    [{ jobName: 'x'.repeat(64) }, 'input.jobName'],
    [{ jobName: '-leading-dash' }, 'input.jobName'],
    [{ roleArn: 'arn:aws:iam::123:user/me' }, 'input.roleArn'],
    [{ inputDataConfig: { s3InputDataConfig: { s3Uri: 'https://bucket/x' } } }, 'input.inputDataConfig.s3InputDataConfig.s3Uri'],
    [{ outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://B/' } } }, 'input.outputDataConfig.s3OutputDataConfig.s3Uri'],
    [{ timeoutDurationInHours: 12 }, 'input.timeoutDurationInHours'],
    [{ clientRequestToken: 'x'.repeat(257) }, 'input.clientRequestToken'],
    [{ tags: [{ key: '', value: 'v' }] }, 'input.tags[0].key'],
    [{ vpcConfig: { subnetIds: [], securityGroupIds: ['sg-1'] } }, 'input.vpcConfig.subnetIds'],
  ])('should reject %j with BAD_USER_INPUT naming %s, before any call', async (overrides, field) => {
    t.simulator.resetStats();
    const response = await t.graphql(CREATE, { input: validInput(overrides) });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(response.errors?.[0]?.message).toMatch(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')} `));
    expect(t.simulator.stats().calls.CreateModelInvocationJob).toBe(0);
  });

  it('should answer QUOTA_EXCEEDED when Bedrock refuses for quota', async () => {
    t.simulator.engine.addJobs(50, { status: 'Scheduled' }, { paused: true });
    const response = await t.graphql(CREATE, { input: validInput({ jobName: 'over-quota' }) });
    expect(errorCodesByPath(response)).toEqual({ createModelInvocationJob: 'QUOTA_EXCEEDED' });
  });
});
