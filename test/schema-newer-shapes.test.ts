// What Bedrock may send that this SDK or GraphQL's Int cannot hold, through the real SDK against
// the simulator: a data config variant newer than the SDK (handed over as `$unknown`), and record
// counts past 2^31 and past 2^53.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedJob } from '../src/simulator/simulated-job.ts';
import { errorCodesByPath, startTestGateway, type TestGateway } from './support/test-gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

// The simulator sends a stored config as it is; its types know only S3, as this SDK does.
const newerInput = { futureInputDataConfig: { uri: 'future://input' } } as unknown as SimulatedJob['inputDataConfig'];
const newerOutput = { futureOutputDataConfig: { uri: 'future://output' } } as unknown as SimulatedJob['outputDataConfig'];

const CONFIGS = `
  inputDataConfig { __typename ... on UnknownDataConfig { kind } ... on ModelInvocationJobS3InputDataConfig { s3Uri } }
  outputDataConfig { __typename ... on UnknownDataConfig { kind } ... on ModelInvocationJobS3OutputDataConfig { s3Uri } }`;

describe('a data config variant newer than the SDK', () => {
  it('should be an UnknownDataConfig naming it, the rest of the job served', async () => {
    const job = t.simulator.engine.createJob({ status: 'InProgress', inputDataConfig: newerInput }, { paused: true });
    const response = await t.graphql(
      `query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId status ${CONFIGS} } }`,
      { id: job.jobId },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.modelInvocationJob).toEqual({
      jobId: job.jobId,
      status: 'IN_PROGRESS',
      inputDataConfig: { __typename: 'UnknownDataConfig', kind: 'futureInputDataConfig' },
      outputDataConfig: { __typename: 'ModelInvocationJobS3OutputDataConfig', s3Uri: job.outputDataConfig.s3OutputDataConfig!.s3Uri },
    });
  });

  it('should leave a list holding such jobs whole', async () => {
    const newer = t.simulator.engine.createJob({ jobName: 'shapes-newer-input', inputDataConfig: newerInput }, { paused: true });
    const newerOut = t.simulator.engine.createJob({ jobName: 'shapes-newer-output', outputDataConfig: newerOutput }, { paused: true });
    const s3 = t.simulator.engine.createJob({ jobName: 'shapes-s3' }, { paused: true });
    const response = await t.graphql(
      `{ modelInvocationJobs(filter: { nameContains: "shapes-" }) { nodes { jobId ${CONFIGS} } } }`,
    );
    expect(response.errors).toBeUndefined();
    // Created within a millisecond or so: compared by id, not by list order.
    const byId = Object.fromEntries(response.data!.modelInvocationJobs.nodes.map((node: { jobId: string }) => [node.jobId, node]));
    expect(byId).toEqual({
      [newer.jobId]: {
        jobId: newer.jobId,
        inputDataConfig: { __typename: 'UnknownDataConfig', kind: 'futureInputDataConfig' },
        outputDataConfig: { __typename: 'ModelInvocationJobS3OutputDataConfig', s3Uri: newer.outputDataConfig.s3OutputDataConfig!.s3Uri },
      },
      [newerOut.jobId]: {
        jobId: newerOut.jobId,
        inputDataConfig: { __typename: 'ModelInvocationJobS3InputDataConfig', s3Uri: newerOut.inputDataConfig.s3InputDataConfig!.s3Uri },
        outputDataConfig: { __typename: 'UnknownDataConfig', kind: 'futureOutputDataConfig' },
      },
      [s3.jobId]: {
        jobId: s3.jobId,
        inputDataConfig: { __typename: 'ModelInvocationJobS3InputDataConfig', s3Uri: s3.inputDataConfig.s3InputDataConfig!.s3Uri },
        outputDataConfig: { __typename: 'ModelInvocationJobS3OutputDataConfig', s3Uri: s3.outputDataConfig.s3OutputDataConfig!.s3Uri },
      },
    });
  });
});

describe('record counts (Longs)', () => {
  const COUNTS = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) {
    jobId status progress totalRecordCount processedRecordCount successRecordCount errorRecordCount } }`;

  it('should serve counts past 2^31 exactly', async () => {
    const job = t.simulator.engine.createJob({ status: 'Completed', totalRecordCount: 5_000_000_000 }, { paused: true });
    const response = await t.graphql(COUNTS, { id: job.jobId });
    expect(response.errors).toBeUndefined();
    expect(response.data!.modelInvocationJob).toEqual({
      jobId: job.jobId,
      status: 'COMPLETED',
      progress: 1,
      totalRecordCount: 5_000_000_000,
      processedRecordCount: 5_000_000_000,
      successRecordCount: 5_000_000_000,
      errorRecordCount: 0,
    });
  });

  it('should null only a count past 2^53, with an error for that field, and serve the rest of the job', async () => {
    const job = t.simulator.engine.createJob(
      {
        status: 'InProgress',
        totalRecordCount: 2 ** 53 + 2, // exact in JSON and in a double, but not a safe integer
        processedRecordCount: 4_000_000_000,
        successRecordCount: 3_999_999_000,
        errorRecordCount: 1_000,
      },
      { paused: true },
    );
    const response = await t.graphql(COUNTS, { id: job.jobId });
    expect(response.data!.modelInvocationJob).toEqual({
      jobId: job.jobId,
      status: 'IN_PROGRESS',
      progress: 4_000_000_000 / (2 ** 53 + 2),
      totalRecordCount: null,
      processedRecordCount: 4_000_000_000,
      successRecordCount: 3_999_999_000,
      errorRecordCount: 1_000,
    });
    // Yoga's executor masks what a scalar's serialize throws: an unexpected error, on that field alone.
    expect(errorCodesByPath(response)).toEqual({ 'modelInvocationJob.totalRecordCount': 'INTERNAL_SERVER_ERROR' });
  });
});
