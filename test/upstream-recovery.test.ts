// Recovery after a Bedrock outage: once Bedrock answers again, subscribers hear what queries see
// within a round or two, however far the outage pushed the watched jobs' backoff.
import { describe, expect, it } from 'vitest';
import { useLeftovers } from './support/leftovers.ts';
import { sample } from './support/metrics.ts';
import { nextRound } from './support/poller-rounds.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import type { GraphQLResponse } from './support/test-gateway.ts';

const STATUS_CHANGED = `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status } }`;
const JOB = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) { status } }`;

const leftovers = useLeftovers();
const statusOf = (event: GraphQLResponse) => event.data?.modelInvocationJobStatusChanged?.status;

describe('recovery after an outage', () => {
  it('should refresh backed-off jobs in the next round once the circuit closes again', async () => {
    const t = await leftovers.gateway({
      POLL_INTERVAL_MS: '20',
      POLL_MAX_CALLS_PER_SECOND: '1000',
      UPSTREAM_CALLS_PER_SECOND: '1000',
      UPSTREAM_MAX_ATTEMPTS: '1',
      CIRCUIT_BREAKER_FAILURES: '2',
      CIRCUIT_BREAKER_COOLDOWN_MS: '100',
      RATE_LIMIT_RPS: '0',
    });
    const client = createWsClient(t.url);
    leftovers.push(() => client.dispose());
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const sub = subscribeWs(client, STATUS_CHANGED, { id: job.jobId });
    expect(statusOf(await sub.next())).toBe('IN_PROGRESS');

    // The outage: refreshes fail, then the open circuit refuses them, and the job backs off.
    // Six failures in a row put its next refresh 31 intervals away (the cap is 60 s).
    t.simulator.faults.failureRate = 1;
    const failedRefreshes = async () => {
      const metrics = await t.metrics();
      const series = (outcome: string) => `gateway_upstream_calls_total{operation="GetModelInvocationJob",outcome="${outcome}"}`;
      return (sample(metrics, series('error')) ?? 0) + (sample(metrics, series('circuit_open')) ?? 0);
    };
    while ((await failedRefreshes()) < 6) await nextRound(t.gateway.poller);

    // Bedrock is back, and the job finished meanwhile. A query sees it as soon as the circuit
    // lets its probe through…
    t.simulator.engine.setStatus(job.jobId, 'Completed');
    t.simulator.faults.reset();
    await expect
      .poll(async () => (await t.graphql(JOB, { id: job.jobId })).data?.modelInvocationJob?.status, { interval: 20, timeout: 5000 })
      .toBe('COMPLETED');

    // …and the subscriber hears it in the next round, not when the backoff would have ended.
    let rounds = 0;
    const off = t.gateway.poller.onRound(() => (rounds += 1));
    const final = await sub.next();
    off();
    expect(statusOf(final)).toBe('COMPLETED');
    expect(rounds).toBeLessThanOrEqual(2);
    await sub.done;
  });
});
