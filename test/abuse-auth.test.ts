// Guessing and flooding on every transport (issue 14, item 5): failed authentications from one
// address share one budget over HTTP, SSE, graphql-ws connection_init and the EventBridge secret,
// and are refused as over the limit once it is spent (429 with Retry-After, or close 4429);
// subscribe messages on a socket, valid or not, draw from their credential's WebSocket bucket,
// whose burst still lets a dashboard start all of its subscriptions at once.
import { describe, expect, it } from 'vitest';
import { ATTACKER, connect, send, type HttpAnswer } from './support/abuse-clients.ts';
import { useLeftovers } from './support/leftovers.ts';
import { sample } from './support/metrics.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import type { GraphQLResponse } from './support/test-gateway.ts';

const leftovers = useLeftovers();
const KEYS = { reader: 'abuse-reader-key-0123456789', other: 'abuse-other-key-0123456789' };
const EVENTBRIDGE_SECRET = 'abuse-eventbridge-secret-0123456789';
/** Small and slow, so the budget runs out within a few attempts. */
const RPS = 1;
const BURST = 5;
const secured = (env: Record<string, string> = {}) =>
  leftovers.gateway({
    AUTH_REQUIRED: 'true',
    GATEWAY_API_KEYS: JSON.stringify({ [KEYS.reader]: ['jobs:read'], [KEYS.other]: ['jobs:read'] }),
    POLL_INTERVAL_MS: '50',
    ...env,
  });

/** The most attempts a token bucket lets through since `startedAt`: its burst, plus what refilled meanwhile. */
const budgetSince = (startedAt: number, burst: number, perSecond: number) => burst + Math.ceil((performance.now() - startedAt) / 1000) * perSecond;

describe('failed authentications, per client address, on every transport', () => {
  it('should refuse key guessing over connection_init with 4429 once over the limit, while valid HTTP from another credential still works', async () => {
    const t = await secured({ RATE_LIMIT_RPS: String(RPS), RATE_LIMIT_BURST: String(BURST) });
    const startedAt = performance.now();
    const outcomes: Array<'acked' | number> = [];
    for (let i = 0; i < 40 && outcomes.at(-1) !== 4429; i++) {
      const { ws, outcome } = await connect(t.url, { 'x-api-key': `guess-${i}` }, { from: ATTACKER });
      leftovers.push(() => ws.socket.terminate());
      outcomes.push(outcome);
    }
    expect(outcomes.at(-1)).toBe(4429);
    const refusedAsWrong = outcomes.filter((outcome) => outcome === 4403).length;
    expect(refusedAsWrong).toBeGreaterThanOrEqual(BURST);
    expect(refusedAsWrong).toBeLessThanOrEqual(budgetSince(startedAt, BURST, RPS));
    expect(outcomes).not.toContain('acked');

    // The attacker's address is spent; another caller with valid credentials is not.
    expect((await t.post({ query: '{ __typename }' }, { 'x-api-key': KEYS.other })).status).toBe(200);
    const client = createWsClient(t.url, { connectionParams: { 'x-api-key': KEYS.reader } });
    leftovers.push(() => client.dispose());
    const job = t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
    const sub = subscribeWs(client, `subscription { modelInvocationJobStatusChanged(jobIdentifier: "${job.jobId}") { status } }`);
    await sub.done;
    expect(sub.events.map((event) => event.data?.modelInvocationJobStatusChanged.status)).toEqual(['COMPLETED']);
    expect(sample(await t.metrics(), 'gateway_graphql_rejected_total{reason="rate_limited"}')).toBeGreaterThanOrEqual(1);
  });

  it('should count wrong credentials over HTTP, SSE, graphql-ws and the EventBridge secret against one budget per address', async () => {
    const t = await secured({ RATE_LIMIT_RPS: String(RPS), RATE_LIMIT_BURST: String(BURST), EVENTBRIDGE_SECRET });
    const graphql = (headers: Record<string, string>, from = ATTACKER) =>
      send(`${t.url}/graphql`, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ __typename }' }), from });
    const overLimit = (answer: HttpAnswer) => {
      if (answer.status !== 429) return false;
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      return true;
    };
    /** Each transport's answer to a wrong credential: true when it says "over the limit". */
    const attempts: Record<string, () => Promise<boolean>> = {
      http: async () => overLimit(await graphql({ accept: 'application/graphql-response+json', 'x-api-key': 'guess' })),
      sse: async () => overLimit(await graphql({ accept: 'text/event-stream', 'x-api-key': 'guess' })),
      'graphql-ws': async () => {
        const { ws, outcome } = await connect(t.url, { 'x-api-key': 'guess' }, { from: ATTACKER });
        leftovers.push(() => ws.socket.terminate());
        expect([4403, 4429]).toContain(outcome);
        return outcome === 4429;
      },
      eventbridge: async () => {
        const answer = await send(`${t.url}/events/bedrock`, { headers: { 'x-eventbridge-secret': 'wrong-secret-0123456789' }, body: '{}', from: ATTACKER });
        expect([401, 429]).toContain(answer.status);
        return overLimit(answer);
      },
    };
    const transports = Object.keys(attempts);
    const startedAt = performance.now();
    const refusedOverLimit = new Set<string>();
    let refusedAsWrong = 0;
    for (let i = 0; i < 60 && refusedOverLimit.size < transports.length; i++) {
      const transport = transports[i % transports.length]!;
      if (await attempts[transport]!()) refusedOverLimit.add(transport);
      else refusedAsWrong += 1;
    }
    expect([...refusedOverLimit].sort()).toEqual([...transports].sort());
    expect(refusedAsWrong).toBeLessThanOrEqual(budgetSince(startedAt, BURST, RPS));

    // Valid credentials are never refused for their address's failures, nor other addresses at all.
    const event = JSON.stringify({ 'detail-type': 'Batch Inference Job State Change', detail: { batchJobArn: 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd12345678' } });
    expect((await send(`${t.url}/events/bedrock`, { headers: { 'x-eventbridge-secret': EVENTBRIDGE_SECRET }, body: event, from: ATTACKER })).status).toBe(202);
    expect((await graphql({ accept: 'application/graphql-response+json', 'x-api-key': KEYS.other }, ATTACKER)).status).toBe(200);
    expect((await graphql({ accept: 'application/graphql-response+json', 'x-api-key': 'guess' }, '127.0.0.1')).status).toBe(401);
  });
});

describe('subscribe messages on a socket', () => {
  // Not the per-connection cap's LIMIT_EXCEEDED, which a burst of messages can meet too.
  const isThrottled = (error: { message: string; extensions?: { code?: string; limit?: unknown } }) =>
    error.extensions?.code === 'LIMIT_EXCEEDED' && error.extensions.limit === 'RATE_LIMIT_WS_BURST' && error.message.includes('RATE_LIMIT_WS_BURST');

  it('should throttle a flood of invalid subscribe messages with LIMIT_EXCEEDED within a bounded count, keeping the connection open', async () => {
    const t = await secured({ RATE_LIMIT_RPS: String(RPS) });
    const { ws, outcome } = await connect(t.url, { 'x-api-key': KEYS.reader });
    leftovers.push(() => ws.socket.terminate());
    expect(outcome).toBe('acked');
    const FLOOD = 1000;
    const startedAt = performance.now();
    for (let i = 0; i < FLOOD; i++) ws.send({ type: 'subscribe', id: `flood-${i}`, payload: { query: '{' } });
    await ws.received('error', FLOOD);
    const errors = ws.messages.filter((message) => message.type === 'error').map((message) => (message.payload as GraphQLResponse['errors'])![0]!);
    const throttled = errors.filter(isThrottled).length;
    // Connection_init took one token from the same bucket (default burst 200).
    expect(FLOOD - throttled).toBeLessThanOrEqual(budgetSince(startedAt, 200, RPS));
    expect(throttled).toBeGreaterThan(0);

    // Still open, and still answering; other credentials are not throttled by it.
    ws.send({ type: 'ping' });
    await ws.received('pong');
    const other = createWsClient(t.url, { connectionParams: { 'x-api-key': KEYS.other } });
    leftovers.push(() => other.dispose());
    const job = t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
    const sub = subscribeWs(other, `subscription { modelInvocationJobStatusChanged(jobIdentifier: "${job.jobId}") { status } }`);
    await sub.done;
    expect(sub.events.map((event) => event.data?.modelInvocationJobStatusChanged.status)).toEqual(['COMPLETED']);
  });

  it("should start a dashboard's 90 row subscriptions and its account stream at once with the default limits, and throttle starts beyond the burst", async () => {
    const t = await secured();
    const jobs = t.simulator.engine.addJobs(90, { status: 'InProgress' }, { paused: true });
    const client = createWsClient(t.url, { connectionParams: { 'x-api-key': KEYS.reader } });
    leftovers.push(() => client.dispose());
    const startedAt = performance.now();
    const account = subscribeWs(client, 'subscription { modelInvocationJobsChanged { job { jobId } status } }');
    const rows = jobs.map((job) => subscribeWs(client, `subscription { modelInvocationJobUpdated(jobIdentifier: "${job.jobId}") { jobId status } }`));
    const firsts = await Promise.all(rows.map((row) => row.next()));
    expect(firsts.map((event) => event.errors)).toEqual(Array(90).fill(undefined));
    expect(firsts.map((event) => event.data?.modelInvocationJobUpdated.jobId)).toEqual(jobs.map((job) => job.jobId));
    // The account stream is live too: it reports the change (after the jobs it first saw).
    t.simulator.engine.setStatus(jobs[0]!.jobId, 'Completed');
    const isTheChange = (event: GraphQLResponse) =>
      event.data?.modelInvocationJobsChanged.job.jobId === jobs[0]!.jobId && event.data?.modelInvocationJobsChanged.status === 'COMPLETED';
    while (!isTheChange(await account.next()));
    expect(account.events.flatMap((event) => event.errors ?? [])).toEqual([]);

    // The burst is an allowance, not an exemption: the same credential's further starts are
    // throttled once it is spent (connection_init + 91 starts so far).
    const extra = Array.from({ length: 300 }, () => subscribeWs(client, '{'));
    const outcomes = await Promise.all(extra.map((sub) => sub.done.then(() => undefined, (errors: Array<{ message: string; extensions?: { code?: string } }>) => errors[0]!)));
    const throttled = outcomes.filter((error) => error && isThrottled(error)).length;
    expect(throttled).toBeGreaterThan(0);
    expect(1 + 91 + 300 - throttled).toBeLessThanOrEqual(budgetSince(startedAt, 200, 20));
  });
});

