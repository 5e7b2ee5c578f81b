// Upstream safety: the circuit breaker fails fast while Bedrock is down and recovers by itself;
// throttling and NOT_FOUND never open it; a probe that was never sent does not close it; all
// calls share a client-side call budget.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createBedrockClient } from '../src/bedrock/client.ts';
import { createCircuitBreaker } from '../src/bedrock/circuit-breaker.ts';
import { createInProcessJobCache } from '../src/bedrock/job-cache.ts';
import { createJobsApi } from '../src/bedrock/jobs.ts';
import { createTerminalJobCache } from '../src/bedrock/terminal-job-cache.ts';
import { loadConfig } from '../src/config.ts';
import { createFairShare } from '../src/limits/fair-share.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator } from '../src/simulator/index.ts';
import { errorCodesByPath, startTestGateway, type TestGateway } from './support/test-gateway.ts';

describe('createCircuitBreaker', () => {
  const clock = () => {
    let now = 0;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };
  const admitOrThrow = (breaker: ReturnType<typeof createCircuitBreaker>) => {
    const admission = breaker.admit();
    if (!admission.admitted) throw new Error('refused');
    return admission.ticket;
  };

  it('should open after N consecutive failures and refuse calls until the cool-down ends', () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: time.now });
    admitOrThrow(breaker).failure();
    admitOrThrow(breaker).failure();
    admitOrThrow(breaker).success(); // resets the streak
    for (let i = 0; i < 3; i++) admitOrThrow(breaker).failure();
    expect(breaker.state).toBe('open');
    time.advance(400);
    expect(breaker.admit()).toEqual({ admitted: false, retryAfterMs: 600, consecutiveFailures: 3 });
  });

  it('should let exactly one probe through after the cool-down and close on its success', () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 1000, now: time.now });
    admitOrThrow(breaker).failure();
    time.advance(1000);
    const probe = admitOrThrow(breaker);
    expect(breaker.state).toBe('half-open');
    expect(breaker.admit().admitted).toBe(false); // only one probe at a time
    probe.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.admit().admitted).toBe(true);
  });

  it('should reopen for a whole cool-down when the probe fails', () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 1000, now: time.now });
    admitOrThrow(breaker).failure();
    time.advance(1000);
    admitOrThrow(breaker).failure();
    expect(breaker.state).toBe('open');
    time.advance(999);
    expect(breaker.admit().admitted).toBe(false);
    time.advance(1);
    expect(breaker.admit().admitted).toBe(true);
  });

  it('should keep a half-open circuit half-open when its probe is abandoned, and give the probe slot back', () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 1000, now: time.now });
    admitOrThrow(breaker).failure();
    time.advance(1000);
    admitOrThrow(breaker).abandon();
    expect(breaker.state).toBe('half-open');
    const probe = admitOrThrow(breaker); // the slot is free again, with no new cool-down
    expect(breaker.admit().admitted).toBe(false);
    probe.success();
    expect(breaker.state).toBe('closed');
  });

  it('should count a ticket once however often it is settled', () => {
    const breaker = createCircuitBreaker({ failureThreshold: 2, cooldownMs: 1000 });
    const ticket = admitOrThrow(breaker);
    ticket.failure();
    ticket.failure();
    expect(breaker.state).toBe('closed');
  });
});

describe('circuit breaker in front of Bedrock', () => {
  let t: TestGateway;
  afterEach(() => t.close());
  const start = async () => {
    t = await startTestGateway({ CIRCUIT_BREAKER_FAILURES: '3', CIRCUIT_BREAKER_COOLDOWN_MS: '300', UPSTREAM_MAX_ATTEMPTS: '1' });
  };
  const lookup = (jobId: string) => t.graphql(`{ job: modelInvocationJob(jobIdentifier: "${jobId}") { jobId } }`);
  const calls = () => t.simulator.stats().calls.GetModelInvocationJob;

  it('should fail fast with UPSTREAM_UNAVAILABLE while Bedrock is down, then recover by itself', async () => {
    await start();
    const [job] = t.simulator.engine.addJobs(1, { status: 'InProgress' }, { paused: true });
    t.simulator.faults.failureRate = 1;
    for (let i = 0; i < 3; i++) expect(errorCodesByPath(await lookup(job!.jobId))).toEqual({ job: 'UPSTREAM_UNAVAILABLE' });
    expect(calls()).toBe(3);

    const fast = await lookup(job!.jobId);
    expect(errorCodesByPath(fast)).toEqual({ job: 'UPSTREAM_UNAVAILABLE' });
    expect(fast.errors![0]!.message).toMatch(/^Bedrock is unavailable: 3 calls in a row failed, .* \(circuit breaker\)$/);
    expect(calls()).toBe(3); // not sent
    // The instance stays in the load balancer: it reports the open circuit, it is not unready.
    const readyz = await fetch(`${t.url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({ ready: true, upstream: 'circuit-open', degraded: true });
    expect(await t.metrics()).toContain('gateway_upstream_circuit_state 2');

    t.simulator.faults.reset();
    // The cool-down is a timer: poll until the half-open probe has gone through and succeeded.
    await expect.poll(async () => errorCodesByPath(await lookup(job!.jobId)), { interval: 50, timeout: 3000 }).toEqual({});
    expect(await t.metrics()).toContain('gateway_upstream_circuit_state 0');
    expect(await t.metrics()).toMatch(/gateway_upstream_calls_total\{operation="GetModelInvocationJob",outcome="circuit_open"\} [1-9]/);
  });

  it('should not open on throttling or NOT_FOUND', async () => {
    await start();
    const [job] = t.simulator.engine.addJobs(1, { status: 'InProgress' }, { paused: true });
    t.simulator.faults.throttleRate = 1;
    for (let i = 0; i < 5; i++) expect(errorCodesByPath(await lookup(job!.jobId))).toEqual({ job: 'THROTTLED' });
    t.simulator.faults.reset();
    for (let i = 0; i < 5; i++) expect(errorCodesByPath(await lookup('zzzzzzzzzzzz'))).toEqual({ job: 'NOT_FOUND' });
    expect(calls()).toBe(10); // every call was sent
    expect(errorCodesByPath(await lookup(job!.jobId))).toEqual({});
  });

  it('should open on calls that time out', async () => {
    t = await startTestGateway({ CIRCUIT_BREAKER_FAILURES: '2', UPSTREAM_MAX_ATTEMPTS: '1', UPSTREAM_TIMEOUT_MS: '100', UPSTREAM_DEADLINE_MS: '300' });
    const [job] = t.simulator.engine.addJobs(1, { status: 'InProgress' }, { paused: true });
    t.simulator.faults.hang = true;
    await lookup(job!.jobId);
    await lookup(job!.jobId);
    const fast = await lookup(job!.jobId);
    expect(fast.errors![0]!.message).toContain('circuit breaker');
    t.simulator.faults.reset();
  });
});

describe('half-open probe and the call budget', () => {
  it('should not close the circuit on a probe that got no budget token, and close it on a real one', async () => {
    // One clock for the breaker's cool-down and the budget's refill: the test moves it, not time.
    let now = 0;
    const clock = () => now;
    const simulator = await startSimulator({ seed: false });
    const client = createBedrockClient(loadConfig({ UPSTREAM_MAX_ATTEMPTS: '1' }).upstream, {
      endpoint: simulator.url,
      region: SIMULATOR_REGION,
      credentials: SIMULATOR_CREDENTIALS,
    });
    try {
      const circuitBreaker = createCircuitBreaker({ failureThreshold: 1, cooldownMs: 1000, now: clock });
      const callBudget = createFairShare({ perSecond: 1, burst: 1, now: clock });
      const outcomes: string[] = [];
      const jobs = createJobsApi({
        client,
        cache: createInProcessJobCache(createTerminalJobCache(10)),
        deadlineMs: 200,
        logger: pino({ level: 'silent' }),
        circuitBreaker,
        callBudget,
        onCall: ({ outcome }) => outcomes.push(outcome),
      });
      const [job] = simulator.engine.addJobs(1, { status: 'InProgress' }, { paused: true });

      simulator.faults.failNext(1, 'internal');
      await expect(jobs.getJob(job!.jobId)).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
      expect(circuitBreaker.state).toBe('open');

      now += 1000; // the cool-down is over, and the budget has refilled its one token…
      expect(await callBudget.acquire('someone else')).toBe(true); // …which someone else takes
      await expect(jobs.getJob(job!.jobId)).rejects.toMatchObject({ extensions: { code: 'THROTTLED' } });
      expect(circuitBreaker.state).toBe('half-open');
      expect(simulator.stats().calls.GetModelInvocationJob).toBe(1); // the probe never went out

      now += 1000;
      await expect(jobs.getJob(job!.jobId)).resolves.toMatchObject({ jobArn: job!.jobArn });
      expect(circuitBreaker.state).toBe('closed');
      expect(outcomes).toEqual(['error', 'over_budget', 'success']);
    } finally {
      client.destroy();
      await simulator.close();
    }
  });
});

describe('client-side limits on upstream calls', () => {
  it('should share UPSTREAM_CALLS_PER_SECOND between all calls, failing with THROTTLED what cannot wait', async () => {
    const t = await startTestGateway({ UPSTREAM_CALLS_PER_SECOND: '1', UPSTREAM_CALLS_BURST: '3', UPSTREAM_DEADLINE_MS: '200' });
    try {
      const jobs = t.simulator.engine.addJobs(5, { status: 'InProgress' }, { paused: true });
      const response = await t.graphql(`query($ids: [String!]!) { jobs: modelInvocationJobsByIdentifier(jobIdentifiers: $ids) { jobId } }`, {
        ids: jobs.map((job) => job.jobId),
      });
      expect(Object.values(errorCodesByPath(response))).toEqual(['THROTTLED', 'THROTTLED']);
      expect(response.errors![0]!.message).toContain('UPSTREAM_CALLS_PER_SECOND');
      expect(t.simulator.stats().calls.GetModelInvocationJob).toBe(3);
    } finally {
      await t.close();
    }
  });

  it('should configure the SDK retry mode from UPSTREAM_RETRY_MODE', async () => {
    for (const mode of ['standard', 'adaptive'] as const) {
      const client = createBedrockClient(loadConfig({ UPSTREAM_RETRY_MODE: mode }).upstream, { region: 'us-east-1' });
      const strategy = (await client.config.retryStrategy()) as { mode?: string };
      expect(strategy.mode).toBe(mode);
      client.destroy();
    }
  });
});
