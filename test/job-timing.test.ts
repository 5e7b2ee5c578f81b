// Start time, throughput, ETA and timeline: the derivations on their own (steady, burst, pause,
// jobs seen late; a property over arbitrary histories), the bounded in-process history, and the
// whole path: the real SDK reading a steady simulated job through the poller, a graphql-ws
// subscription carrying the new fields, the timeline of a job watched through its life.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { JobStatus, ModelInvocationJob } from '../src/bedrock/job.ts';
import { createInProcessJobHistory, MAX_SAMPLES, MIN_SAMPLE_GAP_MS, type JobHistory } from '../src/bedrock/job-history.ts';
import { estimatedCompletionOf, RATE_WINDOW_MS, startedAtOf, throughputOf, timelineOf } from '../src/bedrock/job-timing.ts';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { startSimulator } from '../src/simulator/index.ts';
import { redisServerAvailable, startRedisServer } from './support/redis-server.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';

const T0 = Date.parse('2026-11-29T10:00:00.000Z');
const ARN = 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd12345678';

const jobOf = (patch: Partial<ModelInvocationJob>): ModelInvocationJob =>
  ({
    jobArn: ARN,
    modelId: 'm',
    roleArn: 'r',
    submitTime: new Date(T0),
    inputDataConfig: {},
    outputDataConfig: {},
    ...patch,
  }) as ModelInvocationJob;

/** Samples every `everyMs` from T0 on, processed given by `at(ms since T0)`. */
const samplesOf = (count: number, everyMs: number, processedAt: (elapsedMs: number) => number) =>
  Array.from({ length: count }, (_, i) => ({ at: T0 + i * everyMs, processed: processedAt(i * everyMs) }));

const historyOf = (samples: JobHistory['samples'], firstSeen: JobHistory['firstSeen'] = { InProgress: T0 }): JobHistory => ({
  firstSeen,
  samples,
});

describe('throughput and ETA from observations', () => {
  const running = jobOf({ status: 'InProgress', totalRecordCount: 100_000 });

  it('should measure a steady job exactly, over the span it observed', () => {
    // 50 records every 300 ms for 5.1 s: 10,000 a minute.
    const history = historyOf(samplesOf(18, 300, (ms) => (ms / 300) * 50));
    expect(throughputOf(running, history)).toMatchObject({ recordsPerMinute: 10_000, windowSeconds: 6 });
    expect(startedAtOf(history)).toEqual(new Date(T0));
  });

  it('should spread a burst over the window instead of reporting its instant rate', () => {
    // Bedrock-like counts: flat for minutes, then 600 records at once, seen every 10 s.
    const history = historyOf(samplesOf(31, 10_000, (ms) => (ms >= 150_000 ? 600 : 0)));
    const { recordsPerMinute, windowSeconds } = throughputOf(running, history)!;
    expect(windowSeconds).toBe(300);
    expect(recordsPerMinute).toBeCloseTo(120, 6); // 600 over 5 minutes, not 3,600 a minute for 10 s
  });

  it('should lower the rate while a job pauses, down to none (and no ETA) once the window holds only the pause', () => {
    const steady = (ms: number) => (ms / 10_000) * 100; // 600 a minute
    const pausedAfter = (pauseAt: number) => (ms: number) => steady(Math.min(ms, pauseAt));
    const before = throughputOf(running, historyOf(samplesOf(31, 10_000, steady)))!.recordsPerMinute;
    const halfway = throughputOf(running, historyOf(samplesOf(31, 10_000, pausedAfter(150_000))))!.recordsPerMinute;
    const longPause = historyOf(samplesOf(70, 10_000, pausedAfter(60_000)));
    expect(before).toBeCloseTo(600, 6);
    expect(halfway).toBeCloseTo(300, 6);
    expect(throughputOf(running, longPause)!.recordsPerMinute).toBe(0);
    expect(estimatedCompletionOf(running, longPause)).toBeNull();
  });

  it('should put the ETA at the last observation plus the records left over the rate', () => {
    const history = historyOf(samplesOf(7, 10_000, (ms) => 5_000 + ms / 60)); // 1,000 a minute
    const job = jobOf({ status: 'InProgress', totalRecordCount: 7_500 });
    // 7,500 - 6,000 left at 1,000 a minute after the last sample at T0 + 60 s.
    expect(estimatedCompletionOf(job, history)).toEqual(new Date(T0 + 60_000 + 90_000));
  });

  it('should give nothing without two observations of a running job, or without a total', () => {
    const two = historyOf(samplesOf(2, 1000, (ms) => ms));
    expect(throughputOf(running, historyOf(samplesOf(1, 1000, () => 5)))).toBeNull();
    expect(throughputOf(jobOf({ status: 'Completed', totalRecordCount: 10 }), two)).toBeNull();
    expect(throughputOf(running, two)).not.toBeNull();
    expect(estimatedCompletionOf(jobOf({ status: 'InProgress' }), two)).toBeNull();
    expect(startedAtOf({ firstSeen: { Submitted: T0 }, samples: [] })).toBeNull();
  });

  it('should use only the last RATE_WINDOW_MS of samples', () => {
    // Fast for ten minutes, then 100 a minute: the rate is the recent one.
    const history = historyOf(samplesOf(121, 10_000, (ms) => (ms <= 600_000 ? ms : 600_000 + (ms - 600_000) / 600)));
    expect(RATE_WINDOW_MS).toBe(300_000);
    expect(throughputOf(running, history)!.recordsPerMinute).toBeCloseTo(100, 6);
  });
});

describe('timeline', () => {
  const at = (ms: number) => new Date(T0 + ms);

  it('should list a job watched through its life as observed, in order', () => {
    const job = jobOf({ status: 'Completed', endTime: at(4500) });
    const timeline = timelineOf(job, { firstSeen: { Submitted: T0 + 100, Validating: T0 + 1000, Scheduled: T0 + 2000, InProgress: T0 + 3000, Completed: T0 + 5000 }, samples: [] });
    expect(timeline).toEqual([
      { status: 'Submitted', at: at(100), observed: true },
      { status: 'Validating', at: at(1000), observed: true },
      { status: 'Scheduled', at: at(2000), observed: true },
      { status: 'InProgress', at: at(3000), observed: true },
      { status: 'Completed', at: at(5000), observed: true },
    ]);
  });

  it("should take SUBMITTED from submitTime for a job first seen running", () => {
    const job = jobOf({ status: 'Stopped', endTime: at(9000) });
    expect(timelineOf(job, { firstSeen: { InProgress: T0 + 3000, Stopping: T0 + 8000, Stopped: T0 + 9500 }, samples: [] })).toEqual([
      { status: 'Submitted', at: at(0), observed: false },
      { status: 'InProgress', at: at(3000), observed: true },
      { status: 'Stopping', at: at(8000), observed: true },
      { status: 'Stopped', at: at(9500), observed: true },
    ]);
  });

  it("should take the final status from endTime for a job first seen finished, and from the job alone with no history", () => {
    const job = jobOf({ status: 'Failed', endTime: at(7000), lastModifiedTime: at(7001) });
    const expected = [
      { status: 'Submitted', at: at(0), observed: false },
      { status: 'Failed', at: at(7000), observed: false },
    ];
    expect(timelineOf(job, { firstSeen: { Failed: T0 + 60_000 }, samples: [] })).toEqual(expected);
    expect(timelineOf(job, { firstSeen: {}, samples: [] })).toEqual(expected);
    expect(timelineOf(jobOf({ status: 'Scheduled', lastModifiedTime: at(50) }), { firstSeen: {}, samples: [] })).toEqual([
      { status: 'Submitted', at: at(0), observed: false },
      { status: 'Scheduled', at: at(50), observed: false },
    ]);
  });

  it('should keep lifecycle order with times that never go back, even from clocks that disagree', () => {
    const job = jobOf({ status: 'InProgress' });
    expect(timelineOf(job, { firstSeen: { Submitted: T0 + 2000, Scheduled: T0 + 1000, InProgress: T0 + 3000 }, samples: [] })).toEqual([
      { status: 'Submitted', at: at(2000), observed: true },
      { status: 'Scheduled', at: at(2000), observed: true },
      { status: 'InProgress', at: at(3000), observed: true },
    ]);
  });

  it('should always start with SUBMITTED, never go back in time, name each status once and hold the current one', () => {
    const statuses: JobStatus[] = ['Submitted', 'Validating', 'Scheduled', 'InProgress', 'Stopping', 'Completed', 'PartiallyCompleted', 'Failed', 'Stopped', 'Expired'];
    const arbitraryCase = fc.record({
      status: fc.constantFrom(...statuses),
      seen: fc.dictionary(fc.constantFrom(...statuses), fc.integer({ min: 0, max: 100_000 })),
      endAfter: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(arbitraryCase, ({ status, seen, endAfter }) => {
        const firstSeen = Object.fromEntries(Object.entries(seen).map(([s, ms]) => [s, T0 + ms]));
        const job = jobOf({ status, endTime: endAfter === undefined ? undefined : at(endAfter) });
        const timeline = timelineOf(job, { firstSeen, samples: [] });
        const times = timeline.map((entry) => entry.at.getTime());
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(timeline[0]!.status).toBe('Submitted');
        expect(new Set(timeline.map((entry) => entry.status)).size).toBe(timeline.length);
        expect(timeline.map((entry) => entry.status)).toContain(status);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the history kept in process', () => {
  const running = (processed: number) => jobOf({ jobArn: ARN.replace('abcd', 'wxyz'), status: 'InProgress', processedRecordCount: processed });

  it('should record a finished job once however often it is read, and keep the last MAX_SAMPLES of a running one', async () => {
    const history = createInProcessJobHistory();
    const finished = jobOf({ status: 'Completed' });
    await history.record([finished], T0);
    await history.record([finished], T0 + 1000);
    for (let i = 0; i < MAX_SAMPLES + 30; i++) await history.record([running(i)], T0 + i * MIN_SAMPLE_GAP_MS);
    const read = await history.read(['abcd12345678', 'wxyz12345678', 'nope12345678']);
    expect(read.get('abcd12345678')).toEqual({ firstSeen: { Completed: T0 }, samples: [] });
    const kept = read.get('wxyz12345678')!;
    expect(kept.firstSeen).toEqual({ InProgress: T0 });
    expect(kept.samples).toHaveLength(MAX_SAMPLES);
    expect(kept.samples[0]).toEqual({ at: T0 + 30 * MIN_SAMPLE_GAP_MS, processed: 30 });
    expect(read.get('nope12345678')).toEqual({ firstSeen: {}, samples: [] });
  });

  it('should keep samples MIN_SAMPLE_GAP_MS apart but the newest, the latest read, so that they span the rate window', async () => {
    const history = createInProcessJobHistory();
    // Read every 100 ms (a poll, list pages and queries together) for twice the window.
    const last = 2 * RATE_WINDOW_MS + 700;
    for (let ms = 0; ms <= last; ms += 100) await history.record([running(ms / 100)], T0 + ms);
    const { samples } = (await history.read(['wxyz12345678'])).get('wxyz12345678')!;
    expect(samples).toHaveLength(MAX_SAMPLES);
    expect(samples.at(-1)).toEqual({ at: T0 + last, processed: last / 100 });
    // 118 gaps between the kept ones, then the stand-in.
    expect(samples.at(-1)!.at - samples[0]!.at).toBeGreaterThanOrEqual(RATE_WINDOW_MS - 2 * MIN_SAMPLE_GAP_MS);
    const kept = samples.slice(0, -1);
    expect(kept.every((sample, i) => i === 0 || sample.at - kept[i - 1]!.at >= MIN_SAMPLE_GAP_MS)).toBe(true);
  });
});

const UPDATED = `subscription($id: String!) {
  modelInvocationJobUpdated(jobIdentifier: $id) {
    status processedRecordCount totalRecordCount startedAt estimatedCompletionTime
    throughput { recordsPerMinute windowSeconds }
  }
}`;
const TIMELINE = `query($id: String!) {
  modelInvocationJob(jobIdentifier: $id) { status startedAt throughput { recordsPerMinute } timeline { status at observed } }
}`;

describe('through the gateway, from the real SDK to the simulator', () => {
  const STEP_MS = 100;
  let t: TestGateway;
  const clients: Client[] = [];
  beforeAll(async () => {
    t = await startTestGateway({ POLL_INTERVAL_MS: '300', POLL_MAX_CALLS_PER_SECOND: '100', UPSTREAM_CALLS_PER_SECOND: '200' }, { stepMs: STEP_MS });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => t?.close());
  const subscribe = (query: string, id: string) => {
    const client = createWsClient(t.url);
    clients.push(client);
    return subscribeWs(client, query, { id });
  };

  it("should measure a steady job's rate within 20% of the truth after five seconds of observations, and its ETA with it", async () => {
    const job = t.simulator.engine.createJob(
      { status: 'InProgress', processedRecordCount: 0, successRecordCount: 0, errorRecordCount: 0 },
      { outcome: 'Completed', totalRecordCount: 1_000_000, recordsPerStep: 10 },
    );
    // The truth, as the simulator itself moves the job (its clock may run late on a busy machine).
    const truth: Array<{ at: number; processed: number }> = [];
    const stopRecording = t.simulator.engine.onChange((changed) => {
      if (changed.jobId === job.jobId) truth.push({ at: Date.now(), processed: changed.processedRecordCount ?? 0 });
    });
    const sub = subscribe(UPDATED, job.jobId);
    let event: Record<string, any>;
    do event = (await sub.next()).data!.modelInvocationJobUpdated;
    while (!event.throughput || event.throughput.windowSeconds <= 5);
    stopRecording();

    expect(event.status).toBe('IN_PROGRESS');
    expect(Date.parse(event.startedAt)).toBeLessThanOrEqual(Date.now());
    const last = truth.at(-1)!;
    const from = truth.find(({ at }) => at >= last.at - event.throughput.windowSeconds * 1000)!;
    const truePerMinute = ((last.processed - from.processed) / (last.at - from.at)) * 60_000;
    expect(Math.abs(event.throughput.recordsPerMinute - truePerMinute) / truePerMinute).toBeLessThan(0.2);
    // The ETA: the records left at the true rate, within 20% of the time left.
    const trueLeftMs = ((1_000_000 - event.processedRecordCount) / truePerMinute) * 60_000;
    const etaLeftMs = Date.parse(event.estimatedCompletionTime) - Date.now();
    expect(Math.abs(etaLeftMs - trueLeftMs) / trueLeftMs).toBeLessThan(0.2);
    t.simulator.engine.setStatus(job.jobId, 'Stopped');
  });

  it('should give a job watched through its life an observed timeline, and startedAt its IN_PROGRESS entry', async () => {
    const job = t.simulator.engine.createJob({ status: 'Submitted' }, { paused: true, outcome: 'Completed', totalRecordCount: 100 });
    const sub = subscribe(UPDATED, job.jobId);
    let status = (await sub.next()).data!.modelInvocationJobUpdated.status;
    while (status !== 'COMPLETED') {
      t.simulator.engine.advance(job.jobId);
      status = (await sub.next()).data!.modelInvocationJobUpdated.status;
    }
    const { data } = await t.graphql(TIMELINE, { id: job.jobId });
    const { timeline, startedAt, throughput } = data!.modelInvocationJob;
    expect(timeline.map((entry: any) => [entry.status, entry.observed])).toEqual([
      ['SUBMITTED', true],
      ['VALIDATING', true],
      ['SCHEDULED', true],
      ['IN_PROGRESS', true],
      ['COMPLETED', true],
    ]);
    expect(startedAt).toBe(timeline[3].at);
    expect(throughput).toBeNull();
  });

  it('should derive the timeline of a job first seen finished from its own times', async () => {
    const job = t.simulator.engine.createJob({ status: 'Completed' }, { paused: true, outcome: 'Completed', totalRecordCount: 100 });
    const { data } = await t.graphql(TIMELINE, { id: job.jobId });
    expect(data!.modelInvocationJob).toEqual({
      status: 'COMPLETED',
      startedAt: null,
      throughput: null,
      timeline: [
        { status: 'SUBMITTED', at: job.submitTime.toISOString(), observed: false },
        { status: 'COMPLETED', at: job.endTime!.toISOString(), observed: false },
      ],
    });
  });
});

describe.skipIf(!redisServerAvailable())('history shared through Redis', () => {
  it("should give every instance, and an instance started later, the history another one observed", async () => {
    const redis = await startRedisServer();
    const simulator = await startSimulator({ seed: false });
    const started: Gateway[] = [];
    const startInstance = async () => {
      const config = loadConfig({
        HOST: '127.0.0.1',
        PORT: '0',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: 'timing:',
        POLL_INTERVAL_MS: '100',
        POLL_LEASE_MS: '400',
        LOG_LEVEL: 'silent',
      });
      const gateway = await createGateway(config, { simulator, logger: pino({ level: 'silent' }), processMetrics: false });
      started.push(gateway);
      const url = await gateway.start();
      const timing = async (id: string) => {
        const response = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: TIMELINE, variables: { id } }),
        });
        return ((await response.json()) as { data: { modelInvocationJob: Record<string, unknown> } }).data.modelInvocationJob;
      };
      return { gateway, url, timing };
    };
    const client: { dispose(): unknown }[] = [];
    try {
      const [watcher, other] = await Promise.all([startInstance(), startInstance()]);
      const job = simulator.engine.createJob({ status: 'Scheduled' }, { paused: true, outcome: 'Completed', totalRecordCount: 100 });
      const ws = createWsClient(watcher.url);
      client.push(ws);
      const sub = subscribeWs(ws, UPDATED, { id: job.jobId });
      expect((await sub.next()).data!.modelInvocationJobUpdated.status).toBe('SCHEDULED');
      simulator.engine.advance(job.jobId);
      expect((await sub.next()).data!.modelInvocationJobUpdated.status).toBe('IN_PROGRESS');

      const seenByWatcher = await watcher.timing(job.jobId);
      expect(seenByWatcher.startedAt).toEqual(expect.any(String));
      expect(seenByWatcher.timeline).toEqual([
        { status: 'SUBMITTED', at: job.submitTime.toISOString(), observed: false },
        { status: 'SCHEDULED', at: expect.any(String), observed: true },
        { status: 'IN_PROGRESS', at: seenByWatcher.startedAt, observed: true },
      ]);
      // Throughput may differ by the samples of rounds since; where the job went and when may not.
      const history = ({ startedAt, timeline }: Record<string, unknown>) => ({ startedAt, timeline });
      expect(history(await other.timing(job.jobId))).toEqual(history(seenByWatcher));

      await Promise.all(client.splice(0).map((c) => c.dispose()));
      await Promise.all(started.splice(0).map((gateway) => gateway.close()));
      const restarted = await startInstance();
      expect(history(await restarted.timing(job.jobId))).toEqual(history(seenByWatcher));
    } finally {
      await Promise.all(client.map((c) => c.dispose()));
      await Promise.all(started.map((gateway) => gateway.close()));
      await simulator.close();
      await redis.close();
    }
  });
});
