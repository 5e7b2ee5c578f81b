// The response cache must never serve one caller's answer to another, nor an answer that could
// have changed. The finished-job cache is off here, so every answer not served from the response
// cache costs an upstream call, and upstream calls tell hits from misses.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCodesByPath, startTestGateway, type GraphQLResponse, type TestGateway } from './support/test-gateway.ts';
import { subscribeSse } from './support/subscriptions.ts';

const JOB = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId status message } }`;
const JOBS = `query($ids: [String!]!) { modelInvocationJobsByIdentifier(jobIdentifiers: $ids) { jobId status } }`;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ TERMINAL_JOB_CACHE_SIZE: '0', POLL_INTERVAL_MS: '600000' });
});
afterAll(() => t.close());
afterEach(() => t.simulator.resetStats());

const getCalls = () => t.simulator.stats().calls.GetModelInvocationJob;
const finishedJob = () => t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
const runningJob = () => t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });

async function query(
  document: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query: document, variables }),
  });
  return (await response.json()) as GraphQLResponse;
}

/** Upstream GetModelInvocationJob calls one request made. */
async function callsOf(request: () => Promise<unknown>): Promise<number> {
  const before = getCalls();
  await request();
  return getCalls() - before;
}

describe('finished jobs', () => {
  it('should answer a repeated query for a finished job without an upstream call', async () => {
    const job = finishedJob();
    const first = await query(JOB, { id: job.jobId });
    expect(await callsOf(async () => expect(await query(JOB, { id: job.jobId })).toEqual(first))).toBe(0);
    expect(first.data!.modelInvocationJob).toMatchObject({ jobId: job.jobId, status: 'COMPLETED' });
  });

  it('should never share an entry between two credentials', async () => {
    const job = finishedJob();
    const alice = { authorization: 'Bearer alice' };
    const bob = { authorization: 'Bearer bob' };
    expect((await query(JOB, { id: job.jobId }, alice)).data!.modelInvocationJob.message).toBeNull();
    // A marker no real finished job would get: it shows which answer each caller is served.
    t.simulator.engine.setStatus(job.jobId, 'Completed', { message: 'changed after alice asked' });

    let bobs: GraphQLResponse | undefined;
    expect(await callsOf(async () => (bobs = await query(JOB, { id: job.jobId }, bob)))).toBe(1);
    expect(bobs!.data!.modelInvocationJob.message).toBe('changed after alice asked');
    let alices: GraphQLResponse | undefined;
    expect(await callsOf(async () => (alices = await query(JOB, { id: job.jobId }, alice)))).toBe(0);
    expect(alices!.data!.modelInvocationJob.message).toBeNull();
  });

  it('should key by every credential header, and keep anonymous callers apart from all of them', async () => {
    const job = finishedJob();
    const callers: Array<Record<string, string>> = [{}, { authorization: 'k' }, { 'x-api-key': 'k' }, { authorization: 'k', 'x-api-key': 'k' }];
    for (const headers of callers) expect(await callsOf(() => query(JOB, { id: job.jobId }, headers))).toBe(1);
    for (const headers of callers) expect(await callsOf(() => query(JOB, { id: job.jobId }, headers))).toBe(0);
  });
});

describe('answers that may change', () => {
  it('should always answer an unfinished job fresh', async () => {
    const job = runningJob();
    expect(await callsOf(() => query(JOB, { id: job.jobId }))).toBe(1);
    t.simulator.engine.setStatus(job.jobId, 'Completed');
    let second: GraphQLResponse | undefined;
    expect(await callsOf(async () => (second = await query(JOB, { id: job.jobId })))).toBe(1);
    expect(second!.data!.modelInvocationJob.status).toBe('COMPLETED');
  });

  it('should not cache an answer mixing a finished and an unfinished job', async () => {
    const ids = [finishedJob().jobId, runningJob().jobId];
    expect(await callsOf(() => query(JOBS, { ids }))).toBe(2);
    expect(await callsOf(() => query(JOBS, { ids }))).toBe(2);
  });

  it('should not cache a NOT_FOUND, alone or beside a finished job', async () => {
    const ids = [finishedJob().jobId, 'zzzzzzzzzzzz'];
    for (let i = 0; i < 2; i++) {
      let response: GraphQLResponse | undefined;
      expect(await callsOf(async () => (response = await query(JOBS, { ids })))).toBe(2);
      expect(errorCodesByPath(response!)).toEqual({ 'modelInvocationJobsByIdentifier.1': 'NOT_FOUND' });
      expect(await callsOf(async () => (response = await query(JOB, { id: 'zzzzzzzzzzzz' })))).toBe(1);
      expect(response!.data).toEqual({ modelInvocationJob: null });
    }
  });

  it('should not cache a list, even beside a finished job', async () => {
    const job = finishedJob();
    const page = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId } modelInvocationJobs(first: 1) { nodes { jobId } } }`;
    expect((await query(page, { id: job.jobId })).data!.modelInvocationJobs.nodes).toEqual([{ jobId: job.jobId }]);
    const newer = finishedJob();
    expect((await query(page, { id: job.jobId })).data!.modelInvocationJobs.nodes).toEqual([{ jobId: newer.jobId }]);
  });

  it('should run a repeated mutation every time', async () => {
    const job = runningJob();
    const stop = `mutation($id: String!) { stopModelInvocationJob(jobIdentifier: $id) { jobId status } }`;
    const first = await query(stop, { id: job.jobId });
    expect(first.data!.stopModelInvocationJob.status).toBe('STOPPING');
    t.simulator.engine.setStatus(job.jobId, 'Completed');
    expect(errorCodesByPath(await query(stop, { id: job.jobId }))).toEqual({ stopModelInvocationJob: 'CONFLICT' });
  });

  it('should stream a finished job to every subscriber, however often it is asked', async () => {
    const job = finishedJob();
    const subscription = `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status previousStatus } }`;
    for (let i = 0; i < 2; i++) {
      const events = subscribeSse(t.url, subscription, { id: job.jobId });
      await events.done;
      expect(events.events.map((event) => event.data!.modelInvocationJobStatusChanged)).toEqual([
        { status: 'COMPLETED', previousStatus: null },
      ]);
    }
  });
});
