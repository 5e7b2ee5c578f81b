// Signed status webhooks against a real gateway, the embedded simulator and receivers on loopback
// ports that verify every request with the standardwebhooks library: what is announced and with
// what body, retries under one webhook-id, giving up with one warning, a receiver that never
// answers holding up nothing else, and the WEBHOOK_* variables refused with their names.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { startSimulator, type Simulator } from '../src/simulator/index.ts';
import { createEventQueue } from './support/event-queue.ts';
import { useLeftovers } from './support/leftovers.ts';
import { sample } from './support/metrics.ts';
import { nextRound } from './support/poller-rounds.ts';
import { startProcess } from './support/process.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { closedPort, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const FAST = { POLL_INTERVAL_MS: '50', POLL_MAX_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_PER_SECOND: '1000' };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const leftovers = useLeftovers();

type LogEntry = Record<string, any>;

/** Every log line of a gateway, parsed, with a way to await one. */
function captureLogs() {
  const entries: LogEntry[] = [];
  const arrived = createEventQueue<LogEntry>();
  const logger = createLogger({ logLevel: 'debug' }, {
    write(line: string) {
      const entry = JSON.parse(line) as LogEntry;
      entries.push(entry);
      arrived.push(entry);
    },
  });
  const waitFor = async (matches: (entry: LogEntry) => boolean) => {
    const seen = entries.find(matches);
    if (seen) return seen;
    for (;;) {
      const entry = await arrived.next();
      if (matches(entry)) return entry;
    }
  };
  return { logger, entries, waitFor };
}

/**
 * A gateway over its own simulator with webhooks to `urls`, once its account baseline is read
 * (so jobs made from now on are news). `before` runs on the simulator before the gateway starts.
 */
async function start(urls: string[], env: Record<string, string> = {}, before?: (simulator: Simulator) => void) {
  const simulator = await startSimulator({ seed: false });
  leftovers.push(() => simulator.close());
  before?.(simulator);
  const logs = captureLogs();
  const config = loadConfig({
    BEDROCK_BACKEND: 'simulator',
    HOST: '127.0.0.1',
    PORT: '0',
    ...FAST,
    WEBHOOK_URLS: urls.join(','),
    WEBHOOK_SECRET: SECRET,
    ...env,
  });
  const gateway = await createGateway(config, { simulator, logger: logs.logger, processMetrics: false });
  const url = await gateway.start();
  leftovers.push(() => gateway.close());
  await nextRound(gateway.poller);
  const metrics = async () => (await fetch(`${url}/metrics`)).text();
  return { url, gateway, simulator, logs, metrics, nextRound: () => nextRound(gateway.poller) };
}

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(SECRET);
  leftovers.push(() => started.close());
  return started;
}

const deliveries = (text: string, outcome: string) => sample(text, `gateway_webhook_deliveries_total{outcome="${outcome}"}`) ?? 0;

describe('what is announced', () => {
  it('should announce a job finishing once, signed, with the change in the body (terminal statuses by default)', async () => {
    const hooks = await receiver();
    let running!: string;
    let finishedBefore!: string;
    const t = await start([hooks.url], {}, (simulator) => {
      running = simulator.engine.createJob({ status: 'InProgress' }, { paused: true, outcome: 'Completed' }).jobId;
      finishedBefore = simulator.engine.createJob({ status: 'Completed' }, { paused: true }).jobId;
    });
    const job = t.simulator.engine.createJob({ status: 'Submitted', jobName: 'hook-finishes' }, { paused: true, outcome: 'Completed', totalRecordCount: 120 });
    t.simulator.engine.setStatus(job.jobId, 'InProgress');
    await t.nextRound();
    await t.nextRound(); // a whole round has seen it running
    const finished = t.simulator.engine.setStatus(job.jobId, 'Completed');

    const delivery = await hooks.requests.next();
    expect(delivery).toMatchObject({ verified: true, method: 'POST', path: new URL(hooks.url).pathname, id: `msg_${job.jobId}_completed`, attempt: 1 });
    expect(delivery.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': expect.stringMatching(/^bedrock-jobs-gateway/) });
    expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(delivery.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(delivery.payload).toEqual({
      type: 'model-invocation-job.status-changed',
      timestamp: delivery.payload.data.observedAt,
      data: {
        jobArn: job.jobArn,
        jobName: 'hook-finishes',
        modelId: job.modelId,
        status: 'COMPLETED',
        previousStatus: 'IN_PROGRESS',
        observedAt: expect.stringMatching(ISO),
        totalRecordCount: 120,
        processedRecordCount: finished.processedRecordCount,
        successRecordCount: finished.successRecordCount,
        errorRecordCount: finished.errorRecordCount,
        message: finished.message ?? null,
      },
    });
    // The intermediate statuses were not announced; the change is not announced again.
    await t.nextRound();
    await t.nextRound();
    expect(hooks.requests.events.map((request) => request.id)).toEqual([`msg_${job.jobId}_completed`]);

    // A job that was running before start is news when it finishes; one finished before is not.
    t.simulator.engine.setStatus(running, 'Stopped');
    const stopped = await hooks.requests.next();
    expect(stopped.payload.data).toMatchObject({ status: 'STOPPED', previousStatus: 'IN_PROGRESS' });
    expect(hooks.requests.events.map((request) => request.id)).not.toContain(`msg_${finishedBefore}_completed`);
    // Counted once the receiver's answer is back at the sender, maybe just after the test saw the request.
    await expect.poll(async () => deliveries(await t.metrics(), 'delivered')).toBe(2);
  });

  it('should announce every status in order with WEBHOOK_STATUSES=all, each under its own id', async () => {
    const hooks = await receiver();
    const t = await start([hooks.url], { WEBHOOK_STATUSES: 'all' });
    const job = t.simulator.engine.createJob({ status: 'Submitted' }, { paused: true, outcome: 'Completed', totalRecordCount: 100 });
    const seen = [await hooks.requests.next()];
    for (let step = 0; step < 3; step++) {
      t.simulator.engine.advance(job.jobId);
      seen.push(await hooks.requests.next());
    }
    t.simulator.engine.setStatus(job.jobId, 'Completed');
    seen.push(await hooks.requests.next());

    expect(seen.map(({ payload }) => [payload.data.previousStatus, payload.data.status])).toEqual([
      [null, 'SUBMITTED'],
      ['SUBMITTED', 'VALIDATING'],
      ['VALIDATING', 'SCHEDULED'],
      ['SCHEDULED', 'IN_PROGRESS'],
      ['IN_PROGRESS', 'COMPLETED'],
    ]);
    expect(seen.map((request) => request.id)).toEqual(
      ['submitted', 'validating', 'scheduled', 'in_progress', 'completed'].map((status) => `msg_${job.jobId}_${status}`),
    );
    expect(seen.every((request) => request.verified)).toBe(true);
  });

  it('should announce only the statuses WEBHOOK_STATUSES names', async () => {
    const hooks = await receiver();
    const t = await start([hooks.url], { WEBHOOK_STATUSES: 'in_progress, FAILED' });
    const job = t.simulator.engine.createJob({ status: 'Scheduled' }, { paused: true, outcome: 'Completed', totalRecordCount: 100 });
    await t.nextRound();
    t.simulator.engine.advance(job.jobId);
    expect((await hooks.requests.next()).id).toBe(`msg_${job.jobId}_in_progress`);
    t.simulator.engine.setStatus(job.jobId, 'Completed');
    await t.nextRound();
    await t.nextRound(); // COMPLETED observed (and not queued) well before FAILED
    const failing = t.simulator.engine.createJob({ status: 'Failed' }, { paused: true });
    expect((await hooks.requests.next()).id).toBe(`msg_${failing.jobId}_failed`);
    expect(hooks.requests.events.map((request) => request.id)).not.toContain(`msg_${job.jobId}_completed`);
  });
});

describe('retries', () => {
  it('should retry a failing receiver under the same webhook-id until it takes the message', async () => {
    const failing = await receiver();
    failing.answer = ({ attempt }) => (attempt <= 2 ? 500 : 200);
    const slow = await receiver();
    slow.answer = ({ attempt }) => (attempt === 1 ? 'hang' : 200);
    const refusedPort = await closedPort();
    const t = await start([failing.url, slow.url, `http://127.0.0.1:${refusedPort}/hooks`], {
      WEBHOOK_RETRY_BASE_MS: '20',
      WEBHOOK_TIMEOUT_MS: '300',
      WEBHOOK_MAX_ATTEMPTS: '10',
    });
    const job = t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
    const id = `msg_${job.jobId}_completed`;

    // The third receiver starts listening once it has refused a connection.
    await t.logs.waitFor((entry) => entry.msg === 'webhook attempt' && entry.result === 'ECONNREFUSED');
    const late = await startWebhookReceiver(SECRET, { port: refusedPort });
    leftovers.push(() => late.close());
    const lateDelivery = await late.requests.next();

    const failingRequests = [await failing.requests.next(), await failing.requests.next(), await failing.requests.next()];
    const slowRequests = [await slow.requests.next(), await slow.requests.next()];
    for (const request of [...failingRequests, ...slowRequests, lateDelivery]) {
      expect(request).toMatchObject({ id, verified: true });
      expect(request.payload.data.status).toBe('COMPLETED');
    }
    expect(failingRequests.map((request) => request.attempt)).toEqual([1, 2, 3]);

    await expect.poll(async () => deliveries(await t.metrics(), 'delivered')).toBe(3);
    const text = await t.metrics();
    const refused = t.logs.entries.filter((entry) => entry.msg === 'webhook attempt' && entry.result === 'ECONNREFUSED').length;
    expect(deliveries(text, 'retried')).toBe(2 + 1 + refused);
    expect(deliveries(text, 'failed')).toBe(0);
    expect(sample(text, 'gateway_webhook_delivery_duration_seconds_count{result="delivered"}')).toBe(3);
    expect(sample(text, 'gateway_webhook_queued_messages')).toBe(0);
    expect(t.logs.entries.filter((entry) => entry.level >= 40 && entry.component === 'webhooks')).toEqual([]);
    expect([failing, slow, late].map((hooks) => hooks.requests.events.length)).toEqual([3, 2, 1]);
  });

  it('should give a message up after WEBHOOK_MAX_ATTEMPTS with one warning, never naming the secret or the URL path', async () => {
    const hooks = await receiver();
    hooks.answer = () => 503;
    const t = await start([hooks.url], { WEBHOOK_RETRY_BASE_MS: '10', WEBHOOK_MAX_ATTEMPTS: '3' });
    const job = t.simulator.engine.createJob({ status: 'Failed' }, { paused: true });

    const warning = await t.logs.waitFor((entry) => entry.level === 40 && entry.component === 'webhooks');
    expect(warning).toMatchObject({
      msg: 'webhook delivery given up after 3 attempts',
      webhookId: `msg_${job.jobId}_failed`,
      attempts: 3,
      lastResult: 'HTTP 503',
      receiver: `#1 http://127.0.0.1:${hooks.port}`,
    });
    expect(hooks.requests.events.map((request) => [request.id, request.verified])).toEqual(Array(3).fill([`msg_${job.jobId}_failed`, true]));
    const text = await t.metrics();
    expect({ failed: deliveries(text, 'failed'), retried: deliveries(text, 'retried'), delivered: deliveries(text, 'delivered') }).toEqual({
      failed: 1,
      retried: 2,
      delivered: 0,
    });
    const warnings = t.logs.entries.filter((entry) => entry.level >= 40 && entry.component === 'webhooks');
    expect(warnings).toHaveLength(1);
    const everything = JSON.stringify(t.logs.entries);
    expect(everything).not.toContain(SECRET.slice('whsec_'.length));
    expect(everything).not.toContain('receiver-token');
  });
});

describe('a receiver that never answers', () => {
  it('should delay neither polling nor subscriptions, and be abandoned at shutdown within SHUTDOWN_TIMEOUT_MS', async () => {
    const hooks = await receiver();
    hooks.answer = () => 'hang';
    const t = await start([hooks.url], { WEBHOOK_STATUSES: 'all', WEBHOOK_TIMEOUT_MS: '60000', SHUTDOWN_TIMEOUT_MS: '300' });
    const job = t.simulator.engine.createJob({ status: 'Submitted' }, { paused: true, outcome: 'Completed', totalRecordCount: 100 });
    const client = createWsClient(t.url);
    leftovers.push(() => client.dispose());
    const sub = subscribeWs(client, `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status } }`, { id: job.jobId });
    expect((await sub.next()).data!.modelInvocationJobStatusChanged.status).toBe('SUBMITTED');
    await hooks.requests.next(); // SUBMITTED's delivery, never answered

    const statuses: string[] = [];
    for (let step = 0; step < 3; step++) {
      t.simulator.engine.advance(job.jobId);
      const startedAt = performance.now();
      statuses.push((await sub.next()).data!.modelInvocationJobStatusChanged.status);
      // Within a few poll intervals, not WEBHOOK_TIMEOUT_MS.
      expect(performance.now() - startedAt).toBeLessThan(5000);
    }
    t.simulator.engine.setStatus(job.jobId, 'Completed');
    statuses.push((await sub.next()).data!.modelInvocationJobStatusChanged.status);
    await sub.done;
    expect(statuses).toEqual(['VALIDATING', 'SCHEDULED', 'IN_PROGRESS', 'COMPLETED']);
    // Every change reached the receiver, none was answered, and they all still wait.
    await expect.poll(() => hooks.requests.events.length).toBe(4); // at most 4 in flight
    expect(sample(await t.metrics(), 'gateway_webhook_queued_messages')).toBe(5);

    const closing = performance.now();
    await t.gateway.close();
    expect(performance.now() - closing).toBeLessThan(3000);
    expect(t.logs.entries.find((entry) => entry.msg?.startsWith('shutdown:') && entry.component === 'webhooks')).toMatchObject({ abandoned: 5 });
  });
});

describe('configuration', () => {
  const base = { WEBHOOK_URLS: 'https://hooks.example.com/bedrock' };
  const secretOf = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;

  it('should read the webhooks, off without WEBHOOK_URLS, the terminal statuses by default', () => {
    expect(loadConfig({}).webhooks).toBeUndefined();
    const webhooks = loadConfig({ ...base, WEBHOOK_URLS: 'https://a.example.com/x, http://127.0.0.1:9000/y', WEBHOOK_SECRET: SECRET })
      .webhooks!;
    expect(webhooks).toMatchObject({ secret: SECRET, maxAttempts: 8, retryBaseMs: 5000, timeoutMs: 10_000 });
    expect(webhooks.urls.map(String)).toEqual(['https://a.example.com/x', 'http://127.0.0.1:9000/y']);
    expect([...webhooks.statuses]).toEqual(['Completed', 'PartiallyCompleted', 'Failed', 'Stopped', 'Expired']);
    expect(loadConfig({ ...base, WEBHOOK_SECRET: SECRET, WEBHOOK_STATUSES: 'all' }).webhooks!.statuses.size).toBe(10);
    expect([...loadConfig({ ...base, WEBHOOK_SECRET: SECRET, WEBHOOK_STATUSES: 'in_progress,STOPPED' }).webhooks!.statuses]).toEqual(['InProgress', 'Stopped']);
    for (const bytes of [24, 64]) expect(loadConfig({ ...base, WEBHOOK_SECRET: secretOf(bytes) }).webhooks).toBeDefined();
  });

  it.each([
    [{ ...base }, /^WEBHOOK_SECRET must be set when WEBHOOK_URLS is: whsec_ followed by the base64 of 24 to 64 random bytes; make one with node -e .*randomBytes\(32\)/],
    [{ ...base, WEBHOOK_SECRET: 'hunter2-but-longer-than-that' }, /^WEBHOOK_SECRET must be whsec_ .* \(got no whsec_ prefix\)$/],
    [{ ...base, WEBHOOK_SECRET: 'whsec_hunter2!!not*base64' }, /^WEBHOOK_SECRET must be .* \(got text after whsec_ that is not padded standard base64\)$/],
    [{ ...base, WEBHOOK_SECRET: secretOf(16) }, /^WEBHOOK_SECRET must be .* \(got 16 bytes\)$/],
    [{ ...base, WEBHOOK_SECRET: secretOf(65) }, /^WEBHOOK_SECRET must be .* \(got 65 bytes\)$/],
    [{ WEBHOOK_SECRET: 'whsec_' }, /^WEBHOOK_SECRET must be .* \(got text after whsec_ that is not padded standard base64\)$/],
    [{ ...base, WEBHOOK_SECRET: SECRET, WEBHOOK_STATUSES: 'COMPLETED,FINISHED' }, /^WEBHOOK_STATUSES must be all, or a comma-separated list of SUBMITTED, .*, EXPIRED \(got "FINISHED"\)$/],
    [{ WEBHOOK_URLS: 'hooks.example.com', WEBHOOK_SECRET: SECRET }, /^WEBHOOK_URLS must be a comma-separated list of http\(s\) URLs .* \(entry 1 is not a URL\)$/],
    [{ WEBHOOK_URLS: 'https://a.example.com,ftp://b.example.com', WEBHOOK_SECRET: SECRET }, /^WEBHOOK_URLS must be .* \(entry 2 is ftp: rather than http: or https:\)$/],
    [{ WEBHOOK_URLS: 'https://user:hunter2@a.example.com/', WEBHOOK_SECRET: SECRET }, /^WEBHOOK_URLS must be .* \(entry 1 carries credentials/],
    [{ ...base, WEBHOOK_SECRET: SECRET, WEBHOOK_MAX_ATTEMPTS: '0' }, /^WEBHOOK_MAX_ATTEMPTS must be an integer from 1 to 50 \(got "0"\)$/],
    [{ ...base, WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_BASE_MS: 'soon' }, /^WEBHOOK_RETRY_BASE_MS must be an integer/],
    [{ ...base, WEBHOOK_SECRET: SECRET, WEBHOOK_TIMEOUT_MS: '0' }, /^WEBHOOK_TIMEOUT_MS must be an integer from 1 to 300000/],
  ])('should refuse %o with one line naming the variable and no secret', (env, message) => {
    const error = (() => {
      try {
        loadConfig(env);
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(message);
    expect(error!.message.split('\n')).toHaveLength(1);
    expect(error!.message).not.toMatch(/hunter2/);
    if ('WEBHOOK_SECRET' in env && env.WEBHOOK_SECRET.length > 6) expect(error!.message).not.toContain(env.WEBHOOK_SECRET.slice(6));
  });

  it('should stop start-up with one line naming WEBHOOK_SECRET', async () => {
    const child = startProcess('src/main.ts', { ...base, WEBHOOK_SECRET: 'whsec_c2hvcnQ=' });
    expect(await child.exited).toBe(1);
    expect(child.stderr().trim().split('\n')).toEqual([
      `Configuration error: WEBHOOK_SECRET must be whsec_ followed by the base64 of 24 to 64 random bytes; make one with node -e "console.log('whsec_'+require('crypto').randomBytes(32).toString('base64'))" (got 5 bytes)`,
    ]);
  });
});
