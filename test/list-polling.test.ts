// Polling by list: many watched jobs and the account-wide stream cost upstream calls per page of
// 1,000 jobs, not per job, and every status change still reaches its subscribers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';
import { nextRound as nextPollerRound } from './support/poller-rounds.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';

const STATUS_CHANGED = `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status previousStatus } }`;
const ACCOUNT = `subscription($filter: ModelInvocationJobFilter) {
  modelInvocationJobsChanged(filter: $filter) { status previousStatus job { jobId jobName } }
}`;

let t: TestGateway;
const clients: Client[] = [];
beforeAll(async () => {
  // 300 subscriptions start at once from one caller: more than the default burst of starts.
  t = await startTestGateway({ POLL_INTERVAL_MS: '100', POLL_MAX_CALLS_PER_SECOND: '2000', UPSTREAM_CONCURRENCY: '50', UPSTREAM_CALLS_PER_SECOND: '5000', UPSTREAM_CALLS_BURST: '1000', RATE_LIMIT_RPS: '0' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await expect.poll(() => t.gateway.poller.stats()).toMatchObject({ watched: 0, accountWatchers: 0 });
});
afterAll(() => t.close());

const wsClient = () => {
  const client = createWsClient(t.url);
  clients.push(client);
  return client;
};
const nextRound = () => nextPollerRound(t.gateway.poller);

describe('polling many watched jobs', () => {
  it('should refresh 300 watched unfinished jobs with at most 2 calls per interval and deliver every change', async () => {
    const jobs = t.simulator.engine.addJobs(300, { status: 'InProgress' }, { paused: true });
    const clientsFor = [wsClient(), wsClient(), wsClient()];
    const subs = jobs.map((job, i) => subscribeWs(clientsFor[i % 3]!, STATUS_CHANGED, { id: job.jobId }));
    await Promise.all(subs.map((sub) => sub.next()));

    await nextRound();
    t.simulator.resetStats();
    const rounds = [await nextRound(), await nextRound(), await nextRound()];
    for (const round of rounds) {
      expect(round.lastRoundMode).toBe('list');
      expect(round.lastRoundCalls).toBeLessThanOrEqual(2);
    }
    expect(t.simulator.stats().calls.GetModelInvocationJob).toBe(0);
    expect(t.simulator.stats().calls.ListModelInvocationJobs).toBeLessThanOrEqual(6);

    const changed = jobs.filter((_, i) => i % 30 === 0);
    for (const job of changed) t.simulator.engine.setStatus(job.jobId, 'Completed');
    const events = await Promise.all(changed.map((job) => subs[jobs.indexOf(job)]!.next()));
    expect(events.map((e) => e.data!.modelInvocationJobStatusChanged)).toEqual(
      changed.map(() => ({ status: 'COMPLETED', previousStatus: 'IN_PROGRESS' })),
    );
    for (const job of jobs) if (!changed.includes(job)) t.simulator.engine.setStatus(job.jobId, 'Stopped');
    await Promise.all(subs.map((sub) => sub.done));
  });
});

describe('modelInvocationJobsChanged', () => {
  it('should stream status changes of matching jobs, new jobs included, and nothing else', async () => {
    const before = t.simulator.engine.createJob({ status: 'Scheduled', jobName: 'acct-existing' }, { paused: true });
    const sub = subscribeWs(wsClient(), ACCOUNT, { filter: { nameContains: 'acct-' } });
    await expect.poll(() => t.gateway.poller.stats().accountWatchers).toBe(1);
    await nextRound(); // the baseline round

    const other = t.simulator.engine.createJob({ status: 'Submitted', jobName: 'unrelated' }, { paused: true });
    t.simulator.engine.advance(other.jobId);
    t.simulator.engine.setStatus(before.jobId, 'InProgress');
    const existing = (await sub.next()).data!.modelInvocationJobsChanged;
    expect(existing).toEqual({ status: 'IN_PROGRESS', previousStatus: 'SCHEDULED', job: { jobId: before.jobId, jobName: 'acct-existing' } });

    const created = t.simulator.engine.createJob({ status: 'Submitted', jobName: 'acct-new' }, { paused: true });
    const appeared = (await sub.next()).data!.modelInvocationJobsChanged;
    expect(appeared).toEqual({ status: 'SUBMITTED', previousStatus: null, job: { jobId: created.jobId, jobName: 'acct-new' } });

    t.simulator.engine.advance(created.jobId);
    expect((await sub.next()).data!.modelInvocationJobsChanged).toMatchObject({ status: 'VALIDATING', previousStatus: 'SUBMITTED' });
    expect(sub.events.every((e) => e.data!.modelInvocationJobsChanged.job.jobName.startsWith('acct-'))).toBe(true);
  });

  it('should stream a job created and finished while the account baseline is being read', async () => {
    const { faults } = t.simulator;
    const lists = () => t.simulator.stats().calls.ListModelInvocationJobs;
    const before = lists();
    faults.operations = ['ListModelInvocationJobs'];
    faults.hang = true;
    try {
      const sub = subscribeWs(wsClient(), ACCOUNT, { filter: { nameContains: 'between-' } });
      // The baseline reads one list per unfinished status, then the newest page: let each
      // through as it arrives; the round's own list comes next and is held.
      for (let call = 1; call <= 6; call++) {
        await expect.poll(lists).toBe(before + call);
        faults.hang = false;
        faults.hang = true;
      }
      await expect.poll(lists).toBe(before + 7);
      const finished = t.simulator.engine.createJob({ status: 'Completed', jobName: 'between-finished' }, { paused: true });
      faults.reset();
      expect((await sub.next()).data!.modelInvocationJobsChanged).toEqual({
        status: 'COMPLETED',
        previousStatus: null,
        job: { jobId: finished.jobId, jobName: 'between-finished' },
      });
      const next = t.simulator.engine.createJob({ status: 'Submitted', jobName: 'between-next' }, { paused: true });
      expect((await sub.next()).data!.modelInvocationJobsChanged.job.jobId).toBe(next.jobId);
    } finally {
      faults.reset();
    }
  });

  it('should show a job created through the gateway at once', async () => {
    const sub = subscribeWs(wsClient(), ACCOUNT, { filter: { statusEquals: 'SUBMITTED' } });
    await expect.poll(() => t.gateway.poller.stats().accountWatchers).toBe(1);
    await nextRound();
    const { data } = await t.graphql(`mutation { createModelInvocationJob(input: {
      jobName: "from-gateway", roleArn: "arn:aws:iam::123456789012:role/R", modelId: "amazon.nova-lite-v1:0",
      inputDataConfig: { s3InputDataConfig: { s3Uri: "s3://bucket/in.jsonl" } },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: "s3://bucket/out/" } } }) { jobId } }`);
    const event = (await sub.next()).data!.modelInvocationJobsChanged;
    expect(event).toEqual({ status: 'SUBMITTED', previousStatus: null, job: { jobId: data!.createModelInvocationJob.jobId, jobName: 'from-gateway' } });
  });

  it('should give each of several account-wide streams what its own filter matches, and keep the rest going when one ends', async () => {
    const red = t.simulator.engine.createJob({ status: 'Submitted', jobName: 'multi-red-1' }, { paused: true });
    const blue = t.simulator.engine.createJob({ status: 'Submitted', jobName: 'multi-blue-1' }, { paused: true });
    const reds = subscribeWs(wsClient(), ACCOUNT, { filter: { nameContains: 'multi-red-' } });
    const blues = subscribeWs(wsClient(), ACCOUNT, { filter: { nameContains: 'multi-blue-' } });
    const everything = subscribeWs(wsClient(), ACCOUNT, { filter: { nameContains: 'multi-' } });
    await expect.poll(() => t.gateway.poller.stats().accountWatchers).toBe(3);
    await nextRound(); // the baseline round

    t.simulator.engine.advance(red.jobId);
    t.simulator.engine.advance(blue.jobId);
    expect((await reds.next()).data!.modelInvocationJobsChanged.job.jobId).toBe(red.jobId);
    expect((await blues.next()).data!.modelInvocationJobsChanged.job.jobId).toBe(blue.jobId);
    const seen = [(await everything.next()).data!.modelInvocationJobsChanged.job.jobId, (await everything.next()).data!.modelInvocationJobsChanged.job.jobId];
    expect(seen.sort()).toEqual([red.jobId, blue.jobId].sort());

    reds.unsubscribe();
    await expect.poll(() => t.gateway.poller.stats().accountWatchers).toBe(2);
    t.simulator.engine.advance(blue.jobId);
    expect((await blues.next()).data!.modelInvocationJobsChanged).toMatchObject({ status: 'SCHEDULED', job: { jobId: blue.jobId } });
    expect((await everything.next()).data!.modelInvocationJobsChanged).toMatchObject({ status: 'SCHEDULED', job: { jobId: blue.jobId } });
    expect(reds.events).toHaveLength(1);
    blues.unsubscribe();
    everything.unsubscribe();
  });

  it('should poll the account with one list call per round once the baseline is set', async () => {
    const sub = subscribeWs(wsClient(), ACCOUNT, {});
    await expect.poll(() => t.gateway.poller.stats().accountWatchers).toBe(1);
    await nextRound();
    const round = await nextRound();
    expect(round).toMatchObject({ lastRoundMode: 'list', lastRoundCalls: 1 });
    sub.unsubscribe();
  });
});

// Last: its 1,000 jobs would change the account-wide tests' page counts.
describe('releasing watched jobs', () => {
  it('should keep polling while any watched job is left, and stop once the last of 1,000 is released', async () => {
    const jobs = t.simulator.engine.addJobs(1000, { status: 'InProgress' }, { paused: true });
    const releases = jobs.map((job) => t.gateway.poller.watch(job.jobId));
    expect(t.gateway.poller.stats()).toMatchObject({ watched: 1000, idle: false });
    releases.slice(1).forEach((release) => release());
    await nextRound();
    expect(t.gateway.poller.stats()).toMatchObject({ watched: 1, idle: false });
    releases[0]!();
    await expect.poll(() => t.gateway.poller.stats()).toMatchObject({ watched: 0, idle: true });
  });
});
