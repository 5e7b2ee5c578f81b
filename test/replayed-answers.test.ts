// Answers of the response cache replayed in front of Yoga (src/http/replayed-answers.ts): byte for
// byte what Yoga sent, kept apart by everything that shaped them, and still admitted (credentials,
// rate) like every request. The finished-job cache is off, so a request that reaches execution
// costs an upstream call; the hit counter tells a replay from a hit through Yoga.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from './support/metrics.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const JOB = `query Job($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId status } }`;
const APP = 'https://app.example.com';
const KEYS = { reader: ['jobs:read'] };

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    TERMINAL_JOB_CACHE_SIZE: '0',
    POLL_INTERVAL_MS: '600000',
    CORS_ORIGINS: APP,
    AUTH_REQUIRED: 'true',
    GATEWAY_API_KEYS: JSON.stringify(KEYS),
    // Slow enough that no token comes back during a test; big enough for every test here.
    RATE_LIMIT_RPS: '1',
    RATE_LIMIT_BURST: '1000',
  });
});
afterAll(() => t.close());

const finishedJob = () => t.simulator.engine.createJob({ status: 'Completed' }, { paused: true }).jobId;
const getCalls = () => t.simulator.stats().calls.GetModelInvocationJob ?? 0;

async function hits(): Promise<{ replayed: number; pipeline: number }> {
  const text = await t.metrics();
  const count = (served: string) => sample(text, `gateway_response_cache_hits_total{served="${served}"}`) ?? 0;
  return { replayed: count('replayed'), pipeline: count('pipeline') };
}

/** What came back, headers by name without those that belong to one request. */
async function answer(id: string, headers: Record<string, string> = {}) {
  const response = await t.post({ query: JOB, variables: { id } }, { 'x-api-key': 'reader', ...headers });
  const all = Object.fromEntries(response.headers);
  const { 'x-request-id': requestId, date: _date, ...shaped } = all;
  return { status: response.status, headers: shaped, requestId, body: await response.text() };
}

/** The change in hit counts and upstream calls while `run` runs. */
async function measured<T>(run: () => Promise<T>) {
  const [before, calls] = [await hits(), getCalls()];
  const result = await run();
  const after = await hits();
  return { result, replayed: after.replayed - before.replayed, pipeline: after.pipeline - before.pipeline, calls: getCalls() - calls };
}

describe('replayed answers', () => {
  it('should answer the third identical request with the bytes and headers Yoga sent, without Yoga', async () => {
    const id = finishedJob();
    const first = await measured(() => answer(id));
    expect(first).toMatchObject({ calls: 1, replayed: 0, pipeline: 0 });
    const second = await measured(() => answer(id));
    expect(second).toMatchObject({ calls: 0, replayed: 0, pipeline: 1 });
    const third = await measured(() => answer(id, { 'x-request-id': 'client-chosen-id' }));
    expect(third).toMatchObject({ calls: 0, replayed: 1, pipeline: 0 });

    expect(third.result.status).toBe(200);
    expect(third.result.body).toBe(second.result.body);
    expect(third.result.headers).toEqual(second.result.headers);
    expect(third.result.headers.etag).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(third.result.body)).toEqual({ data: { modelInvocationJob: { jobId: id, status: 'COMPLETED' } } });
    // Each request keeps its own id; a client's own is echoed.
    expect(third.result.requestId).toBe('client-chosen-id');
    expect(second.result.requestId).not.toBe(first.result.requestId);
  });

  it('should keep answers apart by Accept and Origin, and replay each with its own headers', async () => {
    const id = finishedJob();
    const variants: Array<Record<string, string>> = [
      { accept: 'application/json' },
      { accept: 'application/graphql-response+json' },
      { accept: 'application/json', origin: APP },
    ];
    const seen: Array<Record<string, string>> = [];
    for (const headers of variants) {
      await answer(id, headers);
      await answer(id, headers);
      const replay = await measured(() => answer(id, headers));
      expect(replay).toMatchObject({ calls: 0, replayed: 1 });
      seen.push(replay.result.headers);
    }
    expect(seen.map((headers) => headers['content-type'])).toEqual([
      'application/json; charset=utf-8',
      'application/graphql-response+json; charset=utf-8',
      'application/json; charset=utf-8',
    ]);
    expect(seen[0]!['access-control-allow-origin']).toBeUndefined();
    expect(seen[2]!['access-control-allow-origin']).toBe(APP);
  });

  it('should refuse credentials that are not valid however the same query was answered before', async () => {
    const id = finishedJob();
    for (let i = 0; i < 3; i++) await answer(id);
    const refused = await measured(() => answer(id, { 'x-api-key': 'not-a-key' }));
    expect(refused.result.status).toBe(401);
    expect(JSON.parse(refused.result.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(refused).toMatchObject({ calls: 0, replayed: 0, pipeline: 0 });
    // The valid key's answer is still replayed.
    expect(await measured(() => answer(id))).toMatchObject({ replayed: 1 });
  });

  it("should spend one of the caller's tokens per replayed request, and refuse once they are gone", async () => {
    // A gateway of its own: its caller's burst is counted exactly.
    const limited = await startTestGateway({
      TERMINAL_JOB_CACHE_SIZE: '0',
      AUTH_REQUIRED: 'true',
      GATEWAY_API_KEYS: JSON.stringify(KEYS),
      RATE_LIMIT_RPS: '1',
      RATE_LIMIT_BURST: '5',
    });
    try {
      const id = limited.simulator.engine.createJob({ status: 'Completed' }, { paused: true }).jobId;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await limited.post({ query: JOB, variables: { id } }, { 'x-api-key': 'reader' })).status);
      // Five tokens: a miss, a hit through Yoga, three replays; the sixth request is refused.
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const text = await limited.metrics();
      expect(sample(text, 'gateway_response_cache_hits_total{served="replayed"}')).toBe(3);
      // Refused once, by the decision made before Yoga (not again inside it).
      expect(sample(text, 'gateway_graphql_rejected_total{reason="rate_limited"}')).toBe(1);
      const refused = await limited.post({ query: JOB, variables: { id } }, { 'x-api-key': 'reader' });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await refused.json()).errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
    } finally {
      await limited.close();
    }
  });

  it('should replay nothing that the response cache would not serve', async () => {
    const running = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true }).jobId;
    const unfinished = await measured(async () => {
      for (let i = 0; i < 3; i++) await answer(running);
    });
    expect(unfinished).toMatchObject({ calls: 3, replayed: 0, pipeline: 0 });
    // A conditional request is the response cache's own to answer (304), through Yoga.
    const id = finishedJob();
    const { headers } = await answer(id);
    for (let i = 0; i < 2; i++) await answer(id);
    const conditional = await measured(() => t.post({ query: JOB, variables: { id } }, { 'x-api-key': 'reader', 'if-none-match': headers.etag! }));
    expect(conditional.result.status).toBe(304);
    expect(conditional).toMatchObject({ replayed: 0 });
  });
});

describe('replayed answers, expiry', () => {
  it('should stop replaying an answer when the response cache entry it came from expires', async () => {
    const short = await startTestGateway({ TERMINAL_JOB_CACHE_SIZE: '0', RESPONSE_CACHE_TTL_MS: '1500' });
    try {
      const id = short.simulator.engine.createJob({ status: 'Completed' }, { paused: true }).jobId;
      const ask = () => short.post({ query: JOB, variables: { id } });
      for (let i = 0; i < 3; i++) await ask();
      const replayed = () => short.metrics().then((text) => sample(text, 'gateway_response_cache_hits_total{served="replayed"}'));
      expect(await replayed()).toBe(1);
      const calls = () => short.simulator.stats().calls.GetModelInvocationJob ?? 0;
      const before = calls();
      // Asked until an answer costs an upstream call again: the job is read anew once the entry is gone.
      await expect.poll(async () => (await ask(), calls()), { timeout: 10_000, interval: 100 }).toBeGreaterThan(before);
    } finally {
      await short.close();
    }
  });
});
