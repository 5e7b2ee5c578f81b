// A job's state as reads of it arrive: GetModelInvocationJob and list summaries order members
// differently (the SDK follows each shape) and summaries may leave optional members out. Neither
// may look like a change: events go out only when something a client can select changed, members
// never flip to null, and counts of work done never go back.
import fc from 'fast-check';
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jobStateKey, mergeJobState, type JobStatus, type ModelInvocationJob } from '../src/bedrock/job.ts';
import type { JobPubSub } from '../src/watch/job-pub-sub.ts';
import { createLocalPollOwnership } from '../src/watch/poll-ownership.ts';
import { createWatchSet } from '../src/watch/watch-set.ts';
import { nextRound as nextPollerRound } from './support/poller-rounds.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const JOB_ID = 'a1b2c3d4e5f6';
const BASE = Date.UTC(2026, 10, 1);

/** Optional members that never change once a job exists. */
const STABLE_OPTIONAL = ['clientRequestToken', 'vpcConfig', 'timeoutDurationInHours', 'jobExpirationTime', 'modelInvocationType', 'totalRecordCount'] as const;
/** Optional members that change as the job runs. */
const CHANGING_OPTIONAL = ['message', 'lastModifiedTime', 'endTime', 'processedRecordCount', 'successRecordCount', 'errorRecordCount'] as const;

/** The job's true state number `step` (0-based) of a run that moves one step at a time. */
function trueState(step: number, last: boolean): ModelInvocationJob {
  const status: JobStatus = last ? 'Completed' : step === 0 ? 'Submitted' : 'InProgress';
  return {
    jobArn: `arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/${JOB_ID}`,
    jobName: 'nightly-summaries',
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    clientRequestToken: 'token-1',
    roleArn: 'arn:aws:iam::123456789012:role/bedrock-batch',
    status,
    ...(last ? { message: 'done', endTime: new Date(BASE + step * 1000) } : {}),
    submitTime: new Date(BASE),
    lastModifiedTime: new Date(BASE + step * 1000),
    inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://in/', s3InputFormat: 'JSONL' } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://out/' } },
    vpcConfig: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] },
    timeoutDurationInHours: 24,
    jobExpirationTime: new Date(BASE + 24 * 3600 * 1000),
    modelInvocationType: 'InvokeModel',
    totalRecordCount: 1000,
    processedRecordCount: step * 10,
    successRecordCount: step * 9,
    errorRecordCount: step,
  };
}

/** A read of `job`: its members in the given order, without `omitted`, instants as Dates or text. */
function read(job: ModelInvocationJob, order: number[], omitted: readonly string[], isoDates: boolean): ModelInvocationJob {
  const entries = Object.entries(job).filter(([member]) => !omitted.includes(member));
  const ordered = order.map((i) => entries[i % entries.length]!).concat(entries);
  const result: Record<string, unknown> = {};
  for (const [member, value] of ordered) {
    if (member in result) continue;
    result[member] = isoDates && value instanceof Date ? value.toISOString() : value;
  }
  return result as unknown as ModelInvocationJob;
}

/** A watch set of one job, with every state it publishes. */
function watchedJob() {
  const published: ModelInvocationJob[] = [];
  const pubSub = { publish: (_topic: string, _id: string, { job }: { job: ModelInvocationJob }) => void published.push(job) } as unknown as JobPubSub;
  const watchSet = createWatchSet({ pubSub, ownership: createLocalPollOwnership(), backoff: { intervalMs: 1000, maxBackoffMs: 1000 } });
  watchSet.watch(JOB_ID);
  return { published, observe: (job: ModelInvocationJob) => watchSet.observe(JOB_ID, job, new Date()) };
}

/** Reads of a run: per true state, 1–3 reads, each a Get (all members) or a summary (some left out). */
const runOf = (omittable: readonly string[]) =>
  fc.integer({ min: 1, max: 6 }).chain((steps) =>
    fc.tuple(
      fc.constant(steps),
      fc.array(
        fc.array(
          fc.record({
            summary: fc.boolean(),
            omitted: fc.subarray([...omittable]),
            order: fc.array(fc.nat(30), { maxLength: 25 }),
            isoDates: fc.boolean(),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        { minLength: steps, maxLength: steps },
      ),
    ),
  );

describe('a job state read in different shapes', () => {
  it('should have one key however its members are ordered and its instants typed', () => {
    const job = trueState(3, false);
    const reordered = read(job, [19, 3, 7, 0, 12], [], true);
    expect(Object.keys(reordered)).not.toEqual(Object.keys(job));
    expect(jobStateKey(reordered)).toBe(jobStateKey(job));
    expect(jobStateKey({ ...job, processedRecordCount: 31 })).not.toBe(jobStateKey(job));
    expect(jobStateKey({ ...job, vpcConfig: { securityGroupIds: ['sg-1'], subnetIds: ['subnet-1'] } })).toBe(jobStateKey(job));
  });

  it('should keep members a summary lacks and never let counts go back', () => {
    const known = trueState(4, false);
    const summary = read({ ...known, processedRecordCount: 30 }, [], ['vpcConfig', 'clientRequestToken'], false);
    const merged = mergeJobState(known, summary);
    expect(merged).toMatchObject({ vpcConfig: known.vpcConfig, clientRequestToken: 'token-1', processedRecordCount: 40 });
    expect(mergeJobState(known, known)).toBe(known);
  });

  it('should publish exactly the distinct true states, in order, whatever shapes the reads take (property)', () => {
    fc.assert(
      fc.property(runOf(STABLE_OPTIONAL), ([steps, readsPerState]) => {
        const { published, observe } = watchedJob();
        readsPerState.forEach((reads, step) => {
          const state = trueState(step, step === steps - 1);
          reads.forEach(({ summary, omitted, order, isoDates }, k) => {
            // A job is first read with GetModelInvocationJob (the subscription's own read).
            const full = (step === 0 && k === 0) || !summary;
            observe(read(state, order, full ? [] : omitted, isoDates));
          });
        });
        const expected = Array.from({ length: steps }, (_, step) => jobStateKey(trueState(step, step === steps - 1)));
        expect(published.map(jobStateKey)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('should never publish a duplicate, a member flipped to null or a count going back, whatever summaries omit (property)', () => {
    fc.assert(
      fc.property(runOf([...STABLE_OPTIONAL, ...CHANGING_OPTIONAL]), ([steps, readsPerState]) => {
        const { published, observe } = watchedJob();
        readsPerState.forEach((reads, step) => {
          const state = trueState(step, step === steps - 1);
          reads.forEach(({ summary, omitted, order, isoDates }, k) =>
            observe(read(state, order, (step === 0 && k === 0) || !summary ? [] : omitted, isoDates)),
          );
        });
        published.forEach((job, i) => {
          const before = published[i - 1];
          if (!before) return;
          expect(jobStateKey(job)).not.toBe(jobStateKey(before));
          for (const [member, value] of Object.entries(before)) if (value != null) expect(job[member as keyof ModelInvocationJob]).not.toBeUndefined();
          expect(job.processedRecordCount!).toBeGreaterThanOrEqual(before.processedRecordCount!);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('a watched job read by Get, then list pages, then Get again', () => {
  const UPDATED = `subscription($id: String!) {
    modelInvocationJobUpdated(jobIdentifier: $id) {
      status jobName clientRequestToken timeoutDurationInHours totalRecordCount processedRecordCount
      vpcConfig { subnetIds } jobExpirationTime modelInvocationType
    }
  }`;
  const ACCOUNT = `subscription { modelInvocationJobsChanged { status } }`;
  let t: TestGateway;
  const clients: Client[] = [];
  const wsClient = () => {
    const client = createWsClient(t.url);
    clients.push(client);
    return client;
  };
  const roundsOf = async (mode: 'get' | 'list', count: number) => {
    for (let seen = 0; seen < count; ) if ((await nextPollerRound(t.gateway.poller)).lastRoundMode === mode) seen += 1;
  };

  beforeAll(async () => {
    t = await startTestGateway({ POLL_INTERVAL_MS: '50', POLL_MAX_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_PER_SECOND: '1000' });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    t.simulator.faults.reset();
  });
  afterAll(() => t.close());

  it('should send no event for a read that changed nothing, and keep what summaries leave out (fails with JSON keys)', async () => {
    t.simulator.faults.sparseSummaries = true;
    const job = t.simulator.engine.createJob(
      {
        status: 'InProgress',
        clientRequestToken: 'nightly-1',
        timeoutDurationInHours: 48,
        vpcConfig: { subnetIds: ['subnet-0a1b'], securityGroupIds: ['sg-0a1b'] },
        totalRecordCount: 1000,
        processedRecordCount: 100,
      },
      { paused: true },
    );
    const sub = subscribeWs(wsClient(), UPDATED, { id: job.jobId });
    const first = (await sub.next()).data!.modelInvocationJobUpdated;
    expect(first).toMatchObject({ status: 'IN_PROGRESS', clientRequestToken: 'nightly-1', totalRecordCount: 1000, vpcConfig: { subnetIds: ['subnet-0a1b'] } });
    await roundsOf('get', 2);

    // An account-wide stream: the poller reads list pages (sparse summaries) instead of Gets.
    const account = wsClient();
    const accountStream = subscribeWs(account, ACCOUNT);
    await roundsOf('list', 3);
    await account.dispose();
    await roundsOf('get', 2);

    t.simulator.engine.advance(job.jobId);
    const next = (await sub.next()).data!.modelInvocationJobUpdated;
    expect(next).toEqual({ ...first, processedRecordCount: t.simulator.engine.get(job.jobId)!.processedRecordCount });
    expect(next.processedRecordCount).toBeGreaterThan(100);
    expect(sub.events).toHaveLength(2);
    expect(accountStream.events).toEqual([]);
  });

  it('should read a job seen finishing in a sparse summary in full, so its last event lacks nothing', async () => {
    t.simulator.faults.sparseSummaries = true;
    const job = t.simulator.engine.createJob({ status: 'InProgress', totalRecordCount: 1000, processedRecordCount: 100 }, { paused: true });
    const FINAL = `subscription($id: String!) { modelInvocationJobUpdated(jobIdentifier: $id) { status endTime message totalRecordCount } }`;
    const sub = subscribeWs(wsClient(), FINAL, { id: job.jobId });
    await sub.next();
    subscribeWs(wsClient(), ACCOUNT);
    await roundsOf('list', 2);
    t.simulator.engine.setStatus(job.jobId, 'Failed', { message: 'The input file is not valid JSONL' });
    await sub.done;
    expect(sub.events.at(-1)!.data!.modelInvocationJobUpdated).toEqual({
      status: 'FAILED',
      endTime: t.simulator.engine.get(job.jobId)!.endTime!.toISOString(),
      message: 'The input file is not valid JSONL',
      totalRecordCount: 1000,
    });
  });
});
