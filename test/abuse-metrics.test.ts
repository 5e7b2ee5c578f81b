// Metrics a client cannot inflate: whatever operation names, paths and methods clients send over
// HTTP and graphql-ws, /metrics stays under 1 MB with a bounded set of label values, and
// /healthz keeps answering while it is scraped.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/observability/metrics.ts';
import { ROUTES } from '../src/http/routes.ts';
import { sample } from './support/metrics.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { useLeftovers } from './support/leftovers.ts';

const leftovers = useLeftovers();

const ONE_MB = 1_000_000;
const LABEL_VALUE = /^[A-Za-z0-9_]{1,64}$/;

/** Every value a label takes in a Prometheus exposition. */
function labelValues(text: string, label: string): Set<string> {
  const values = new Set<string>();
  for (const match of text.matchAll(new RegExp(`[{,]${label}="((?:[^"\\\\]|\\\\.)*)"`, 'g'))) values.add(match[1]!);
  return values;
}

/** Runs `tasks` with at most `width` in flight. */
async function inBatches<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += width) results.push(...(await Promise.all(tasks.slice(i, i + width).map((task) => task()))));
  return results;
}

describe('metrics under hostile operation names', () => {
  it('should keep /metrics under 1 MB, its label values bounded and /healthz answering, whatever clients send over HTTP and graphql-ws', async () => {
    const t = await leftovers.gateway({ RATE_LIMIT_RPS: '0' });
    const finished = t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
    // Names of 90 KB (the attack in the issue), and more distinct names of the longest kept length
    // (64) than the cap, as queries and as mutations: the worst a client can do to the label set.
    const huge = (prefix: string, i: number) => `${prefix}${i}_${'x'.repeat(90_000)}`;
    const longest = (i: number) => `N${String(i).padStart(3, '0')}_${'y'.repeat(59)}`;
    expect(longest(0)).toHaveLength(64);

    const http: Array<() => Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) http.push(() => t.graphql(`query ${huge('Hq', i)} { __typename }`));
    for (let i = 0; i < 150; i++) {
      http.push(() => t.graphql(`query ${longest(i)} { __typename }`));
      http.push(() => t.graphql(`mutation ${longest(i)} { __typename }`));
    }
    for (const response of (await inBatches(http, 10)) as Array<{ data?: unknown }>) expect(response.data).toEqual({ __typename: expect.any(String) });

    const client = createWsClient(t.url);
    leftovers.push(() => client.dispose());
    const overSocket = (query: string) => async () => {
      const operation = subscribeWs(client, query, { id: finished.jobId });
      await operation.done;
      expect(operation.events.length).toBeGreaterThan(0);
      expect(operation.events.every((event) => !event.errors)).toBe(true);
    };
    const ws: Array<() => Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) ws.push(overSocket(`query ${huge('Wq', i)} { __typename }`));
    for (let i = 0; i < 5; i++) {
      ws.push(overSocket(`subscription ${huge('Ws', i)}($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status } }`));
    }
    for (let i = 150; i < 200; i++) ws.push(overSocket(`query ${longest(i)} { __typename }`));
    await inBatches(ws, 10);

    // Paths and methods no route knows.
    await inBatches(
      Array.from({ length: 50 }, (_, i) => () => fetch(`${t.url}/${'p'.repeat(1000)}${i}`, { method: i % 2 ? 'PROPFIND' : 'GET' }).then((r) => r.text())),
      10,
    );

    // Scrapes in flight while /healthz is asked: it answers promptly.
    const scrapes = Array.from({ length: 3 }, () => t.metrics());
    const askedAt = performance.now();
    const health = await fetch(`${t.url}/healthz`);
    const healthMs = performance.now() - askedAt;
    const [text] = await Promise.all(scrapes);
    expect(health.status).toBe(200);
    expect(healthMs).toBeLessThan(1000);

    expect(Buffer.byteLength(text!)).toBeLessThan(ONE_MB);
    const names = labelValues(text!, 'operation_name');
    expect(names.size).toBeLessThanOrEqual(200 + 2); // the cap, `_other` and `_anonymous`
    for (const name of names) expect(name).toMatch(LABEL_VALUE);
    // Every huge name was counted, under `_other`.
    const other = (type: string) => sample(text!, `gateway_graphql_operations_total{operation_name="_other",operation_type="${type}"}`) ?? 0;
    expect(other('query') + other('mutation') + other('subscription')).toBeGreaterThanOrEqual(20 + 20 + 5);
    expect(other('subscription')).toBe(5);
    expect(labelValues(text!, 'operation_type')).toEqual(new Set(['query', 'mutation', 'subscription']));
    expect([...labelValues(text!, 'route')].every((route) => ROUTES.includes(route) || route === 'other')).toBe(true);
    for (const status of labelValues(text!, 'status')) expect(status).toMatch(/^[1-5]\d\d$/);
    for (const code of labelValues(text!, 'code')) expect(code).toMatch(LABEL_VALUE);
  });

  it('should stay under 1 MB with every series a client can open at its longest, the cap reached for every operation type', async () => {
    const metrics = createMetrics({ processMetrics: false });
    for (const type of ['query', 'mutation', 'subscription', 'unknown', 'hostile']) {
      for (let i = 0; i < 300; i++) metrics.observeOperation(`${type}${i}_${'z'.repeat(60)}`.slice(0, 64), type, 0.01);
      metrics.observeOperation(undefined, type, 0.01);
      for (let i = 0; i < 100; i++) metrics.countError(type, `CODE_${i}`);
    }
    for (let status = 100; status < 600; status++) metrics.observeHttpRequest('other', status);
    metrics.observeHttpRequest('other', 1234);
    // Every upstream series too (the gateway's own names, no client's).
    const upstreamOperations = ['GetModelInvocationJob', 'ListModelInvocationJobs', 'CreateModelInvocationJob', 'StopModelInvocationJob', 'GetObject', 'ListObjectsV2', 'PutObject', 'HeadObject'];
    for (const operation of upstreamOperations) {
      for (const outcome of ['success', 'rejected', 'throttled', 'error', 'timeout', 'circuit_open', 'over_budget']) {
        metrics.observeUpstreamCall({ operation, outcome, attempts: 3, durationMs: 10 } as Parameters<typeof metrics.observeUpstreamCall>[0]);
      }
    }
    const text = await metrics.registry.metrics();
    // Room left for the process's own metrics (about 7 KB).
    expect(Buffer.byteLength(text)).toBeLessThan(ONE_MB - 50_000);
    expect(labelValues(text, 'operation_name').size).toBeLessThanOrEqual(200 + 2);
    expect(labelValues(text, 'operation_type')).toEqual(new Set(['query', 'mutation', 'subscription', 'unknown']));
    expect(labelValues(text, 'code').size).toBeLessThanOrEqual(50 + 1);
    expect(labelValues(text, 'status').has('1234')).toBe(false);
  });
});
