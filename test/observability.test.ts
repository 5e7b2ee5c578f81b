// Observability: request ids, one JSON log line per operation without secrets, Prometheus
// metrics that move with traffic, and OTLP traces sent to a collector on a loopback port.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createTracing } from '../src/observability/tracing.ts';
import { signHs256 } from './support/identity-provider.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';
import { useLeftovers } from './support/leftovers.ts';
import { sample } from './support/metrics.ts';

const leftovers = useLeftovers();

function start(env: Record<string, string> = {}, logLines?: string[]): Promise<TestGateway> {
  // Operations log at debug (at info only the summary counts them: see log-summary.test.ts).
  const logger = logLines ? createLogger({ logLevel: 'debug' }, { write: (line: string) => void logLines.push(line) }) : undefined;
  return leftovers.gateway(env, {}, { logger });
}


const JOB_STATUS = `query JobStatus($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId status } }`;

describe('request ids', () => {
  it('should make one per request and echo it in x-request-id', async () => {
    const t = await start();
    const [a, b] = await Promise.all([t.post({ query: '{ __typename }' }), t.post({ query: '{ __typename }' })]);
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers.get('x-request-id')).not.toBe(a.headers.get('x-request-id'));
  });

  it("should keep the client's x-request-id when it is a plain token, and replace anything else", async () => {
    const t = await start();
    expect((await t.post({ query: '{ __typename }' }, { 'x-request-id': 'trace-4711.a:b' })).headers.get('x-request-id')).toBe('trace-4711.a:b');
    for (const hostile of ['{"forged":"log"}', 'x'.repeat(200), 'a b']) {
      expect((await t.post({ query: '{ __typename }' }, { 'x-request-id': hostile })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('logs', () => {
  const SECRET = 'logging-test-secret-of-at-least-32-chars';
  const KEY = 'logging-test-api-key-do-not-print';

  it('should write one JSON line per operation with its request id, principal and outcome, and never a credential', async () => {
    const lines: string[] = [];
    const t = await start({ AUTH_REQUIRED: 'true', GATEWAY_API_KEYS: JSON.stringify({ [KEY]: ['jobs:read'] }), JWT_SECRET: SECRET }, lines);
    const job = t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
    const token = await signHs256(SECRET, 'jobs:read', { subject: 'alice' });

    await t.post({ query: JOB_STATUS, variables: { id: job.jobId } }, { 'x-api-key': KEY, 'x-request-id': 'req-1' });
    await t.post({ query: JOB_STATUS, variables: { id: 'zzzzzzzzzzzz' } }, { authorization: `Bearer ${token}`, 'x-request-id': 'req-2' });
    await t.post({ query: '{ __typename }' }, { 'x-api-key': `${KEY}-wrong`, 'x-request-id': 'req-3' });
    const client = createWsClient(t.url, { connectionParams: { 'x-api-key': KEY } });
    leftovers.push(() => client.dispose());
    await subscribeWs(client, `subscription Watch { modelInvocationJobUpdated(jobIdentifier: "${job.jobId}") { status } }`).done;
    await expect.poll(() => lines.filter((l) => l.includes('"transport":"ws"')).length).toBe(1);

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.msg === 'graphql operation');
    expect(entries).toEqual([
      expect.objectContaining({ requestId: 'req-1', transport: 'http', principal: expect.stringMatching(/^key:[0-9a-f]{12}$/), operationName: 'JobStatus', operationType: 'query', status: 200, durationMs: expect.any(Number) }),
      expect.objectContaining({ requestId: 'req-2', principal: 'jwt:alice', operationName: 'JobStatus', errorCodes: ['NOT_FOUND'], status: 200 }),
      expect.objectContaining({ requestId: 'req-3', errorCodes: ['UNAUTHENTICATED'], status: 401 }),
      expect.objectContaining({ transport: 'ws', operationName: 'Watch', operationType: 'subscription', requestId: expect.any(String) }),
    ]);
    expect(entries[2]).not.toHaveProperty('principal');
    const everything = lines.join('\n');
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(SECRET);
  });

  it("should log at most 128 characters of a client's operation name", async () => {
    const lines: string[] = [];
    const t = await start({}, lines);
    const name = `Q${'x'.repeat(90_000)}`;
    await t.post({ query: `query ${name} { __typename }` });
    await expect.poll(() => lines.some((line) => line.includes('"graphql operation"'))).toBe(true);
    const entry = lines.map((line) => JSON.parse(line) as { msg: string; operationName?: string }).find((e) => e.msg === 'graphql operation')!;
    expect(entry.operationName).toBe(`${name.slice(0, 128)}…`);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(2000);
  });

  it('should redact credentials wherever a log call puts headers or connection params', () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) });
    logger.info({ req: { headers: { authorization: 'Bearer abc', 'x-api-key': 'k1' } }, connectionParams: { 'x-api-key': 'k2' } }, 'x');
    expect(lines[0]).not.toMatch(/abc|k1|k2/);
    expect(lines[0]).toContain('[redacted]');
  });
});

describe('metrics', () => {
  it('should serve Prometheus text from a registry of its own', async () => {
    const t = await start();
    const other = await start();
    await t.graphql('query Ping { __typename }');
    const response = await fetch(`${t.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, 'gateway_graphql_operations_total{operation_name="Ping",operation_type="query"}')).toBe(1);
    expect(sample(await other.metrics(), 'gateway_graphql_operations_total{operation_name="Ping",operation_type="query"}')).toBeUndefined();
  });

  it('should count operations, their latency, errors, refusals and HTTP statuses', async () => {
    const t = await start({ MAX_ALIASES: '1' });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    await t.graphql(JOB_STATUS, { id: job.jobId });
    await t.graphql(JOB_STATUS, { id: 'zzzzzzzzzzzz' });
    await t.graphql('{ a: modelInvocationJob(jobIdentifier: "zzzzzzzzzzzz") { jobId } b: modelInvocationJob(jobIdentifier: "zzzzzzzzzzzz") { jobId } }');
    await t.graphql('{ nope }');
    const text = await t.metrics();
    const labels = 'operation_name="JobStatus",operation_type="query"';
    expect(sample(text, `gateway_graphql_operations_total{${labels}}`)).toBe(2);
    expect(sample(text, `gateway_graphql_operation_duration_seconds_count{${labels}}`)).toBe(2);
    expect(sample(text, 'gateway_graphql_errors_total{operation_type="query",code="NOT_FOUND"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_rejected_total{reason="limit_exceeded"}')).toBe(1);
    expect(sample(text, 'gateway_graphql_rejected_total{reason="invalid"}')).toBe(1);
    expect(sample(text, 'gateway_http_requests_total{route="/graphql",status="200"}')).toBe(2);
    expect(sample(text, 'gateway_http_requests_total{route="/graphql",status="400"}')).toBe(2);
    expect(sample(text, 'gateway_upstream_calls_total{operation="GetModelInvocationJob",outcome="success"}')).toBe(1);
    expect(sample(text, 'gateway_upstream_calls_total{operation="GetModelInvocationJob",outcome="rejected"}')).toBe(1);
  });

  it('should count upstream outcomes, SDK attempts and retries', async () => {
    const t = await start({ UPSTREAM_MAX_ATTEMPTS: '2' });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    t.simulator.faults.failNext(1, 'internal');
    await t.graphql(JOB_STATUS, { id: job.jobId }); // 5xx once, then answered
    t.simulator.faults.failNext(2, 'internal');
    await t.graphql(JOB_STATUS, { id: job.jobId }); // 5xx through both attempts
    t.simulator.faults.failNext(1, 'accessDenied');
    await t.graphql(JOB_STATUS, { id: job.jobId }); // a 4xx answer: not retried
    const text = await t.metrics();
    const op = 'operation="GetModelInvocationJob"';
    expect(sample(text, `gateway_upstream_calls_total{${op},outcome="success"}`)).toBe(1);
    expect(sample(text, `gateway_upstream_calls_total{${op},outcome="error"}`)).toBe(1);
    expect(sample(text, `gateway_upstream_calls_total{${op},outcome="rejected"}`)).toBe(1);
    expect(sample(text, `gateway_upstream_attempts_total{${op}}`)).toBe(5);
    expect(sample(text, `gateway_upstream_retries_total{${op}}`)).toBe(2);
    expect(sample(text, `gateway_upstream_call_duration_seconds_count{${op},outcome="error"}`)).toBe(1);
    expect(sample(text, 'gateway_upstream_circuit_state')).toBe(0);
  });

  it('should count calls Bedrock kept throttling', async () => {
    const t = await start({ UPSTREAM_MAX_ATTEMPTS: '1' });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    t.simulator.faults.failNext(1, 'throttle');
    await t.graphql(JOB_STATUS, { id: job.jobId });
    expect(sample(await t.metrics(), 'gateway_upstream_calls_total{operation="GetModelInvocationJob",outcome="throttled"}')).toBe(1);
  });

  it('should show active subscriptions, watched jobs, poll rounds and WebSocket connections', async () => {
    const t = await start({ POLL_INTERVAL_MS: '20' });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const client = createWsClient(t.url);
    leftovers.push(() => client.dispose());
    const sub = subscribeWs(client, `subscription { modelInvocationJobUpdated(jobIdentifier: "${job.jobId}") { status } }`);
    await sub.next();
    await new Promise<void>((resolve) => {
      const off = t.gateway.poller.onRound(() => (off(), resolve()));
    });
    const during = await t.metrics();
    expect(sample(during, 'gateway_subscriptions_active')).toBe(1);
    expect(sample(during, 'gateway_websocket_connections')).toBe(1);
    expect(sample(during, 'gateway_poller_watched_jobs')).toBe(1);
    expect(sample(during, 'gateway_poller_pollable_jobs')).toBe(1);
    expect(sample(during, 'gateway_poller_rounds_total')).toBeGreaterThanOrEqual(1);
    expect(sample(during, 'gateway_poller_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(during, 'gateway_graphql_operations_total{operation_name="_anonymous",operation_type="subscription"}')).toBe(1);

    expect(sample(during, 'gateway_subscription_fanout_seconds_count')).toBe(0);

    t.simulator.engine.setStatus(job.jobId, 'Completed');
    await sub.done;
    await expect.poll(async () => sample(await t.metrics(), 'gateway_subscriptions_active')).toBe(0);
    const after = await t.metrics();
    expect(sample(after, 'gateway_poller_watched_jobs')).toBe(0);
    // The change reached its one subscriber: one fan-out, timed from the poll that observed it.
    expect(sample(after, 'gateway_subscription_fanout_seconds_count')).toBe(1);
    expect(sample(after, 'gateway_subscription_fanout_seconds_sum')).toBeGreaterThanOrEqual(0);
    expect(sample(after, 'gateway_subscription_fanout_seconds_bucket{le="+Inf"}')).toBe(1);
  });

  it('should keep operation-name label values bounded', () => {
    const metrics = createMetrics({ processMetrics: false, maxOperationNames: 2 });
    for (const name of ['A', 'B', 'C', 'D', 'A']) metrics.observeOperation(name, 'query', 0.01);
    return metrics.registry.getSingleMetricAsString('gateway_graphql_operations_total').then((text) => {
      expect(sample(text, 'gateway_graphql_operations_total{operation_name="A",operation_type="query"}')).toBe(2);
      expect(sample(text, 'gateway_graphql_operations_total{operation_name="_other",operation_type="query"}')).toBe(2);
    });
  });
});

describe('tracing', () => {
  interface OtlpSpan {
    name: string;
    spanId: string;
    parentSpanId?: string;
    traceId: string;
  }

  /** A collector on a loopback port that keeps what the OTLP/HTTP exporter posts. */
  async function startCollector() {
    const bodies: Array<{ resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        if (req.url === '/v1/traces') bodies.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    leftovers.push(() => new Promise((resolve) => server.close(resolve)));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
  }

  it('should export a span per operation with its upstream calls as children when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const collector = await startCollector();
    const t = await startTestGateway({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    const [a, b] = t.simulator.engine.addJobs(2, { status: 'InProgress' }, { paused: true });
    await t.graphql(`query Two { a: modelInvocationJob(jobIdentifier: "${a!.jobId}") { jobId } b: modelInvocationJob(jobIdentifier: "${b!.jobId}") { jobId } }`);
    await t.close(); // flushes the batch processor

    const resourceSpans = collector.bodies.flatMap((body) => body.resourceSpans);
    expect(resourceSpans[0]!.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'bedrock-jobs-gateway' } });
    const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const operation = spans.find((span) => span.name === 'query Two');
    expect(operation).toBeDefined();
    const upstream = spans.filter((span) => span.name === 'Bedrock GetModelInvocationJob');
    expect(upstream).toHaveLength(2);
    for (const span of upstream) {
      expect(span.parentSpanId).toBe(operation!.spanId);
      expect(span.traceId).toBe(operation!.traceId);
    }
  });

  it('should do nothing without an endpoint', async () => {
    const tracing = await createTracing({ otlpEndpoint: undefined, serviceName: 'x' });
    expect(tracing.enabled).toBe(false);
    await expect(tracing.span('x', {}, () => 42)).resolves.toBe(42);
  });
});
