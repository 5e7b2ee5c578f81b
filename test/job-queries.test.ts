// Job lookups through the real SDK against the simulator: batching, ordering, caching, errors.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCodesByPath, startTestGateway, type TestGateway } from './support/test-gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ UPSTREAM_CONCURRENCY: '10' });
});
afterAll(() => t.close());
afterEach(() => {
  t.simulator.faults.reset();
  t.simulator.resetStats();
});

const getCalls = () => t.simulator.stats().calls.GetModelInvocationJob;
/** Unfinished jobs that stay where they are, so no answer is served from the finished-job cache. */
const runningJobs = (count: number) =>
  t.simulator.engine.addJobs(count, { status: 'InProgress' }, { paused: true, totalRecordCount: 200 });

describe('modelInvocationJob', () => {
  it('should return every mirrored member by id and by ARN', async () => {
    const [job] = runningJobs(1);
    t.simulator.engine.setStatus(job!.jobId, 'InProgress', { processedRecordCount: 50 });
    const query = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) {
      jobArn jobId jobName modelId roleArn status submitTime lastModifiedTime isTerminal progress
      totalRecordCount processedRecordCount modelInvocationType
      inputDataConfig { __typename ... on ModelInvocationJobS3InputDataConfig { s3Uri s3InputFormat } }
      outputDataConfig { __typename ... on ModelInvocationJobS3OutputDataConfig { s3Uri } } } }`;
    for (const id of [job!.jobId, job!.jobArn]) {
      const { data, errors } = await t.graphql(query, { id });
      expect(errors).toBeUndefined();
      expect(data!.modelInvocationJob).toMatchObject({
        jobArn: job!.jobArn,
        jobId: job!.jobId,
        jobName: job!.jobName,
        status: 'IN_PROGRESS',
        submitTime: job!.submitTime.toISOString(),
        isTerminal: false,
        progress: 0.25,
        totalRecordCount: 200,
        inputDataConfig: { __typename: 'ModelInvocationJobS3InputDataConfig', s3Uri: job!.inputDataConfig.s3InputDataConfig?.s3Uri },
        outputDataConfig: { __typename: 'ModelInvocationJobS3OutputDataConfig' },
      });
      expect(data!.modelInvocationJob.submitTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('should answer an unknown job with null and NOT_FOUND', async () => {
    const response = await t.graphql(`{ modelInvocationJob(jobIdentifier: "zzzzzzzzzzzz") { jobId } }`);
    expect(response.data).toEqual({ modelInvocationJob: null });
    expect(errorCodesByPath(response)).toEqual({ modelInvocationJob: 'NOT_FOUND' });
  });

  it('should reject a malformed identifier with BAD_USER_INPUT and no upstream call', async () => {
    for (const bad of ['', 'ABCDEFGHIJKL', 'short', 'arn:aws:s3:::bucket/abcdefghijkl', "abcdefghijkl' OR 1=1"]) {
      const response = await t.graphql(`query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId } }`, { id: bad });
      expect(errorCodesByPath(response)).toEqual({ modelInvocationJob: 'BAD_USER_INPUT' });
    }
    expect(getCalls()).toBe(0);
  });
});

describe('batching', () => {
  it('should make one call per distinct job for 15 aliases over 6 jobs in ARN and id forms', async () => {
    const jobs = runningJobs(6);
    const aliases = Array.from({ length: 15 }, (_, i) => {
      const job = jobs[i % 6]!;
      const identifier = i % 2 === 0 ? job.jobArn : job.jobId;
      return `a${i}: modelInvocationJob(jobIdentifier: ${JSON.stringify(identifier)}) { jobId status }`;
    });
    const { data, errors } = await t.graphql(`{ ${aliases.join('\n')} }`);
    expect(errors).toBeUndefined();
    expect(Object.values(data!).map((job: any) => job.jobId)).toEqual(
      Array.from({ length: 15 }, (_, i) => jobs[i % 6]!.jobId),
    );
    expect(getCalls()).toBe(6);
  });

  it('should keep input order for 60 identifiers over 40 jobs with at most the cap in flight', async () => {
    const jobs = runningJobs(40);
    const identifiers = Array.from({ length: 60 }, (_, i) => (i < 40 ? jobs[i]!.jobArn : jobs[(i * 7) % 40]!.jobId));
    t.simulator.faults.latencyMs = 100; // long enough for requests to overlap, even on a loaded machine
    const { data, errors } = await t.graphql(
      `query($ids: [String!]!) { modelInvocationJobsByIdentifier(jobIdentifiers: $ids) { jobArn } }`,
      { ids: identifiers },
    );
    expect(errors).toBeUndefined();
    expect(data!.modelInvocationJobsByIdentifier.map((job: any) => job.jobArn)).toEqual(
      identifiers.map((id) => jobs.find((job) => id === job.jobArn || id === job.jobId)!.jobArn),
    );
    expect(getCalls()).toBe(40);
    expect(t.simulator.stats().maxInFlight.GetModelInvocationJob).toBe(10);
  });

  it('should share one loader between the batch field and aliases in one operation', async () => {
    const [a, b] = runningJobs(2);
    const { errors } = await t.graphql(`{
      one: modelInvocationJob(jobIdentifier: "${a!.jobArn}") { jobId }
      many: modelInvocationJobsByIdentifier(jobIdentifiers: ["${a!.jobId}", "${b!.jobId}", "${b!.jobArn}"]) { jobId }
    }`);
    expect(errors).toBeUndefined();
    expect(getCalls()).toBe(2);
  });

  it('should leave the other results intact around a NOT_FOUND and a malformed identifier', async () => {
    const [a, b] = runningJobs(2);
    const response = await t.graphql(
      `query($ids: [String!]!) { jobs: modelInvocationJobsByIdentifier(jobIdentifiers: $ids) { jobId } }`,
      { ids: [a!.jobId, 'zzzzzzzzzzzz', b!.jobArn, 'not-an-id'] },
    );
    expect(response.data!.jobs).toEqual([{ jobId: a!.jobId }, null, { jobId: b!.jobId }, null]);
    expect(errorCodesByPath(response)).toEqual({ 'jobs.1': 'NOT_FOUND', 'jobs.3': 'BAD_USER_INPUT' });
    expect(getCalls()).toBe(3);
  });

  it('should reject more than 100 identifiers with BAD_USER_INPUT before any call', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `job${String(i).padStart(9, '0')}`);
    const response = await t.graphql(
      `query($ids: [String!]!) { modelInvocationJobsByIdentifier(jobIdentifiers: $ids) { jobId } }`,
      { ids },
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toContain('at most 100');
    expect(getCalls()).toBe(0);
  });
});

describe('finished-job cache', () => {
  it('should serve a finished job across requests without another upstream call', async () => {
    const [job] = t.simulator.engine.addJobs(1, { status: 'Completed' }, { paused: true });
    const query = `{ modelInvocationJob(jobIdentifier: "${job!.jobId}") { status isTerminal } }`;
    const first = await t.graphql(query);
    const second = await t.graphql(query);
    expect(first.data).toEqual({ modelInvocationJob: { status: 'COMPLETED', isTerminal: true } });
    expect(second.data).toEqual(first.data);
    expect(getCalls()).toBe(1);
  });

  it('should fetch an unfinished job fresh on every request', async () => {
    const [job] = runningJobs(1);
    const query = `{ modelInvocationJob(jobIdentifier: "${job!.jobId}") { status } }`;
    expect((await t.graphql(query)).data).toEqual({ modelInvocationJob: { status: 'IN_PROGRESS' } });
    t.simulator.engine.setStatus(job!.jobId, 'Completed');
    expect((await t.graphql(query)).data).toEqual({ modelInvocationJob: { status: 'COMPLETED' } });
    expect(getCalls()).toBe(2);
  });
});
