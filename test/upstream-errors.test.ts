// Upstream failures become clear GraphQL errors; a hung upstream cannot hang a request; a
// transient failure is not remembered by the request's loader.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createBedrockClient } from '../src/bedrock/client.ts';
import { createJobsApi } from '../src/bedrock/jobs.ts';
import { createJobLoader } from '../src/bedrock/loader.ts';
import { createInProcessJobCache } from '../src/bedrock/job-cache.ts';
import { createTerminalJobCache } from '../src/bedrock/terminal-job-cache.ts';
import { loadConfig } from '../src/config.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION } from '../src/simulator/index.ts';
import { errorCodesByPath, startTestGateway, type TestGateway } from './support/test-gateway.ts';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ UPSTREAM_MAX_ATTEMPTS: '2', UPSTREAM_TIMEOUT_MS: '300', UPSTREAM_DEADLINE_MS: '1500' });
});
afterAll(() => t.close());
afterEach(() => t.simulator.faults.reset());

const lookup = async (jobId: string) => t.graphql(`{ job: modelInvocationJob(jobIdentifier: "${jobId}") { jobId } }`);
const unfinishedJob = () => t.simulator.engine.addJobs(1, { status: 'Scheduled' }, { paused: true })[0]!;

describe('upstream error mapping', () => {
  it('should answer THROTTLED when Bedrock throttles through every retry', async () => {
    t.simulator.faults.throttleRate = 1;
    const response = await lookup(unfinishedJob().jobId);
    expect(response.data).toEqual({ job: null });
    expect(errorCodesByPath(response)).toEqual({ job: 'THROTTLED' });
  });

  it('should answer UPSTREAM_UNAVAILABLE when Bedrock fails with 5xx', async () => {
    t.simulator.faults.failureRate = 1;
    expect(errorCodesByPath(await lookup(unfinishedJob().jobId))).toEqual({ job: 'UPSTREAM_UNAVAILABLE' });
  });

  it('should answer FORBIDDEN when Bedrock denies access', async () => {
    t.simulator.faults.failNext(2, 'accessDenied');
    expect(errorCodesByPath(await lookup(unfinishedJob().jobId))).toEqual({ job: 'FORBIDDEN' });
  });

  it('should answer UPSTREAM_UNAVAILABLE when Bedrock accepts the connection and never replies', async () => {
    t.simulator.faults.hang = true;
    const response = await lookup(unfinishedJob().jobId);
    expect(errorCodesByPath(response)).toEqual({ job: 'UPSTREAM_UNAVAILABLE' });
    expect(response.errors?.[0]?.message).toMatch(/in time/);
  });

  it('should recover on the next request once a failed retry succeeds', async () => {
    const job = unfinishedJob();
    t.simulator.faults.failNext(1, 'internal');
    expect(errorCodesByPath(await lookup(job.jobId))).toEqual({});
  });

  it('should answer UPSTREAM_UNAVAILABLE when nothing listens upstream', async () => {
    const config = loadConfig({ UPSTREAM_MAX_ATTEMPTS: '1' });
    const client = createBedrockClient(config.upstream, {
      endpoint: 'http://127.0.0.1:9', // discard port: nothing listens there
      region: SIMULATOR_REGION,
      credentials: SIMULATOR_CREDENTIALS,
    });
    const jobs = createJobsApi({ client, cache: createInProcessJobCache(createTerminalJobCache(10)), deadlineMs: 2000, logger: pino({ level: 'silent' }) });
    await expect(jobs.getJob('abcdefghijkl')).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    client.destroy();
  });
});

describe('per-request loader', () => {
  it('should not cache a transient failure, so a second load in the same request succeeds', async () => {
    const config = loadConfig({ UPSTREAM_MAX_ATTEMPTS: '1' });
    const client = createBedrockClient(config.upstream, {
      endpoint: t.simulator.url,
      region: SIMULATOR_REGION,
      credentials: SIMULATOR_CREDENTIALS,
    });
    const jobs = createJobsApi({ client, cache: createInProcessJobCache(createTerminalJobCache(10)), deadlineMs: 2000, logger: pino({ level: 'silent' }) });
    const loader = createJobLoader(jobs, { concurrency: 10 });
    const job = unfinishedJob();
    t.simulator.resetStats();
    t.simulator.faults.failNext(1, 'internal');
    await expect(loader.load(job.jobId)).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    await expect(loader.load(job.jobArn)).resolves.toMatchObject({ jobArn: job.jobArn });
    // …while a success is remembered for the rest of the request.
    await expect(loader.load(job.jobId)).resolves.toMatchObject({ jobArn: job.jobArn });
    expect(t.simulator.stats().calls.GetModelInvocationJob).toBe(2);
    client.destroy();
  });
});

describe('readiness', () => {
  it('should stay ready while Bedrock fails, and report it unavailable and the instance degraded', async () => {
    t.simulator.faults.failureRate = 1;
    const failed = await t.graphql(`{ modelInvocationJob(jobIdentifier: "zzzzzzzzzzzz") { status } }`);
    expect(errorCodesByPath(failed)).toEqual({ modelInvocationJob: 'UPSTREAM_UNAVAILABLE' });
    const response = await fetch(`${t.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ready: true, upstream: 'unavailable', degraded: true, checks: { upstream: { ok: false } } });
  });
});
