// EventBridge-shaped job state change events: what the simulator POSTs, to which target, in which
// order, and that a slow, failing or missing receiver never reaches the engine. Receivers are real
// node:http servers on loopback ports.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateModelInvocationJobCommand, GetModelInvocationJobCommand } from '@aws-sdk/client-bedrock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../src/simulator/engine.ts';
import { createEventBridgeEmitter } from '../../src/simulator/event-bridge.ts';
import {
  isTerminalStatus,
  startSimulator,
  toStateChangeEvent,
  type BatchInferenceJobStateChangeEvent,
  type SimulatedJob,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.ts';
import { clientFor, waitForJob } from './harness.ts';

interface Delivery {
  method: string;
  headers: IncomingHttpHeaders;
  event: BatchInferenceJobStateChangeEvent;
}

interface ReceiverOptions {
  /** Status every request is answered with. @default 200 */
  status?: number;
  /** Hold each answer this long, so that overlapping requests would show. @default 0 */
  answerDelayMs?: number;
  /** Never answer. @default false */
  hang?: boolean;
}

interface Receiver {
  readonly url: string;
  readonly deliveries: Delivery[];
  /** Most requests open at once. */
  readonly maxConcurrent: number;
  /** Resolves with the deliveries once at least `n` have arrived. */
  take(n: number): Promise<Delivery[]>;
  /** Resolves once `n` requests have been closed from the sender's side before an answer. */
  aborted(n: number): Promise<void>;
  close(): Promise<void>;
}

const leftovers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(leftovers.splice(0).map((server) => server.close()));
});

async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const waiters: (() => void)[] = [];
  let open = 0;
  let maxConcurrent = 0;
  let abortedCount = 0;
  const notify = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  const answer = (res: ServerResponse) => {
    open -= 1;
    res.writeHead(options.status ?? 200, { 'content-type': 'application/json' }).end('{}');
  };
  const server = createServer((req, res) => {
    open += 1;
    maxConcurrent = Math.max(maxConcurrent, open);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({
        method: req.method ?? '',
        headers: req.headers,
        event: JSON.parse(Buffer.concat(chunks).toString('utf8')) as BatchInferenceJobStateChangeEvent,
      });
      notify();
      if (options.hang) return;
      if (options.answerDelayMs) setTimeout(() => answer(res), options.answerDelayMs);
      else answer(res);
    });
    res.on('close', () => {
      if (!res.writableEnded) {
        abortedCount += 1;
        notify();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (done() ? resolve() : waiters.push(check));
      check();
    });
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/events`,
    deliveries,
    get maxConcurrent() {
      return maxConcurrent;
    },
    take: async (n) => {
      await until(() => deliveries.length >= n);
      return deliveries;
    },
    aborted: (n) => until(() => abortedCount >= n),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  leftovers.push(receiver);
  return receiver;
}

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ seed: false, ...options });
  leftovers.push(sim);
  return sim;
}

/** A URL nothing listens on: a receiver's, after it closed. */
async function deadUrl(): Promise<string> {
  const receiver = await startReceiver();
  await receiver.close();
  return receiver.url;
}

const statuses = (deliveries: Delivery[], job?: SimulatedJob) =>
  deliveries.filter((d) => !job || d.event.detail.batchJobArn === job.jobArn).map((d) => d.event.detail.status);

describe('event shape', () => {
  it('should POST a Batch Inference Job State Change event, with the secret header, for a job created through the SDK', async () => {
    const receiver = await startReceiver();
    const sim = await simulator({ eventBridge: { url: receiver.url, secret: 's3cret' } });
    sim.engine.pause();
    const client = clientFor(sim);
    const { jobArn } = await client.send(
      new CreateModelInvocationJobCommand({
        jobName: 'nightly-triage',
        roleArn: 'arn:aws:iam::123456789012:role/BatchRole',
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://my-bucket/in/records.jsonl' } },
        outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://my-bucket/out/' } },
      }),
    );
    const [delivery] = await receiver.take(1);
    const job = sim.engine.get(jobArn!)!;

    expect(delivery!.method).toBe('POST');
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['x-eventbridge-secret']).toBe('s3cret');
    expect(delivery!.event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'Batch Inference Job State Change',
      source: 'aws.bedrock',
      account: '123456789012',
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      region: 'us-east-1',
      resources: [jobArn],
      detail: {
        version: '0.0',
        accountId: '123456789012',
        batchJobName: 'nightly-triage',
        batchJobArn: jobArn,
        batchModelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        status: 'Submitted',
        failureMessage: '',
        creationTime: expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M$/),
        inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://my-bucket/in/records.jsonl' } },
        outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://my-bucket/out/' } },
      },
    });
    expect(Math.abs(Date.parse(delivery!.event.time) - Date.now())).toBeLessThan(60_000);
    const got = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn }));
    expect(got.inputDataConfig).toEqual(delivery!.event.detail.inputDataConfig);
    expect(job.status).toBe('Submitted');
  });

  it('should send no secret header when no secret is set', async () => {
    const receiver = await startReceiver();
    const sim = await simulator({ eventBridge: { url: receiver.url } });
    sim.engine.pause();
    sim.engine.createJob();
    const [delivery] = await receiver.take(1);
    expect(delivery!.headers).not.toHaveProperty('x-eventbridge-secret');
  });

  it('should carry the failure message and the record counts once a job has ended', async () => {
    const receiver = await startReceiver();
    const sim = await simulator({ eventBridge: { url: receiver.url } });
    sim.engine.pause();
    const failing = sim.engine.createJob({ status: 'InProgress' }, { paused: true, totalRecordCount: 300 });
    const failed = sim.engine.setStatus(failing.jobId, 'Failed', { message: 'Input file not found.' });
    const completing = sim.engine.createJob({ status: 'InProgress' }, { paused: true, totalRecordCount: 300 });
    sim.engine.setStatus(completing.jobId, 'Completed');
    const deliveries = await receiver.take(4);

    const failedEvent = deliveries.find((d) => d.event.detail.batchJobArn === failed.jobArn && d.event.detail.status === 'Failed');
    expect(failedEvent!.event.detail).toMatchObject({ failureMessage: 'Input file not found.', totalRecordCount: 300 });
    const completed = deliveries.find((d) => d.event.detail.batchJobArn === completing.jobArn && d.event.detail.status === 'Completed');
    expect(completed!.event.detail).toMatchObject({
      failureMessage: '',
      totalRecordCount: 300,
      processedRecordCount: 300,
      successRecordCount: 300,
      errorRecordCount: 0,
    });
  });

  it('should print creationTime as the console does, in UTC, and time as ISO-8601 to the second', () => {
    const engine = createEngine({ autoStart: false });
    try {
      const evening = engine.createJob({ submitTime: new Date('2024-08-28T22:47:53.123Z') });
      const midnight = engine.createJob({ submitTime: new Date('2024-01-05T00:05:09.000Z') });
      const noon = engine.createJob({ submitTime: new Date('2024-12-31T12:00:00.000Z') });
      const observed = new Date('2026-11-29T05:00:00.789Z');
      expect(toStateChangeEvent(evening, observed).detail.creationTime).toBe('Aug 28, 2024, 10:47:53 PM');
      expect(toStateChangeEvent(midnight, observed).detail.creationTime).toBe('Jan 5, 2024, 12:05:09 AM');
      expect(toStateChangeEvent(noon, observed).detail.creationTime).toBe('Dec 31, 2024, 12:00:00 PM');
      expect(toStateChangeEvent(noon, observed).time).toBe('2026-11-29T05:00:00Z');
    } finally {
      engine.dispose();
    }
  });
});

describe('delivery', () => {
  it('should send one event per status change, in change order, and none for record-count changes', async () => {
    // Slow answers: were a job's deliveries not serial, they would overlap at the receiver.
    const receiver = await startReceiver({ answerDelayMs: 5 });
    const sim = await simulator({ eventBridge: { url: receiver.url } });
    sim.engine.pause();
    const job = sim.engine.createJob({}, { paused: true, outcome: 'Completed', totalRecordCount: 1000 });
    const seen = [job];
    while (!isTerminalStatus(seen.at(-1)!.status)) seen.push(sim.engine.advance(job.jobId));
    const countOnly = seen.filter((j, i) => i > 0 && j.status === seen[i - 1]!.status);
    expect(countOnly.length).toBeGreaterThan(1);

    const deliveries = await receiver.take(5);
    // The last status arrived, and per-job order puts any count-only event before it.
    expect(statuses(deliveries)).toEqual(['Submitted', 'Validating', 'Scheduled', 'InProgress', 'Completed']);
    expect(receiver.maxConcurrent).toBe(1);
    await vi.waitFor(() => expect(sim.stats()).toMatchObject({ eventsSent: 5, eventsFailed: 0 }));
  });

  it('should follow setStatus and stop as well as the clock', async () => {
    const receiver = await startReceiver();
    const sim = await simulator({ eventBridge: { url: receiver.url } });
    sim.engine.pause();
    const job = sim.engine.createJob({}, { paused: true, totalRecordCount: 500 });
    sim.engine.setStatus(job.jobId, 'InProgress');
    sim.engine.setStatus(job.jobId, 'InProgress', { processedRecordCount: 250, successRecordCount: 250 });
    sim.engine.stop(job.jobId);
    sim.engine.advance(job.jobId);
    sim.engine.setStatus(job.jobId, 'Stopped'); // no change of status: nothing to send
    const deliveries = await receiver.take(4);
    expect(statuses(deliveries)).toEqual(['Submitted', 'InProgress', 'Stopping', 'Stopped']);
    expect(deliveries[1]!.event.detail.processedRecordCount).toBe(200);
  });

  it('should start sending once a target is set after start, and stop while it is cleared', async () => {
    const receiver = await startReceiver();
    const sim = await simulator();
    sim.engine.pause();
    const job = sim.engine.createJob({}, { paused: true, outcome: 'Completed' });
    sim.setEventBridgeTarget({ url: receiver.url, secret: 'later' });
    sim.engine.advance(job.jobId); // Validating
    sim.setEventBridgeTarget(undefined);
    sim.engine.advance(job.jobId); // Scheduled, not sent
    sim.setEventBridgeTarget({ url: receiver.url });
    sim.engine.advance(job.jobId); // InProgress
    const deliveries = await receiver.take(2);
    expect(statuses(deliveries)).toEqual(['Validating', 'InProgress']);
    expect(deliveries[0]!.headers['x-eventbridge-secret']).toBe('later');
    expect(deliveries[1]!.headers).not.toHaveProperty('x-eventbridge-secret');
  });

  it('should refuse a target URL that is not absolute http(s), at start and later', async () => {
    await expect(startSimulator({ seed: false, eventBridge: { url: 'localhost:4000/events' } })).rejects.toThrow(
      /eventBridge\.url must be an absolute http\(s\) URL, got "localhost:4000\/events"/,
    );
    const sim = await simulator();
    expect(() => sim.setEventBridgeTarget({ url: 'ftp://127.0.0.1/events' })).toThrow(TypeError);
  });

  it('should keep the engine and the API going when the receiver is gone', async () => {
    const sim = await simulator({ stepMs: 5, eventBridge: { url: await deadUrl() } });
    const changes: string[] = [];
    sim.engine.onChange((job, previous) => {
      if (previous?.status !== job.status) changes.push(job.status);
    });
    const job = sim.engine.createJob({}, { outcome: 'Completed', totalRecordCount: 200 });
    const done = await waitForJob(sim.engine, job.jobId, (j) => isTerminalStatus(j.status));
    expect(done.status).toBe('Completed');
    const got = await clientFor(sim).send(new GetModelInvocationJobCommand({ jobIdentifier: job.jobArn }));
    expect(got.status).toBe('Completed');
    await vi.waitFor(() => expect(sim.stats()).toMatchObject({ eventsSent: 0, eventsFailed: changes.length }));
  });

  it('should count an error answer as failed and go on with the next event', async () => {
    const refusing = await startReceiver({ status: 500 });
    const receiver = await startReceiver();
    const sim = await simulator({ eventBridge: { url: refusing.url } });
    sim.engine.pause();
    const job = sim.engine.createJob({}, { paused: true });
    await refusing.take(1);
    sim.setEventBridgeTarget({ url: receiver.url });
    sim.engine.advance(job.jobId);
    // Per-job order: this arrives only after the refused delivery has been settled and counted.
    await receiver.take(1);
    expect(sim.stats()).toMatchObject({ eventsFailed: 1 });
    await vi.waitFor(() => expect(sim.stats()).toMatchObject({ eventsSent: 1, eventsFailed: 1 }));
    sim.resetStats();
    expect(sim.stats()).toMatchObject({ eventsSent: 0, eventsFailed: 0 });
  });

  it('should give up on a receiver that does not answer in time', async () => {
    const silent = await startReceiver({ hang: true });
    const receiver = await startReceiver();
    const engine = createEngine({ autoStart: false });
    const emitter = createEventBridgeEmitter({ target: { url: silent.url }, timeoutMs: 50 });
    leftovers.push({ close: async () => engine.dispose() }, emitter);
    engine.onChange(emitter.listener);
    const job = engine.createJob({}, { paused: true });
    emitter.setTarget({ url: receiver.url });
    engine.advance(job.jobId);
    await receiver.take(1);
    expect(emitter.counts()).toEqual({ sent: 0, failed: 1 });
    await silent.aborted(1);
  });

  it('should abort deliveries in flight on close, leaving no timer behind', async () => {
    const silent = await startReceiver({ hang: true });
    const sim = await simulator({ eventBridge: { url: silent.url } });
    sim.engine.pause();
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    sim.engine.createJob({}, { paused: true });
    await silent.take(1);
    expect(timers()).toBe(before + 1); // the delivery's timeout
    await sim.close();
    await silent.aborted(1);
    expect(timers()).toBe(before);
    expect(sim.stats()).toMatchObject({ eventsSent: 0, eventsFailed: 0 });
  });
});
