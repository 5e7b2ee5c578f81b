// /readyz says whether this instance can serve: 503 only while starting or draining, 200 with
// Bedrock's state otherwise (a throttle or an outage never takes the fleet out of the load
// balancer), read from real calls, with a probe only when nothing called Bedrock lately.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { startSimulator } from '../src/simulator/index.ts';
import { useLeftovers } from './support/leftovers.ts';
import { errorCodesByPath } from './support/test-gateway.ts';

const leftovers = useLeftovers();
const JOB = `query($id: String!) { job: modelInvocationJob(jobIdentifier: $id) { status } }`;

const readyz = async (url: string) => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('readiness while Bedrock is in trouble', () => {
  it('should stay 200 and report throttled, unavailable and circuit-open from the calls made, without probing', async () => {
    const t = await leftovers.gateway({ UPSTREAM_MAX_ATTEMPTS: '1', CIRCUIT_BREAKER_FAILURES: '2', RATE_LIMIT_RPS: '0' });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const lookup = async () => errorCodesByPath(await t.graphql(JOB, { id: job.jobId }));

    t.simulator.faults.throttleRate = 1;
    expect(await lookup()).toEqual({ job: 'THROTTLED' });
    expect(await readyz(t.url)).toEqual({
      status: 200,
      body: {
        ready: true,
        phase: 'serving',
        upstream: 'throttled',
        degraded: true,
        checks: { upstream: { ok: false, detail: expect.stringContaining('throttling') } },
      },
    });

    t.simulator.faults.reset();
    t.simulator.faults.failureRate = 1;
    expect(await lookup()).toEqual({ job: 'UPSTREAM_UNAVAILABLE' });
    expect(await readyz(t.url)).toMatchObject({ status: 200, body: { ready: true, upstream: 'unavailable', degraded: true } });

    expect(await lookup()).toEqual({ job: 'UPSTREAM_UNAVAILABLE' }); // the second failure in a row opens the circuit
    expect(await readyz(t.url)).toMatchObject({ status: 200, body: { ready: true, upstream: 'circuit-open', degraded: true } });

    // Every state came from the lookups: /readyz itself never called Bedrock.
    expect(t.simulator.stats().calls.ListModelInvocationJobs).toBe(0);
  });

  it('should probe once when nothing called Bedrock lately, however many checks come, and report what it found', async () => {
    const t = await leftovers.gateway({ UPSTREAM_MAX_ATTEMPTS: '1' });
    t.simulator.faults.failureRate = 1;
    const reports = await Promise.all(Array.from({ length: 10 }, () => readyz(t.url)));
    for (const report of reports) {
      expect(report).toMatchObject({ status: 200, body: { ready: true, upstream: 'unavailable' } });
    }
    for (let i = 0; i < 10; i++) await readyz(t.url);
    expect(t.simulator.stats().calls.ListModelInvocationJobs).toBe(1);
  });
});

describe('readiness of the instance itself', () => {
  it('should answer 503 while starting and while draining, whatever Bedrock says', async () => {
    const simulator = await startSimulator({ seed: false });
    leftovers.push(() => simulator.close());
    const config = loadConfig({ BEDROCK_BACKEND: 'simulator', HOST: '127.0.0.1', PORT: '0' });
    const gateway = await createGateway(config, { simulator, logger: pino({ level: 'silent' }), processMetrics: false });
    const inProcess = async () => {
      const response = await gateway.yoga.fetch('http://localhost/readyz');
      return { status: response.status, body: await response.json() };
    };

    expect(await inProcess()).toMatchObject({ status: 503, body: { ready: false, phase: 'starting' } });
    const url = await gateway.start();
    expect(await readyz(url)).toMatchObject({ status: 200, body: { ready: true, phase: 'serving' } });

    const closing = gateway.close();
    expect(await inProcess()).toMatchObject({ status: 503, body: { ready: false, phase: 'draining' } });
    await closing;
    expect(simulator.stats().calls.ListModelInvocationJobs).toBe(1); // only the probe while serving
  });
});
