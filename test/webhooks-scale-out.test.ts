// Webhooks from a fleet: two gateway processes share one redis-server in front of one simulator
// and send to one receiver. Both hear every status change (shared events); a claim in Redis per
// (job, status) lets exactly one of them announce it, so each webhook-id arrives once.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.ts';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.ts';
import { sample } from './support/metrics.ts';
import { redisServerAvailable, startRedisServer, type RedisServer } from './support/redis-server.ts';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from './support/webhook-receiver.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const PREFIX = 'webhooks-scale-out-test:';
const TERMINAL = new Set(['COMPLETED', 'PARTIALLY_COMPLETED', 'FAILED', 'STOPPED', 'EXPIRED']);
const LIFECYCLE = ['SUBMITTED', 'VALIDATING', 'SCHEDULED', 'IN_PROGRESS', 'COMPLETED', 'PARTIALLY_COMPLETED', 'FAILED'];

describe.skipIf(!redisServerAvailable())('webhooks from two instances sharing one Redis', () => {
  let redis: RedisServer;
  let inspector: Redis;
  let simulator: Simulator;
  let receiver: WebhookReceiver;
  let instances: GatewayProcess[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    inspector = new Redis(redis.url);
    simulator = await startSimulator({ seed: false, stepMs: 120 });
    receiver = await startWebhookReceiver(SECRET);
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: PREFIX,
      POLL_INTERVAL_MS: '100',
      POLL_LEASE_MS: '600',
      JOB_CACHE_TTL_MS: '90',
      POLL_MAX_CALLS_PER_SECOND: '1000',
      UPSTREAM_CALLS_PER_SECOND: '1000',
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_STATUSES: 'all',
      // As in scale-out.test.ts: one command slower than the default second on a loaded CI machine
      // would send an instance on alone for five of them, claiming nothing.
      REDIS_TIMEOUT_MS: '5000',
    };
    instances = await Promise.all([1, 2].map(() => startGatewayProcess(simulator, env)));
    await Promise.all(instances.map((instance) => instance.child.waitForLog(/^Webhooks: announcing job status changes to 1 receiver$/)));
  });

  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGTERM');
    const codes = await Promise.all(instances.map((instance) => instance.child.exited));
    expect(codes).toEqual(codes.map(() => 0));
    inspector?.disconnect();
    await receiver?.close();
    await simulator?.close();
    await redis?.close();
  });

  /** Takes deliveries until `done` holds for those received so far. */
  const receiveUntil = async (done: (requests: ReceivedRequest[]) => boolean) => {
    while (!done(receiver.requests.events)) await receiver.requests.next();
  };
  const ofJob = (requests: ReceivedRequest[], jobArn: string) => requests.filter((request) => request.payload?.data.jobArn === jobArn);

  it('should deliver every status change of several jobs exactly once', async () => {
    const jobs = Array.from({ length: 6 }, (_, i) =>
      simulator.engine.createJob({ status: 'Submitted', jobName: `fleet-${i}` }, { outcome: i % 3 === 0 ? 'Failed' : 'Completed', totalRecordCount: 100 }),
    );
    await receiveUntil((requests) => jobs.every((job) => ofJob(requests, job.jobArn).some((request) => TERMINAL.has(request.payload.data.status))));
    // Announced after every change above: once it is in, any duplicate of theirs would be too.
    const marker = simulator.engine.createJob({ status: 'Completed', jobName: 'fleet-marker' }, { paused: true });
    await receiveUntil((requests) => ofJob(requests, marker.jobArn).length > 0);

    const requests = receiver.requests.events;
    expect(requests.every((request) => request.verified)).toBe(true);
    const perId = new Map<string, number>();
    for (const { id } of requests) perId.set(id, (perId.get(id) ?? 0) + 1);
    expect([...perId].filter(([, count]) => count !== 1)).toEqual([]);

    for (const job of jobs) {
      const statuses = ofJob(requests, job.jobArn).map((request) => request.payload.data.status as string);
      // In lifecycle order, ending in the job's final status; statuses between two polls may be skipped.
      expect(statuses.at(-1)).toBe(simulator.engine.get(job.jobId)!.status === 'Failed' ? 'FAILED' : 'COMPLETED');
      expect(statuses.map((status) => LIFECYCLE.indexOf(status))).toEqual([...statuses.map((status) => LIFECYCLE.indexOf(status))].sort((a, b) => a - b));
      expect(statuses.filter((status) => TERMINAL.has(status))).toHaveLength(1);
    }

    // One claim in Redis per message, and the two instances' deliveries add up to the messages.
    expect(await inspector.keys(`${PREFIX}webhook:claim:*`)).toHaveLength(perId.size);
    // A sender counts a delivery once the receiver's answer is back, which may be just after the
    // test saw the request: the counts are awaited, not read once.
    const delivered = async () => {
      const counts = await Promise.all(
        instances.map(async (instance) => sample(await (await fetch(`${instance.url}/metrics`)).text(), 'gateway_webhook_deliveries_total{outcome="delivered"}') ?? 0),
      );
      return counts[0]! + counts[1]!;
    };
    await expect.poll(delivered, { timeout: 10_000 }).toBe(perId.size);
  });
});
