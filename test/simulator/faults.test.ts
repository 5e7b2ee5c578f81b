// Fault injection and call statistics, observed through the real SDK.
import {
  GetModelInvocationJobCommand,
  InternalServerException,
  ListModelInvocationJobsCommand,
  ThrottlingException,
  type BedrockClient,
} from '@aws-sdk/client-bedrock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { clientFor, errorOf, useSimulator } from './harness.ts';

let sim: Simulator;
let client: BedrockClient;
let jobId: string;
beforeAll(async () => {
  sim = await useSimulator();
  client = clientFor(sim);
  jobId = sim.engine.createJob({}, { paused: true }).jobId;
});
afterEach(() => {
  sim.faults.reset();
  sim.resetStats();
});

const get = (c: BedrockClient = client) => c.send(new GetModelInvocationJobCommand({ jobIdentifier: jobId }));
const list = (c: BedrockClient = client) => c.send(new ListModelInvocationJobsCommand({}));

describe('random faults', () => {
  it('should throttle every request at throttleRate 1 and none at 0', async () => {
    sim.faults.throttleRate = 1;
    expect(await errorOf(get())).toBeInstanceOf(ThrottlingException);
    sim.faults.throttleRate = 0;
    expect((await get()).jobArn).toBeDefined();
  });

  it('should fail every request at failureRate 1', async () => {
    sim.faults.failureRate = 1;
    const error = await errorOf(list());
    expect(error).toBeInstanceOf(InternalServerException);
    expect(error.$metadata.httpStatusCode).toBe(500);
  });

  it('should restrict faults to the listed operations', async () => {
    sim.faults.throttleRate = 1;
    sim.faults.operations = ['ListModelInvocationJobs'];
    expect(await errorOf(list())).toBeInstanceOf(ThrottlingException);
    expect((await get()).jobArn).toBeDefined();
  });

  it('should throttle a seeded, reproducible share of requests at throttleRate 0.5', async () => {
    const outcomes = async (target: Simulator) => {
      const c = clientFor(target);
      const id = target.engine.createJob().jobId;
      target.faults.throttleRate = 0.5;
      const out: boolean[] = [];
      for (let i = 0; i < 40; i++) {
        out.push(await c.send(new GetModelInvocationJobCommand({ jobIdentifier: id })).then(() => true, () => false));
      }
      return out;
    };
    const a = await outcomes(await useSimulator({ randomSeed: 9 }));
    const b = await outcomes(await useSimulator({ randomSeed: 9 }));
    expect(a).toEqual(b);
    const throttled = a.filter((ok) => !ok).length;
    expect(throttled).toBeGreaterThan(5);
    expect(throttled).toBeLessThan(35);
  });
});

describe('failNext', () => {
  it('should fail exactly the next N matching requests', async () => {
    sim.faults.failNext(2, 'throttle', 'GetModelInvocationJob');
    expect((await list()).invocationJobSummaries).toBeDefined();
    expect(await errorOf(get())).toBeInstanceOf(ThrottlingException);
    expect(await errorOf(get())).toBeInstanceOf(ThrottlingException);
    expect((await get()).jobArn).toBeDefined();
  });

  it('should be retried away by the SDK within its default attempts', async () => {
    const retrying = clientFor(sim, { maxAttempts: 3 });
    sim.faults.failNext(2, 'internal');
    const out = await get(retrying);
    expect(out.$metadata.attempts).toBe(3);
    expect(sim.stats().calls.GetModelInvocationJob).toBe(3);
  });
});

describe('latency and hangs', () => {
  it('should add latencyMs to each request', async () => {
    sim.faults.latencyMs = 120;
    const started = performance.now();
    await get();
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('should hang requests until the client gives up, then forget them', async () => {
    sim.faults.hang = true;
    const impatient = clientFor(sim, { requestHandler: { requestTimeout: 150, throwOnRequestTimeout: true } });
    const error = await errorOf(get(impatient));
    expect(error.name).toBe('TimeoutError');
    expect(sim.stats().calls.GetModelInvocationJob).toBe(1);
    await vi.waitFor(() => expect(sim.stats().inFlight).toBe(0));
  });

  it('should answer held requests once hang is switched off', async () => {
    sim.faults.hang = true;
    const pending = get();
    await vi.waitFor(() => expect(sim.stats().inFlight).toBe(1));
    sim.faults.hang = false;
    expect((await pending).jobArn).toBeDefined();
    expect(sim.stats().inFlight).toBe(0);
  });

  it('should close promptly while requests hang', async () => {
    const doomed = await useSimulator();
    const c = clientFor(doomed);
    doomed.faults.hang = true;
    const pending = errorOf(c.send(new ListModelInvocationJobsCommand({})));
    await vi.waitFor(() => expect(doomed.stats().inFlight).toBe(1));
    const started = performance.now();
    await doomed.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(doomed.engine.running).toBe(false);
    expect(await pending).toBeInstanceOf(Error);
    await expect(fetch(`${doomed.url}/model-invocation-jobs`)).rejects.toThrow();
  });
});

describe('stats', () => {
  it('should count calls per operation and the most in flight at once', async () => {
    sim.faults.latencyMs = 60;
    await Promise.all([get(), get(), get(), get(), get(), list()]);
    const stats = sim.stats();
    expect(stats.calls).toEqual({
      GetModelInvocationJob: 5,
      ListModelInvocationJobs: 1,
      CreateModelInvocationJob: 0,
      StopModelInvocationJob: 0,
    });
    expect(stats.maxInFlight.GetModelInvocationJob).toBe(5);
    expect(stats.maxInFlight.ListModelInvocationJobs).toBe(1);
    expect(stats.inFlight).toBe(0);
  });

  it('should start counting afresh after resetStats()', async () => {
    await get();
    sim.resetStats();
    expect(sim.stats().calls.GetModelInvocationJob).toBe(0);
    expect(sim.stats().maxInFlight.GetModelInvocationJob).toBe(0);
  });
});
