// One client cannot starve the others of the upstream budget (issue 14, item 6): the instance's
// calls to Bedrock are shared between credentials in turn, each credential watches at most
// MAX_WATCHED_JOBS_PER_CREDENTIAL jobs at once, and subscriptions churned on unknown ids are
// charged to their caller (and cost nothing when repeated). Through the real server on loopback,
// against the simulator, whose call log says who got upstream calls and in which order.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { useLeftovers } from './support/leftovers.ts';
import { sample } from './support/metrics.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import type { GraphQLResponse, TestGateway } from './support/test-gateway.ts';
import { createUpstreamCallLog, type UpstreamCall, type UpstreamCallLog } from './support/upstream-calls.ts';

const leftovers = useLeftovers();

const KEYS = { heavy: 'heavy-key-0123456789', light: 'light-key-0123456789' };
// A small budget, so that it is the bottleneck: 10 calls a second, one at a time, and a call
// that cannot have a token within 4 s is THROTTLED: a caller may have 40 calls waiting.
const ENV = {
  AUTH_REQUIRED: 'true',
  GATEWAY_API_KEYS: JSON.stringify({ [KEYS.heavy]: ['jobs:read'], [KEYS.light]: ['jobs:read'] }),
  UPSTREAM_CALLS_PER_SECOND: '10',
  UPSTREAM_CALLS_BURST: '1',
  UPSTREAM_DEADLINE_MS: '4000',
  UPSTREAM_MAX_ATTEMPTS: '1',
  MAX_BATCH_IDENTIFIERS: '200',
  // Other limits would stop the heavy client before the budget does.
  RATE_LIMIT_RPS: '0',
  MAX_STREAMS_PER_CREDENTIAL: '0',
  RESPONSE_CACHE_SIZE: '0',
};

const JOB = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId status } }`;
const LIST = `{ modelInvocationJobs(first: 5) { nodes { jobId } } }`;
const BATCH = `query($ids: [String!]!) { modelInvocationJobsByIdentifier(jobIdentifiers: $ids) { jobId } }`;
const STATUS_CHANGED = `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status } }`;

/** Well-formed job ids no job has. */
const unknownIds = (count: number) => Array.from({ length: count }, () => randomBytes(6).toString('hex'));

/** POSTs a JSON body from a given local address; the answer is not awaited, only aborted. */
function postFrom(localAddress: string, url: string, body: unknown): { abort(): void } {
  const request = httpRequest(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } });
  request.on('error', () => undefined);
  request.on('response', (response) => response.resume());
  request.end(JSON.stringify(body));
  return { abort: () => request.destroy() };
}

async function start(env: Record<string, string> = {}): Promise<{ t: TestGateway; log: UpstreamCallLog }> {
  const log = createUpstreamCallLog();
  const t = await leftovers.gateway({ ...ENV, ...env }, { logger: log.logger });
  return { t, log };
}

const asKey = (t: TestGateway, key: string) => (query: string, variables?: Record<string, unknown>) =>
  t.graphql(query, variables, { headers: { 'x-api-key': key } });

const wsClient = (t: TestGateway, key: string): Client => {
  const client = createWsClient(t.url, { connectionParams: { 'x-api-key': key } });
  leftovers.push(() => client.dispose());
  return client;
};

/**
 * Heavy calls Bedrock may serve between a light request being sent and its own call: one turn
 * (the heavy call served before it), one already on its way, and what went out while the light
 * request was still being read and admitted (a token every 100 ms). Served first come first
 * served, it would wait behind the heavy client's whole queue: up to 40.
 */
const MOST_AHEAD = 4;

/**
 * Runs the light client's request and says how many of the heavy client's calls Bedrock served
 * between the request being sent and the light client's own call reaching Bedrock.
 */
async function heavyCallsAhead(log: UpstreamCallLog, isLight: (call: UpstreamCall) => boolean, request: () => Promise<GraphQLResponse>) {
  const from = log.calls.length;
  const response = await request();
  const calls = log.calls.slice(from);
  const own = calls.findIndex(isLight);
  return { response, ahead: own < 0 ? Infinity : calls.slice(0, own).filter((call) => !isLight(call)).length };
}

describe('upstream budget shared between credentials', () => {
  it("should serve a light key's queries within a turn while a heavy key floods the budget with unknown ids", async () => {
    // The flood is cut short when the test ends: no need to wait for its answers.
    const { t, log } = await start({ SHUTDOWN_TIMEOUT_MS: '0' });
    const jobs = t.simulator.engine.addJobs(3, { status: 'InProgress' }, { paused: true });
    const light = asKey(t, KEYS.light);

    // 10 concurrent requests of 200 unknown ids each: 100 calls at once (UPSTREAM_CONCURRENCY 10
    // per request), 10 s of the budget, and 2000 in all, 200 s of it.
    const heavyIds = new Set<string>();
    const stopFlood = new AbortController();
    leftovers.push(() => stopFlood.abort());
    let answered = 0;
    const flood = Array.from({ length: 10 }, async () => {
      const ids = unknownIds(200);
      ids.forEach((id) => heavyIds.add(id));
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEYS.heavy },
        body: JSON.stringify({ query: BATCH, variables: { ids } }),
        signal: stopFlood.signal,
      });
      const body = (await response.json()) as GraphQLResponse;
      answered += 1;
      return body;
    });
    flood.forEach((request) => request.catch(() => undefined));
    const isHeavy = (call: UpstreamCall) => call.jobId !== undefined && heavyIds.has(call.jobId);
    await expect.poll(() => log.calls.filter(isHeavy).length, { interval: 10, timeout: 5000 }).toBeGreaterThanOrEqual(5);

    const results: Array<{ response: GraphQLResponse; ahead: number }> = [];
    for (const job of jobs) {
      results.push(await heavyCallsAhead(log, (call) => call.jobId === job.jobId, () => light(JOB, { id: job.jobId })));
      results.push(await heavyCallsAhead(log, (call) => call.operation === 'ListModelInvocationJobs', () => light(LIST)));
    }

    for (const { response } of results) expect(response.errors).toBeUndefined();
    expect(results.map(({ response }) => response.data?.modelInvocationJob?.jobId ?? 'list')).toEqual(
      jobs.flatMap((job) => [job.jobId, 'list']),
    );
    for (const { ahead } of results) expect(ahead).toBeLessThanOrEqual(MOST_AHEAD);
    // All the while the heavy key still had calls waiting…
    expect(answered).toBeLessThan(10);
    // …and those its turns could not serve in time were refused at once, not queued.
    expect(sample(await t.metrics(), 'gateway_graphql_rejected_total{reason="upstream_share"}')).toBeGreaterThan(0);
  });

  it('should give callers without credentials a share per client address', async () => {
    const { t, log } = await start({ AUTH_REQUIRED: 'false', GATEWAY_API_KEYS: '', SHUTDOWN_TIMEOUT_MS: '0' });
    const [job] = t.simulator.engine.addJobs(1, { status: 'InProgress' }, { paused: true });

    // The flood comes from 127.0.0.2, the test's own queries from 127.0.0.1.
    const heavyIds = new Set<string>();
    const flood = Array.from({ length: 10 }, () => {
      const ids = unknownIds(200);
      ids.forEach((id) => heavyIds.add(id));
      return postFrom('127.0.0.2', `${t.url}/graphql`, { query: BATCH, variables: { ids } });
    });
    leftovers.push(() => flood.forEach((request) => request.abort()));
    const isHeavy = (call: UpstreamCall) => call.jobId !== undefined && heavyIds.has(call.jobId);
    await expect.poll(() => log.calls.filter(isHeavy).length, { interval: 10, timeout: 5000 }).toBeGreaterThanOrEqual(5);

    for (let i = 0; i < 3; i++) {
      const { response, ahead } = await heavyCallsAhead(log, (call) => call.jobId === job!.jobId, () => t.graphql(JOB, { id: job!.jobId }));
      expect(response.errors).toBeUndefined();
      expect(ahead).toBeLessThanOrEqual(MOST_AHEAD);
    }
  });

  it("should not let a key churning subscriptions on random ids throttle another key's queries", async () => {
    const { t, log } = await start();
    const jobs = t.simulator.engine.addJobs(5, { status: 'InProgress' }, { paused: true });
    const light = asKey(t, KEYS.light);
    const churner = wsClient(t, KEYS.heavy);

    // 30 subscriptions at a time, each on a new unknown id, restarted as soon as it ends: 3 s of
    // the budget always spoken for, for as long as the test runs.
    const churnIds = new Set<string>();
    let churning = true;
    let started = 0;
    const churn = Array.from({ length: 30 }, async () => {
      while (churning) {
        const [id] = unknownIds(1) as [string];
        churnIds.add(id);
        started += 1;
        const sub = subscribeWs(churner, STATUS_CHANGED, { id });
        await sub.done.catch(() => undefined);
      }
    });
    const isChurn = (call: UpstreamCall) => call.jobId !== undefined && churnIds.has(call.jobId);
    await expect.poll(() => log.calls.filter(isChurn).length, { interval: 10, timeout: 5000 }).toBeGreaterThanOrEqual(5);

    const results: Array<{ response: GraphQLResponse; ahead: number }> = [];
    for (const job of jobs) {
      results.push(await heavyCallsAhead(log, (call) => call.jobId === job.jobId, () => light(JOB, { id: job.jobId })));
    }
    churning = false;
    await Promise.all(churn);

    for (const { response } of results) expect(response.errors).toBeUndefined();
    for (const { ahead } of results) expect(ahead).toBeLessThanOrEqual(MOST_AHEAD);
    expect(started).toBeGreaterThan(30);
    // Each churned id cost its subscription's one call; the poller never refreshed one besides.
    const callsPerChurnedId = new Map<string, number>();
    for (const call of log.calls.filter(isChurn)) callsPerChurnedId.set(call.jobId!, (callsPerChurnedId.get(call.jobId!) ?? 0) + 1);
    expect(Math.max(...callsPerChurnedId.values())).toBe(1);
  });

  it('should answer a subscription to an id just found unknown again without another upstream call', async () => {
    const { t, log } = await start();
    const client = wsClient(t, KEYS.heavy);
    const [id] = unknownIds(1) as [string];
    for (let i = 0; i < 5; i++) {
      const sub = subscribeWs(client, STATUS_CHANGED, { id });
      await sub.done;
      expect(sub.events.map((event) => event.errors?.[0]?.extensions?.code)).toEqual(['NOT_FOUND']);
    }
    expect(log.gets(id)).toBe(1);
    expect(t.gateway.poller.stats().watched).toBe(0);
  });
});

describe('MAX_WATCHED_JOBS_PER_CREDENTIAL', () => {
  it('should refuse a 4th distinct job to one key with LIMIT_EXCEEDED, let another key subscribe, and free a slot when a subscription ends', async () => {
    const { t, log } = await start({ MAX_WATCHED_JOBS_PER_CREDENTIAL: '3', UPSTREAM_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_BURST: '1000' });
    const jobs = t.simulator.engine.addJobs(4, { status: 'InProgress' }, { paused: true });
    const [j1, j2, j3, j4] = jobs.map((job) => job.jobId) as [string, string, string, string];
    const a = wsClient(t, KEYS.heavy);
    const b = wsClient(t, KEYS.light);
    const first = async (sub: ReturnType<typeof subscribeWs>) => (await sub.next()).data?.modelInvocationJobStatusChanged?.status;

    const held = [j1, j2, j3].map((id) => subscribeWs(a, STATUS_CHANGED, { id }));
    for (const sub of held) expect(await first(sub)).toBe('IN_PROGRESS');
    // The same job again is not another job.
    const again = subscribeWs(a, STATUS_CHANGED, { id: j1 });
    expect(await first(again)).toBe('IN_PROGRESS');

    const callsBefore = log.calls.length;
    const refused = subscribeWs(a, STATUS_CHANGED, { id: j4 });
    expect((await refused.next()).errors?.[0]).toMatchObject({
      message: expect.stringContaining('MAX_WATCHED_JOBS_PER_CREDENTIAL'),
      extensions: { code: 'LIMIT_EXCEEDED', limit: 'MAX_WATCHED_JOBS_PER_CREDENTIAL' },
    });
    await refused.done;
    expect(refused.events).toHaveLength(1);
    expect(log.calls.slice(callsBefore).filter((call) => call.jobId === j4)).toHaveLength(0); // refused before any call
    expect(sample(await t.metrics(), 'gateway_graphql_rejected_total{reason="watch_limit"}')).toBe(1);

    // Another key has its own allowance.
    const other = subscribeWs(b, STATUS_CHANGED, { id: j4 });
    expect(await first(other)).toBe('IN_PROGRESS');

    // Ending the second subscription to j1 frees nothing (j1 is still watched); ending the one
    // to j2 gives its slot back.
    again.unsubscribe();
    await expect.poll(() => t.gateway.feed.size, { interval: 10, timeout: 5000 }).toBe(4);
    const stillRefused = subscribeWs(a, STATUS_CHANGED, { id: j4 });
    expect((await stillRefused.next()).errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');

    held[1]!.unsubscribe();
    await expect.poll(() => t.gateway.feed.size, { interval: 10, timeout: 5000 }).toBe(3);
    const admitted = subscribeWs(a, STATUS_CHANGED, { id: j4 });
    expect(await first(admitted)).toBe('IN_PROGRESS');
  });
});
