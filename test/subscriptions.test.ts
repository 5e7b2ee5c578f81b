// Live job status over graphql-ws and SSE, on a real port, fed by one shared poller that reads
// the simulator through the real SDK.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';
import { nextRound as nextPollerRound } from './support/poller-rounds.ts';
import { sample } from './support/metrics.ts';
import { createWsClient, subscribeSse, subscribeWs } from './support/subscriptions.ts';

const STATUS_CHANGED = `subscription($id: String!) {
  modelInvocationJobStatusChanged(jobIdentifier: $id) { status previousStatus observedAt job { jobId status } }
}`;
const UPDATED = `subscription($id: String!) {
  modelInvocationJobUpdated(jobIdentifier: $id) { status processedRecordCount }
}`;

let t: TestGateway;
const clients: Client[] = [];
beforeAll(async () => {
  // 50 clients subscribe from one address at once: more than the default per-caller rate limit
  // and stream cap.
  t = await startTestGateway({ POLL_INTERVAL_MS: '25', POLL_MAX_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_PER_SECOND: '1000', UPSTREAM_MAX_ATTEMPTS: '1', RATE_LIMIT_RPS: '0', MAX_STREAMS_PER_CREDENTIAL: '0' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  t.simulator.faults.reset();
});
afterAll(() => t.close());

const wsClient = () => {
  const client = createWsClient(t.url);
  clients.push(client);
  return client;
};
const pausedJob = (status: 'Submitted' | 'InProgress' = 'Submitted') =>
  t.simulator.engine.createJob({ status }, { paused: true, outcome: 'Completed', totalRecordCount: 100 });
const nextRound = () => nextPollerRound(t.gateway.poller);

describe('modelInvocationJobStatusChanged over graphql-ws', () => {
  it('should send the current state, every status change in order, then complete', async () => {
    const job = pausedJob();
    const sub = subscribeWs(wsClient(), STATUS_CHANGED, { id: job.jobArn });
    const first = (await sub.next()).data!.modelInvocationJobStatusChanged;
    expect(first).toMatchObject({ status: 'SUBMITTED', previousStatus: null, job: { jobId: job.jobId } });
    expect(first.observedAt).toMatch(/Z$/);

    const seen = ['SUBMITTED'];
    let status = job.status;
    while (!['Completed', 'PartiallyCompleted', 'Failed'].includes(status)) {
      const advanced = t.simulator.engine.advance(job.jobId);
      if (advanced.status === status) continue; // a record-count step: no status event
      status = advanced.status;
      const event = (await sub.next()).data!.modelInvocationJobStatusChanged;
      expect(event.previousStatus).toBe(seen.at(-1));
      seen.push(event.status);
    }
    await sub.done;
    expect(seen).toEqual(['SUBMITTED', 'VALIDATING', 'SCHEDULED', 'IN_PROGRESS', 'COMPLETED']);
  });

  it('should complete at once for a finished job', async () => {
    const job = t.simulator.engine.createJob({ status: 'Failed', message: 'bad input' }, { paused: true });
    const sub = subscribeWs(wsClient(), STATUS_CHANGED, { id: job.jobId });
    await sub.done;
    expect(sub.events.map((e) => e.data!.modelInvocationJobStatusChanged.status)).toEqual(['FAILED']);
  });

  it('should end with NOT_FOUND for an unknown job and BAD_USER_INPUT for a malformed one, watching nothing', async () => {
    const client = wsClient();
    const unknown = subscribeWs(client, STATUS_CHANGED, { id: 'zzzzzzzzzzzz' });
    const malformed = subscribeWs(client, STATUS_CHANGED, { id: 'nope' });
    await Promise.all([unknown.done, malformed.done]);
    expect(unknown.events.map((e) => e.errors?.[0]?.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(malformed.events.map((e) => e.errors?.[0]?.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(t.gateway.poller.stats().watched).toBe(0);
  });

  it('should cost one upstream refresh per interval for 50 clients on one job, and reach all of them', async () => {
    const job = pausedJob('InProgress');
    const subs = Array.from({ length: 50 }, () => subscribeWs(wsClient(), STATUS_CHANGED, { id: job.jobId }));
    await Promise.all(subs.map((sub) => sub.next()));
    expect(t.gateway.poller.stats().watched).toBe(1);

    await nextRound(); // align with the poller's rhythm
    t.simulator.resetStats();
    for (let round = 0; round < 5; round++) await nextRound();
    expect(t.simulator.stats().calls.GetModelInvocationJob).toBe(5);

    t.simulator.engine.setStatus(job.jobId, 'Completed');
    const finals = await Promise.all(subs.map((sub) => sub.next()));
    expect(new Set(finals.map((e) => e.data!.modelInvocationJobStatusChanged.status))).toEqual(new Set(['COMPLETED']));
    await Promise.all(subs.map((sub) => sub.done));
  });

  it('should give clients that start on the same state of a job one shared first event', async () => {
    const job = pausedJob('InProgress');
    const subs = Array.from({ length: 20 }, () => subscribeWs(wsClient(), STATUS_CHANGED, { id: job.jobId }));
    const firsts = (await Promise.all(subs.map((sub) => sub.next()))).map((e) => e.data!.modelInvocationJobStatusChanged);
    expect(new Set(firsts.map((first) => JSON.stringify(first))).size).toBe(1);
    expect(firsts[0]).toMatchObject({ status: 'IN_PROGRESS', previousStatus: null, job: { jobId: job.jobId } });
    subs.forEach((sub) => sub.unsubscribe());
  });

  it('should deliver the terminal status to every subscriber while Bedrock throttles and fails calls', async () => {
    const job = pausedJob('InProgress');
    const subs = Array.from({ length: 10 }, () => subscribeWs(wsClient(), STATUS_CHANGED, { id: job.jobId }));
    await Promise.all(subs.map((sub) => sub.next()));
    t.simulator.faults.throttleRate = 0.4;
    t.simulator.faults.failureRate = 0.3;
    t.simulator.engine.setStatus(job.jobId, 'Stopping');
    t.simulator.engine.setStatus(job.jobId, 'Stopped');
    await Promise.all(subs.map((sub) => sub.done));
    for (const sub of subs) {
      expect(sub.events.at(-1)!.data!.modelInvocationJobStatusChanged.status).toBe('STOPPED');
    }
  });

  it('should never overlap refreshes of a job, even when Bedrock answers slower than the interval', async () => {
    const job = pausedJob('InProgress');
    const sub = subscribeWs(wsClient(), STATUS_CHANGED, { id: job.jobId });
    await sub.next();
    t.simulator.faults.latencyMs = 120; // almost five intervals of 25 ms
    t.simulator.resetStats();
    await nextRound();
    await nextRound();
    expect(t.simulator.stats().maxInFlight.GetModelInvocationJob).toBe(1);
    sub.unsubscribe();
  });

  it('should release every watch and timer when clients unsubscribe or disconnect', async () => {
    const jobs = [pausedJob(), pausedJob(), pausedJob()];
    const client = wsClient();
    const subs = jobs.map((job) => subscribeWs(client, STATUS_CHANGED, { id: job.jobId }));
    const other = subscribeWs(wsClient(), UPDATED, { id: jobs[0]!.jobId });
    await Promise.all([...subs, other].map((sub) => sub.next()));
    expect(t.gateway.poller.stats()).toMatchObject({ watched: 3, idle: false });

    subs[0]!.unsubscribe();
    await expect.poll(() => t.gateway.poller.stats().watched).toBe(3); // jobs[0] still watched by `other`
    await client.dispose(); // abrupt for subs[1], subs[2]
    await expect.poll(() => t.gateway.poller.stats().watched).toBe(1);
    other.unsubscribe();
    await expect.poll(() => t.gateway.poller.stats()).toMatchObject({ watched: 0, idle: true });
    expect(t.gateway.feed.size).toBe(0);
  });
});

describe('modelInvocationJobUpdated', () => {
  it('should emit whenever record counts change, not only the status', async () => {
    const job = pausedJob('InProgress');
    const sub = subscribeWs(wsClient(), UPDATED, { id: job.jobId });
    const first = (await sub.next()).data!.modelInvocationJobUpdated;
    expect(first).toEqual({ status: 'IN_PROGRESS', processedRecordCount: job.processedRecordCount ?? null });
    const advanced = t.simulator.engine.advance(job.jobId);
    expect(advanced.status).toBe('InProgress');
    const event = (await sub.next()).data!.modelInvocationJobUpdated;
    expect(event).toEqual({ status: 'IN_PROGRESS', processedRecordCount: advanced.processedRecordCount });
    expect(event.processedRecordCount).toBeGreaterThan(first.processedRecordCount ?? 0);
    sub.unsubscribe();
  });
});

describe('modelInvocationJobStatusChanged over SSE', () => {
  it('should stream the same events as graphql-ws and complete', async () => {
    const job = pausedJob('InProgress');
    const sse = subscribeSse(t.url, STATUS_CHANGED, { id: job.jobId });
    const ws = subscribeWs(wsClient(), STATUS_CHANGED, { id: job.jobId });
    await Promise.all([sse.next(), ws.next()]);
    t.simulator.engine.setStatus(job.jobId, 'Completed');
    await Promise.all([sse.done, ws.done]);
    const statuses = (events: typeof sse.events) =>
      events.map((e) => [e.data!.modelInvocationJobStatusChanged.previousStatus, e.data!.modelInvocationJobStatusChanged.status]);
    expect(statuses(sse.events)).toEqual([[null, 'IN_PROGRESS'], ['IN_PROGRESS', 'COMPLETED']]);
    expect(statuses(ws.events)).toEqual(statuses(sse.events));
  });
});

describe('an event whose execution fails', () => {
  // A job missing a non-null field: the event's execution errors on it. graphql-ws writes events
  // itself (websocket/direct-delivery.ts), past the envelop's per-event hooks, so it must mask
  // and count such errors as SSE does through them.
  const WITH_MODEL = `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status job { modelId } } }`;
  const errorCount = async () => sample(await t.metrics(), 'gateway_graphql_errors_total{operation_type="subscription",code="INTERNAL"}') ?? 0;

  it('should send the same masked error over graphql-ws and SSE, and count it for each', async () => {
    // A job Bedrock sends without a required member (later reads never erase one a read gave, so
    // it is missing from the first read on).
    const job = t.simulator.engine.createJob({ status: 'Submitted', modelId: undefined }, { paused: true });
    const before = await errorCount();
    const sse = subscribeSse(t.url, WITH_MODEL, { id: job.jobId });
    const ws = subscribeWs(wsClient(), WITH_MODEL, { id: job.jobId });
    const [overSse, overWs] = await Promise.all([sse.next(), ws.next()]);
    expect(overWs).toEqual(overSse);
    expect(overWs.data).toBeNull();
    expect(overWs.errors).toEqual([
      expect.objectContaining({ message: 'Unexpected error.', path: ['modelInvocationJobStatusChanged', 'job', 'modelId'] }),
    ]);
    expect(JSON.stringify(overWs)).not.toContain('non-nullable');
    expect((await errorCount()) - before).toBe(2);

    // The stream goes on after the failed event.
    t.simulator.engine.setStatus(job.jobId, 'Completed', { modelId: 'anthropic.claude-3-haiku-20240307-v1:0' });
    await Promise.all([sse.done, ws.done]);
    expect(ws.events.at(-1)?.data).toEqual({ modelInvocationJobStatusChanged: { status: 'COMPLETED', job: { modelId: 'anthropic.claude-3-haiku-20240307-v1:0' } } });
  });
});

