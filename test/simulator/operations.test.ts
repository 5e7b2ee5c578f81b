// The four operations through the real @aws-sdk/client-bedrock over loopback.
import {
  CreateModelInvocationJobCommand,
  GetModelInvocationJobCommand,
  ListModelInvocationJobsCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  StopModelInvocationJobCommand,
  ValidationException,
  type BedrockClient,
  type CreateModelInvocationJobCommandInput,
  type ListModelInvocationJobsCommandInput,
} from '@aws-sdk/client-bedrock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { clientFor, errorOf, useSimulator } from './harness.ts';

const createInput = (overrides: Partial<CreateModelInvocationJobCommandInput> = {}): CreateModelInvocationJobCommandInput => ({
  jobName: 'nightly-summaries',
  roleArn: 'arn:aws:iam::123456789012:role/BatchRole',
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  inputDataConfig: { s3InputDataConfig: { s3InputFormat: 'JSONL', s3Uri: 's3://my-bucket/in/records.jsonl' } },
  outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://my-bucket/out/' } },
  ...overrides,
});

let sim: Simulator;
let client: BedrockClient;
beforeAll(async () => {
  sim = await useSimulator();
  // The clock stays off here: tests move jobs explicitly so that assertions are exact.
  sim.engine.pause();
  client = clientFor(sim);
});

describe('GetModelInvocationJob', () => {
  it('should return a job by ARN and by bare id with every set member', async () => {
    const job = sim.engine.createJob({
      status: 'InProgress',
      totalRecordCount: 400,
      vpcConfig: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] },
      clientRequestToken: 'token-get-1',
    });
    const byArn = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: job.jobArn }));
    const byId = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: job.jobId }));
    const { $metadata, ...members } = byArn;
    expect($metadata.httpStatusCode).toBe(200);
    expect(byId.jobArn).toBe(job.jobArn);
    expect(members).toEqual({
      jobArn: job.jobArn,
      jobName: job.jobName,
      modelId: job.modelId,
      clientRequestToken: 'token-get-1',
      roleArn: job.roleArn,
      status: 'InProgress',
      submitTime: job.submitTime,
      lastModifiedTime: job.lastModifiedTime,
      inputDataConfig: job.inputDataConfig,
      outputDataConfig: job.outputDataConfig,
      vpcConfig: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] },
      timeoutDurationInHours: 168,
      jobExpirationTime: job.jobExpirationTime,
      modelInvocationType: 'InvokeModel',
      totalRecordCount: 400,
      processedRecordCount: job.processedRecordCount,
      successRecordCount: job.successRecordCount,
      errorRecordCount: job.errorRecordCount,
    });
    // Dates survive the wire as Dates (ISO-8601 strings in the JSON).
    expect(byArn.submitTime).toBeInstanceOf(Date);
  });

  it('should include message and endTime once a job has finished', async () => {
    const job = sim.engine.createJob({ status: 'Failed', message: 'Input file not found.' });
    const got = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: job.jobId }));
    expect(got.status).toBe('Failed');
    expect(got.message).toBe('Input file not found.');
    expect(got.endTime).toEqual(job.endTime);
  });

  it('should answer ResourceNotFoundException for an unknown job', async () => {
    const error = await errorOf(client.send(new GetModelInvocationJobCommand({ jobIdentifier: 'zzzzzzzzzzzz' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata.httpStatusCode).toBe(404);
    const otherAccount = 'arn:aws:bedrock:us-east-1:000000000000:model-invocation-job/zzzzzzzzzzzz';
    expect(await errorOf(client.send(new GetModelInvocationJobCommand({ jobIdentifier: otherAccount })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('should answer ValidationException for a malformed identifier', async () => {
    for (const jobIdentifier of ['short', 'UPPERCASE123', 'arn:aws:bedrock:us-east-1:123:model-invocation-job/abcdefabcdef', 'has space123']) {
      const error = await errorOf(client.send(new GetModelInvocationJobCommand({ jobIdentifier })));
      expect(error, jobIdentifier).toBeInstanceOf(ValidationException);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toMatch(/at 'jobIdentifier' failed to satisfy constraint/);
    }
  });
});

describe('ListModelInvocationJobs', () => {
  let listSim: Simulator;
  let listClient: BedrockClient;
  const base = Date.parse('2024-05-01T00:00:00.000Z');
  const at = (seconds: number) => new Date(base + seconds * 1000);

  beforeAll(async () => {
    listSim = await useSimulator();
    listSim.engine.pause();
    listClient = clientFor(listSim);
    const e = listSim.engine;
    e.createJob({ jobName: 'alpha-nightly', status: 'Completed', submitTime: at(0) });
    e.createJob({ jobName: 'beta-nightly', status: 'Failed', submitTime: at(10) });
    e.createJob({ jobName: 'gamma-weekly', status: 'InProgress', submitTime: at(20) });
    e.createJob({ jobName: 'delta-weekly', status: 'Completed', submitTime: at(30) });
    e.createJob({ jobName: 'Epsilon-Nightly', status: 'Submitted', submitTime: at(40) });
  });

  const names = async (input: ListModelInvocationJobsCommandInput = {}) => {
    const out = await listClient.send(new ListModelInvocationJobsCommand(input));
    return (out.invocationJobSummaries ?? []).map((job) => job.jobName);
  };

  it('should list newest first by default, and oldest first when Ascending', async () => {
    expect(await names()).toEqual(['Epsilon-Nightly', 'delta-weekly', 'gamma-weekly', 'beta-nightly', 'alpha-nightly']);
    expect(await names({ sortBy: 'CreationTime', sortOrder: 'Descending' })).toEqual(await names());
    expect(await names({ sortBy: 'CreationTime', sortOrder: 'Ascending' })).toEqual([
      'alpha-nightly',
      'beta-nightly',
      'gamma-weekly',
      'delta-weekly',
      'Epsilon-Nightly',
    ]);
  });

  it('should filter by exact status', async () => {
    expect(await names({ statusEquals: 'Completed' })).toEqual(['delta-weekly', 'alpha-nightly']);
    expect(await names({ statusEquals: 'InProgress' })).toEqual(['gamma-weekly']);
    expect(await names({ statusEquals: 'Stopped' })).toEqual([]);
  });

  it('should filter by a case-sensitive name substring', async () => {
    expect(await names({ nameContains: 'nightly' })).toEqual(['beta-nightly', 'alpha-nightly']);
    expect(await names({ nameContains: 'Nightly' })).toEqual(['Epsilon-Nightly']);
  });

  it('should filter by submit time, both bounds exclusive', async () => {
    expect(await names({ submitTimeAfter: at(10), sortOrder: 'Ascending' })).toEqual(['gamma-weekly', 'delta-weekly', 'Epsilon-Nightly']);
    expect(await names({ submitTimeBefore: at(30), sortOrder: 'Ascending' })).toEqual(['alpha-nightly', 'beta-nightly', 'gamma-weekly']);
    expect(await names({ submitTimeAfter: at(5), submitTimeBefore: at(35) })).toEqual(['delta-weekly', 'gamma-weekly', 'beta-nightly']);
    // Millisecond precision reaches the server.
    expect(await names({ submitTimeAfter: new Date(at(40).getTime() - 1) })).toEqual(['Epsilon-Nightly']);
  });

  it('should combine filters', async () => {
    expect(await names({ statusEquals: 'Completed', nameContains: 'weekly', submitTimeAfter: at(0) })).toEqual(['delta-weekly']);
  });

  it('should return summaries with the same members as GetModelInvocationJob', async () => {
    const out = await listClient.send(new ListModelInvocationJobsCommand({ nameContains: 'alpha' }));
    const summary = out.invocationJobSummaries?.[0];
    const { $metadata, ...full } = await listClient.send(new GetModelInvocationJobCommand({ jobIdentifier: summary!.jobArn }));
    expect($metadata.httpStatusCode).toBe(200);
    expect(summary).toEqual(full);
  });

  it('should reject maxResults outside 1..1000 and unknown sort or status values', async () => {
    for (const input of [
      { maxResults: 0 },
      { maxResults: 1001 },
      { sortOrder: 'Sideways' as never },
      { sortBy: 'Name' as never },
      { statusEquals: 'Running' as never },
      { nextToken: 'bogus' },
    ]) {
      const error = await errorOf(listClient.send(new ListModelInvocationJobsCommand(input)));
      expect(error, JSON.stringify(input)).toBeInstanceOf(ValidationException);
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
  });
});

describe('ListModelInvocationJobs pagination', () => {
  let pageSim: Simulator;
  let pageClient: BedrockClient;

  beforeEach(async () => {
    pageSim = await useSimulator();
    pageSim.engine.pause();
    pageClient = clientFor(pageSim);
    pageSim.engine.addJobs(2500);
  });

  const listAll = async (input: ListModelInvocationJobsCommandInput, between?: () => void) => {
    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const out = await pageClient.send(new ListModelInvocationJobsCommand({ ...input, maxResults: 1000, nextToken }));
      pages.push((out.invocationJobSummaries ?? []).map((job) => job.jobArn!));
      nextToken = out.nextToken;
      between?.();
    } while (nextToken);
    return pages;
  };

  it('should return 2,500 jobs in three pages, each exactly once, in either order', async () => {
    for (const sortOrder of ['Descending', 'Ascending'] as const) {
      const pages = await listAll({ sortOrder });
      expect(pages.map((page) => page.length)).toEqual([1000, 1000, 500]);
      expect(new Set(pages.flat()).size).toBe(2500);
    }
  });

  it('should shift its tokens when jobs are created between pages, as Bedrock may', async () => {
    const created: string[] = [];
    const descending = (await listAll({}, () => created.push(pageSim.engine.createJob().jobArn))).flat();
    // Newest first, each job created on top pushes the rest down: the next page repeats one.
    expect(descending).toHaveLength(2502);
    expect(new Set(descending).size).toBe(2500);
    expect(descending.some((arn) => created.includes(arn))).toBe(false);

    const ascending = (await listAll({ sortOrder: 'Ascending' }, () => created.push(pageSim.engine.createJob().jobArn))).flat();
    expect(new Set(ascending).size).toBe(ascending.length);
    expect(ascending.filter((arn) => !created.includes(arn))).toHaveLength(2500);
    // Oldest first reaches the jobs created while paging, at the end.
    expect(ascending.slice(-3).every((arn) => created.includes(arn))).toBe(true);
  });
});

describe('CreateModelInvocationJob', () => {
  it('should create a Submitted job carrying every given member', async () => {
    const { jobArn } = await client.send(
      new CreateModelInvocationJobCommand(
        createInput({
          jobName: 'full-members.v2',
          clientRequestToken: 'create-full-1',
          vpcConfig: { subnetIds: ['subnet-a', 'subnet-b'], securityGroupIds: ['sg-a'] },
          timeoutDurationInHours: 48,
          modelInvocationType: 'Converse',
          tags: [{ key: 'team', value: 'search' }],
        }),
      ),
    );
    expect(jobArn).toMatch(/^arn:aws:bedrock:us-east-1:123456789012:model-invocation-job\/[a-z0-9]{12}$/);
    const job = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn }));
    expect(job).toMatchObject({
      jobName: 'full-members.v2',
      status: 'Submitted',
      clientRequestToken: 'create-full-1',
      roleArn: 'arn:aws:iam::123456789012:role/BatchRole',
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      inputDataConfig: { s3InputDataConfig: { s3InputFormat: 'JSONL', s3Uri: 's3://my-bucket/in/records.jsonl' } },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://my-bucket/out/' } },
      vpcConfig: { subnetIds: ['subnet-a', 'subnet-b'], securityGroupIds: ['sg-a'] },
      timeoutDurationInHours: 48,
      modelInvocationType: 'Converse',
    });
    expect(job.jobExpirationTime!.getTime() - job.submitTime!.getTime()).toBe(48 * 3_600_000);
    expect(sim.engine.get(jobArn!)!.tags).toEqual([{ key: 'team', value: 'search' }]);
  });

  it('should return the same job for the same clientRequestToken', async () => {
    const size = sim.engine.size;
    const first = await client.send(new CreateModelInvocationJobCommand(createInput({ clientRequestToken: 'idempotent-1' })));
    const second = await client.send(new CreateModelInvocationJobCommand(createInput({ clientRequestToken: 'idempotent-1' })));
    expect(second.jobArn).toBe(first.jobArn);
    expect(sim.engine.size).toBe(size + 1);
    // The SDK fills in a fresh token when none is given, so such calls make distinct jobs.
    const a = await client.send(new CreateModelInvocationJobCommand(createInput()));
    const b = await client.send(new CreateModelInvocationJobCommand(createInput()));
    expect(a.jobArn).not.toBe(b.jobArn);
  });

  it('should answer ValidationException for invalid members, naming them', async () => {
    const cases: [Partial<CreateModelInvocationJobCommandInput>, RegExp][] = [
      [{ jobName: '-starts-with-dash' }, /at 'jobName'.*regular expression pattern/],
      [{ jobName: 'x'.repeat(64) }, /at 'jobName'.*length between 1 and 63/],
      [{ jobName: `a${'-'.repeat(40)}!` }, /at 'jobName'/],
      [{ roleArn: undefined }, /Value null at 'roleArn' failed to satisfy constraint: Member must not be null/],
      [{ roleArn: 'not-an-arn' }, /at 'roleArn'/],
      [{ modelId: undefined }, /at 'modelId'/],
      [{ inputDataConfig: undefined }, /at 'inputDataConfig'/],
      [{ inputDataConfig: { s3InputDataConfig: { s3Uri: 'http://nope' } } }, /inputDataConfig\.s3InputDataConfig\.s3Uri/],
      [{ outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://UPPER/out' } } }, /outputDataConfig\.s3OutputDataConfig\.s3Uri/],
      [{ timeoutDurationInHours: 12 }, /at 'timeoutDurationInHours'.*greater than or equal to 24/],
      [{ modelInvocationType: 'Batch' as never }, /at 'modelInvocationType'/],
    ];
    for (const [overrides, message] of cases) {
      const error = await errorOf(client.send(new CreateModelInvocationJobCommand(createInput(overrides))));
      expect(error, JSON.stringify(overrides)).toBeInstanceOf(ValidationException);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toMatch(message);
    }
    const two = await errorOf(client.send(new CreateModelInvocationJobCommand(createInput({ jobName: '', roleArn: undefined }))));
    expect(two.message).toMatch(/^2 validation errors detected: /);
  });

  it('should answer ServiceQuotaExceededException beyond maxJobs unfinished jobs', async () => {
    const quotaSim = await useSimulator({ maxJobs: 2 });
    quotaSim.engine.pause();
    const quotaClient = clientFor(quotaSim);
    await quotaClient.send(new CreateModelInvocationJobCommand(createInput()));
    const second = await quotaClient.send(new CreateModelInvocationJobCommand(createInput({ clientRequestToken: 'quota-2' })));
    const error = await errorOf(quotaClient.send(new CreateModelInvocationJobCommand(createInput())));
    expect(error).toBeInstanceOf(ServiceQuotaExceededException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    // A retry of an accepted request is still answered, and a finished job frees its slot.
    await quotaClient.send(new CreateModelInvocationJobCommand(createInput({ clientRequestToken: 'quota-2' })));
    quotaSim.engine.setStatus(second.jobArn!, 'Completed');
    await quotaClient.send(new CreateModelInvocationJobCommand(createInput()));
  });
});

describe('StopModelInvocationJob', () => {
  it('should move a running job to Stopping, then Stopped', async () => {
    const job = sim.engine.createJob({ status: 'InProgress' });
    const out = await client.send(new StopModelInvocationJobCommand({ jobIdentifier: job.jobArn }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    const stopping = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: job.jobId }));
    expect(stopping.status).toBe('Stopping');
    expect(stopping.endTime).toBeUndefined();
    sim.engine.advance(job.jobId);
    const stopped = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: job.jobId }));
    expect(stopped.status).toBe('Stopped');
    expect(stopped.endTime).toBeInstanceOf(Date);
  });

  it('should stop by bare id', async () => {
    const job = sim.engine.createJob();
    await client.send(new StopModelInvocationJobCommand({ jobIdentifier: job.jobId }));
    expect(sim.engine.get(job.jobId)!.status).toBe('Stopping');
  });

  it('should answer ValidationException ("State was: …") for a finished job', async () => {
    const job = sim.engine.createJob({ status: 'Completed' });
    const error = await errorOf(client.send(new StopModelInvocationJobCommand({ jobIdentifier: job.jobArn })));
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(/State was: Completed/);
    expect(sim.engine.get(job.jobId)!.status).toBe('Completed');
  });

  it('should answer ResourceNotFoundException for an unknown job', async () => {
    const error = await errorOf(client.send(new StopModelInvocationJobCommand({ jobIdentifier: 'nosuchjob123' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });
});
