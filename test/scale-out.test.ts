// Scale-out acceptance: three gateway processes share one Redis in front of one simulator. A job
// watched on all of them costs one upstream refresh per interval; every subscriber sees every
// transition; killing the instance that polls a job hands it over within the lease; a finished job
// fetched through one instance is served to the others from the shared cache; a Redis outage
// degrades to local polling and the instances share again when it returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { startSimulator, type Simulator } from '../src/simulator/index.ts';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.ts';
import { redisServerAvailable, startRedisServer, type RedisServer } from './support/redis-server.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { createUpstreamCallLog, type UpstreamCallLog } from './support/upstream-calls.ts';

const INTERVAL_MS = 250;
const LEASE_MS = 750;
const PREFIX = 'scale-out-test:';
const STATUS_CHANGED = `subscription($id: String!) {
  modelInvocationJobStatusChanged(jobIdentifier: $id) { status previousStatus job { jobId } }
}`;
const JOB = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId status } }`;

type Subscription = ReturnType<typeof subscribeWs>;

describe.skipIf(!redisServerAvailable())('three instances sharing one Redis', () => {
  let redis: RedisServer;
  let inspector: Redis;
  let simulator: Simulator;
  let upstream: UpstreamCallLog;
  let instances: GatewayProcess[];
  const clients: Client[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    inspector = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 50 });
    inspector.on('error', () => undefined); // reconnects by itself after the outage test
    await inspector.connect();
    upstream = createUpstreamCallLog();
    simulator = await startSimulator({ seed: false, logger: upstream.logger });
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: PREFIX,
      POLL_INTERVAL_MS: String(INTERVAL_MS),
      POLL_LEASE_MS: String(LEASE_MS),
      JOB_CACHE_TTL_MS: String(INTERVAL_MS - 10),
      POLL_MAX_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_PER_SECOND: '1000',
      UPSTREAM_MAX_ATTEMPTS: '1',
      // One command slower than REDIS_TIMEOUT_MS makes an instance carry on without Redis for five
      // of them, polling alone. With the default second, a loaded CI machine did that once, at the
      // first test (CI measured a 758 ms span and a missing cache key); an outage is the subject of
      // its own test below, where a stopped server refuses at once, whatever the timeout.
      REDIS_TIMEOUT_MS: '5000',
    };
    instances = await Promise.all([1, 2, 3].map(() => startGatewayProcess(simulator, env)));
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    for (const instance of instances ?? []) instance.child.kill('SIGTERM');
    const codes = await Promise.all((instances ?? []).map((instance) => instance.child.exited));
    if (process.env.DEBUG_SCALE_OUT) for (const instance of instances ?? []) console.log(instance.child.stdout(), instance.child.stderr());
    expect(codes).toEqual(codes.map(() => 0));
    inspector?.disconnect();
    await simulator?.close();
    await redis?.close();
  });

  const subscribe = (instance: GatewayProcess, jobId: string): Subscription => {
    const client = createWsClient(instance.url);
    clients.push(client);
    return subscribeWs(client, STATUS_CHANGED, { id: jobId });
  };
  const statusOf = (event: { data?: Record<string, any> | null }) => event.data!.modelInvocationJobStatusChanged.status;
  const pausedJob = (status: 'Submitted' | 'InProgress') =>
    simulator.engine.createJob({ status }, { paused: true, outcome: 'Completed', totalRecordCount: 100 });

  /** The instance holding the job's poll lease, read from Redis (the lease names host:pid:…). */
  const ownerOf = async (jobId: string) => {
    const holder = await inspector.get(`${PREFIX}lease:job:${jobId}`);
    const pid = Number(holder?.split(':')[1]);
    return instances.find((instance) => instance.child.pid === pid);
  };

  /**
   * Awaits `count` refreshes of the job and returns the time they spanned. Uncoordinated, three
   * instances would refresh it three times per interval; shared, once per interval.
   */
  const spanOfRefreshes = async (jobId: string, count: number) => {
    const calls = await upstream.nextGets(jobId, count);
    return calls.at(-1)!.at - calls[0]!.at;
  };

  it('should refresh a job watched by 30 subscribers on three instances once per interval, and deliver every transition to all', async () => {
    const job = pausedJob('Submitted');
    const subs = Array.from({ length: 30 }, (_, i) => subscribe(instances[i % 3]!, job.jobId));
    expect((await Promise.all(subs.map((sub) => sub.next()))).map(statusOf)).toEqual(Array(30).fill('SUBMITTED'));
    await expect.poll(() => ownerOf(job.jobId)).toBeDefined();

    const before = simulator.stats().calls.GetModelInvocationJob;
    const span = await spanOfRefreshes(job.jobId, 8);
    // 8 refreshes spaced by an interval span 7 intervals; three pollers would need about a third,
    // two about half. A busy machine may start the first round up to an interval late (CI once
    // measured 1,509 ms), so the bound allows two late rounds and still tells one poller from two.
    expect(span).toBeGreaterThanOrEqual(5 * INTERVAL_MS);
    console.info(`scale-out: 3 instances, 30 subscribers: ${((7 * INTERVAL_MS) / span).toFixed(2)} refreshes per interval`);
    expect(simulator.stats().calls.GetModelInvocationJob - before).toBeLessThanOrEqual(9);

    const transitions = ['Validating', 'Scheduled', 'InProgress', 'Completed'] as const;
    for (const status of transitions) {
      simulator.engine.setStatus(job.jobId, status);
      const events = await Promise.all(subs.map((sub) => sub.next()));
      expect(new Set(events.map(statusOf))).toEqual(new Set([status === 'InProgress' ? 'IN_PROGRESS' : status.toUpperCase()]));
    }
    await Promise.all(subs.map((sub) => sub.done));
    for (const sub of subs) {
      expect(sub.events.map(statusOf)).toEqual(['SUBMITTED', 'VALIDATING', 'SCHEDULED', 'IN_PROGRESS', 'COMPLETED']);
    }
  });

  it('should serve a finished job fetched through one instance to the others from Redis, for good', async () => {
    // (Unfinished jobs are shared for JOB_CACHE_TTL_MS: see redis-sharing.test.ts, where the TTL is
    // long enough not to depend on how fast three busy processes answer.)
    const finished = simulator.engine.createJob({ status: 'Completed' }, { paused: true });
    const [a, b, c] = instances as [GatewayProcess, GatewayProcess, GatewayProcess];
    await a.graphql(JOB, { id: finished.jobId });
    // A finished job never changes: it is kept for days, not for the TTL of unfinished ones.
    expect(await inspector.pttl(`${PREFIX}job:finished:${finished.jobId}`)).toBeGreaterThan(24 * 3600 * 1000);
    for (const instance of [b, c, b]) {
      expect((await instance.graphql(JOB, { id: finished.jobId })).data!.modelInvocationJob.status).toBe('COMPLETED');
    }
    expect(upstream.gets(finished.jobId)).toBe(1);
  });

  it('should keep answering and polling through a Redis outage, then share again once Redis is back', async () => {
    const job = pausedJob('InProgress');
    const subs = instances.flatMap((instance) => [subscribe(instance, job.jobId), subscribe(instance, job.jobId)]);
    await Promise.all(subs.map((sub) => sub.next()));
    await expect.poll(() => ownerOf(job.jobId)).toBeDefined();

    await redis.stop();
    for (const instance of instances) {
      await expect.poll(async () => (await instance.readyz()).body.checks.redis?.ok).toBe(false);
      const { status, body } = await instance.readyz();
      // Degraded, not unready: the instance still answers everything from upstream.
      expect({ status, ready: body.ready, degraded: body.degraded }).toEqual({ status: 200, ready: true, degraded: true });
      const other = simulator.engine.createJob({ status: 'Scheduled' }, { paused: true });
      expect((await instance.graphql(JOB, { id: other.jobId })).data!.modelInvocationJob.status).toBe('SCHEDULED');
    }
    // Each instance now polls the job itself, and its own subscribers hear the change.
    simulator.engine.setStatus(job.jobId, 'Stopping');
    expect((await Promise.all(subs.map((sub) => sub.next()))).map(statusOf)).toEqual(Array(6).fill('STOPPING'));

    await redis.start();
    for (const instance of instances) {
      await expect.poll(async () => (await instance.readyz()).body.checks.redis?.ok, { timeout: 5000 }).toBe(true);
    }
    await expect.poll(() => ownerOf(job.jobId), { timeout: 5000 }).toBeDefined();
    await upstream.nextGets(job.jobId, 2); // every instance has had a round since
    const span = await spanOfRefreshes(job.jobId, 6);
    expect(span).toBeGreaterThanOrEqual(5 * INTERVAL_MS - 50);
    console.info(`scale-out: after the outage: ${((5 * INTERVAL_MS) / span).toFixed(2)} refreshes per interval`);

    simulator.engine.setStatus(job.jobId, 'Stopped');
    await Promise.all(subs.map((sub) => sub.done));
    for (const sub of subs) expect(sub.events.map(statusOf)).toEqual(['IN_PROGRESS', 'STOPPING', 'STOPPED']);
  });

  it('should hand a job over when the instance polling it dies, and deliver its terminal status', async () => {
    const job = pausedJob('InProgress');
    const subs = instances.map((instance) => [instance, [subscribe(instance, job.jobId), subscribe(instance, job.jobId)]] as const);
    await Promise.all(subs.flatMap(([, list]) => list.map((sub) => sub.next())));
    await expect.poll(() => ownerOf(job.jobId)).toBeDefined();
    const owner = (await ownerOf(job.jobId))!;
    const survivors = subs.filter(([instance]) => instance !== owner).flatMap(([, list]) => list);

    owner.child.kill('SIGKILL');
    const killedAt = performance.now();
    simulator.engine.setStatus(job.jobId, 'Completed');
    const finals = await Promise.all(survivors.map((sub) => sub.next()));
    const takeoverMs = performance.now() - killedAt;
    expect(finals.map(statusOf)).toEqual(Array(4).fill('COMPLETED'));
    await Promise.all(survivors.map((sub) => sub.done));
    // The lease lapses (at most LEASE_MS after its last renewal), then the next round takes it.
    expect(takeoverMs).toBeLessThan(LEASE_MS + 2 * INTERVAL_MS + 500);
    console.info(`scale-out: takeover after SIGKILL of the polling instance took ${Math.round(takeoverMs)} ms`);
    await expect.poll(() => inspector.exists(`${PREFIX}lease:job:${job.jobId}`)).toBe(0); // released once finished
    instances = instances.filter((instance) => instance !== owner);
  });
});
