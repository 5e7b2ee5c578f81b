// The pieces of scale-out, each on its own: configuration, jobs surviving JSON, batched poll
// leases, an unfinished job shared through the cache, events crossing instances through Redis
// pub/sub (not the cache), the account-wide stream shared and handed over, a Redis that stops
// answering, and start-up without a reachable Redis. Gateways here run in
// this process, each with its own Redis connections and poller, on one simulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { isOlderState, jobStateKey, type ModelInvocationJob } from '../src/bedrock/job.ts';
import { jobFromJson, jobToJson, reviveDates } from '../src/bedrock/job-json.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createRedisConnections } from '../src/redis/redis-connections.ts';
import { createRedisPollOwnership } from '../src/redis/redis-poll-ownership.ts';
import { startSimulator, type Simulator } from '../src/simulator/index.ts';
import { nextRound } from './support/poller-rounds.ts';
import { redisServerAvailable, startRedisServer, type RedisServer } from './support/redis-server.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';

const silent = pino({ level: 'silent' });

describe('Redis configuration', () => {
  it('should keep everything in-process without REDIS_URL', () => {
    expect(loadConfig({}).redis).toBeUndefined();
  });

  it('should derive the lease and cache TTL from the poll interval', () => {
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379/2', POLL_INTERVAL_MS: '2000' }).redis).toEqual({
      url: 'redis://cache:6379/2',
      keyPrefix: 'bedrock-jobs-gateway:',
      leaseMs: 6000,
      jobCacheTtlMs: 1000,
      timeoutMs: 1000,
    });
  });

  it('should refuse a URL that is not redis:// without echoing it (it may hold a password)', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://user:hunter2@cache' })).toThrow(
      new ConfigError('REDIS_URL must be a redis:// or rediss:// URL'),
    );
  });

  it('should refuse a cache TTL of a whole poll interval or more', () => {
    expect(() => loadConfig({ POLL_INTERVAL_MS: '1000', JOB_CACHE_TTL_MS: '1000' })).toThrow(
      /^JOB_CACHE_TTL_MS must be an integer from 1 to 999 \(got "1000"\)$/,
    );
  });
});

describe('jobs as JSON', () => {
  const job = {
    jobArn: 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd12345678',
    jobName: 'nightly',
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    roleArn: 'arn:aws:iam::123456789012:role/BedrockBatchRole',
    status: 'InProgress',
    submitTime: new Date('2026-11-29T04:47:52.123Z'),
    lastModifiedTime: new Date('2026-11-29T05:00:00.000Z'),
    endTime: undefined,
    inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://in/' } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://out/' } },
  } as ModelInvocationJob;

  it('should come back as the same job: Dates, state key and ordering', () => {
    const revived = jobFromJson(jobToJson(job));
    expect(revived.submitTime).toBeInstanceOf(Date);
    expect(revived.lastModifiedTime).toEqual(job.lastModifiedTime);
    expect(jobStateKey(revived)).toBe(jobStateKey(job));
    expect(isOlderState(revived, job) || isOlderState(job, revived)).toBe(false);
  });

  it('should revive observedAt of an event and leave other strings alone', () => {
    const event = JSON.parse(JSON.stringify({ job, observedAt: new Date(0), note: '2026-01-01T00:00:00Z' }), reviveDates);
    expect(event.observedAt).toEqual(new Date(0));
    expect(event.note).toBe('2026-01-01T00:00:00Z');
  });
});

describe.skipIf(!redisServerAvailable())('sharing through Redis', () => {
  let redis: RedisServer;
  let simulator: Simulator;
  const gateways: Gateway[] = [];
  const clients: Client[] = [];
  let prefixes = 0;

  beforeAll(async () => {
    redis = await startRedisServer();
    simulator = await startSimulator({ seed: false });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  });
  afterAll(async () => {
    await simulator?.close();
    await redis?.close();
  });

  /** One peer per env; peers of one test share a key prefix, so tests do not see each other's leases. */
  const startPeers = async (...envs: Array<Record<string, string>>) => {
    const prefix = `sharing-${++prefixes}:`;
    const started = await Promise.all(
      envs.map(async (env) => {
        const config = loadConfig({
          HOST: '127.0.0.1',
          PORT: '0',
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: prefix,
          POLL_INTERVAL_MS: '100',
          POLL_LEASE_MS: '400',
          POLL_MAX_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_PER_SECOND: '1000',
          ...env,
        });
        const gateway = await createGateway(config, { simulator, logger: silent });
        gateways.push(gateway);
        return { gateway, url: await gateway.start() };
      }),
    );
    return { prefix, peers: started };
  };
  const subscribe = (url: string, query: string, variables: Record<string, unknown>) => {
    const client = createWsClient(url);
    clients.push(client);
    return subscribeWs(client, query, variables);
  };

  it('should claim and renew 1,000 leases with one Redis call, and leave them to a peer on close', async () => {
    const config = loadConfig({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'leases:', POLL_LEASE_MS: '60000' }).redis!;
    const [first, second] = [createRedisConnections(config, silent), createRedisConnections(config, silent)];
    const inspector = new Redis(redis.url);
    try {
      await Promise.all([first.waitUntilUp(2000), second.waitUntilUp(2000)]);
      const [mine, theirs] = [first, second].map((connections) =>
        createRedisPollOwnership({ connections, leaseMs: config.leaseMs, logger: silent }),
      );
      const keys = Array.from({ length: 1000 }, (_, i) => `job:${String(i).padStart(12, '0')}`);
      const scriptCalls = async () => {
        const stats = await inspector.info('commandstats');
        return [...stats.matchAll(/^cmdstat_eval(?:sha)?:calls=(\d+)/gm)].reduce((sum, [, n]) => sum + Number(n), 0);
      };

      const before = await scriptCalls();
      expect((await mine!.claim(keys)).size).toBe(1000);
      expect(await scriptCalls()).toBe(before + 1);
      expect((await mine!.claim(keys)).size).toBe(1000); // renewal
      expect((await theirs!.claim(keys)).size).toBe(0);

      await mine!.close();
      expect((await theirs!.claim(keys)).size).toBe(1000);
      await theirs!.close();
    } finally {
      first.close();
      second.close();
      inspector.disconnect();
    }
  });

  it('should answer a job fetched through one instance from the shared cache on another: one upstream call', async () => {
    // A long interval, so the unfinished job's TTL (half of it) cannot lapse between the queries.
    const { peers } = await startPeers({ POLL_INTERVAL_MS: '60000' }, { POLL_INTERVAL_MS: '60000' });
    const running = simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    simulator.resetStats();
    for (const { url } of [...peers, ...peers]) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ modelInvocationJob(jobIdentifier: "${running.jobId}") { status } }` }),
      });
      expect(await response.json()).toEqual({ data: { modelInvocationJob: { status: 'IN_PROGRESS' } } });
    }
    expect(simulator.stats().calls.GetModelInvocationJob).toBe(1);
  });

  it("should carry a change the lease holder observed to a peer's subscribers through pub/sub, keeping its latest() fresh", async () => {
    // The follower's first round is a minute away: it cannot take the lease, nor catch up from the
    // shared cache; what it learns, it learns from the holder's events.
    const { peers } = await startPeers({}, { POLL_INTERVAL_MS: '60000' });
    const [holder, follower] = peers as [(typeof peers)[0], (typeof peers)[0]];
    const job = simulator.engine.createJob({ status: 'Scheduled' }, { paused: true });
    const query = `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status previousStatus observedAt } }`;
    const subs = peers.map(({ url }) => subscribe(url, query, { id: job.jobId }));
    await Promise.all(subs.map((sub) => sub.next()));
    expect((await nextRound(holder.gateway.poller)).lastRoundCalls).toBe(1);

    simulator.engine.setStatus(job.jobId, 'InProgress');
    const events = await Promise.all(subs.map((sub) => sub.next()));
    for (const { data } of events) {
      expect(data!.modelInvocationJobStatusChanged).toMatchObject({ status: 'IN_PROGRESS', previousStatus: 'SCHEDULED' });
      expect(data!.modelInvocationJobStatusChanged.observedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    }
    const latest = follower.gateway.poller.latest(job.jobId)!;
    expect(latest.status).toBe('InProgress');
    expect(latest.submitTime).toBeInstanceOf(Date);
    expect(jobStateKey(latest)).toBe(jobStateKey(holder.gateway.poller.latest(job.jobId)!));
    simulator.engine.setStatus(job.jobId, 'Completed');
    await Promise.all(subs.map((sub) => sub.done));
    expect(follower.gateway.poller.stats().rounds).toBe(0);
  });

  it('should list the account once for streams on two instances, and hand the stream over with what it knew', async () => {
    const { peers } = await startPeers({}, {});
    const job = simulator.engine.createJob({ status: 'Scheduled', jobName: 'shared-acct-job' }, { paused: true });
    const query = `subscription { modelInvocationJobsChanged(filter: { nameContains: "shared-acct" }) { status previousStatus job { jobId } } }`;
    const subs = peers.map(({ url }) => subscribe(url, query, {}));
    await expect.poll(() => peers.every(({ gateway }) => gateway.poller.stats().accountWatchers === 1)).toBe(true);

    // Rounds until one instance holds the account lease and has listed it (its baseline).
    let rounds = await Promise.all(peers.map(({ gateway }) => nextRound(gateway.poller)));
    while (!rounds.some((round) => round.lastRoundMode === 'list')) {
      rounds = await Promise.all(peers.map(({ gateway }) => nextRound(gateway.poller)));
    }
    expect(rounds.map((round) => round.lastRoundMode).sort()).toEqual(['list', 'none']);
    const holder = peers[rounds.findIndex((round) => round.lastRoundMode === 'list')]!;
    const follower = peers.find((peer) => peer !== holder)!;

    simulator.engine.setStatus(job.jobId, 'InProgress');
    for (const sub of subs) {
      expect((await sub.next()).data!.modelInvocationJobsChanged).toEqual({
        status: 'IN_PROGRESS',
        previousStatus: 'SCHEDULED',
        job: { jobId: job.jobId },
      });
    }

    // A graceful close gives the lease up; the follower takes over knowing the job was in progress.
    await holder.gateway.close();
    gateways.splice(gateways.indexOf(holder.gateway), 1);
    simulator.engine.setStatus(job.jobId, 'Completed');
    const followerSub = subs[peers.indexOf(follower)]!;
    expect((await followerSub.next()).data!.modelInvocationJobsChanged).toEqual({
      status: 'COMPLETED',
      previousStatus: 'IN_PROGRESS',
      job: { jobId: job.jobId },
    });
    await nextRound(follower.gateway.poller);
    expect(followerSub.events).toHaveLength(2); // no repeats
  });

  it('should stop waiting for a Redis that holds connections open but answers nothing', async () => {
    const frozen = await startRedisServer();
    try {
      const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', REDIS_URL: frozen.url, REDIS_TIMEOUT_MS: '500' });
      const gateway = await createGateway(config, { simulator, logger: silent });
      gateways.push(gateway);
      const url = await gateway.start();
      const timedQuery = async (jobId: string) => {
        const started = performance.now();
        const response = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `{ modelInvocationJob(jobIdentifier: "${jobId}") { status } }` }),
        });
        return { body: await response.json(), ms: performance.now() - started };
      };
      const [first, second] = [1, 2].map(() => simulator.engine.createJob({ status: 'InProgress' }, { paused: true }));

      frozen.pause();
      const waited = await timedQuery(first!.jobId);
      expect(waited.body).toEqual({ data: { modelInvocationJob: { status: 'IN_PROGRESS' } } });
      expect(waited.ms).toBeGreaterThanOrEqual(500); // one cache read timed out…
      const next = await timedQuery(second!.jobId);
      expect(next.body).toEqual({ data: { modelInvocationJob: { status: 'IN_PROGRESS' } } });
      expect(next.ms).toBeLessThan(500); // …then Redis is left alone for a while
      const readyz = await fetch(`${url}/readyz`);
      expect(readyz.status).toBe(200);
      expect(await readyz.json()).toMatchObject({ degraded: true, checks: { redis: { ok: false } } });
    } finally {
      frozen.resume();
      await frozen.close();
    }
  });

  it('should start without a reachable Redis, answer from upstream and report itself degraded', async () => {
    const config = loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      REDIS_URL: 'redis://127.0.0.1:9', // discard port: nothing listens there
      REDIS_TIMEOUT_MS: '100',
    });
    const gateway = await createGateway(config, { simulator, logger: silent });
    gateways.push(gateway);
    const url = await gateway.start();
    const job = simulator.engine.createJob({ status: 'Validating' }, { paused: true });
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ modelInvocationJob(jobIdentifier: "${job.jobId}") { status } }` }),
    });
    expect(await response.json()).toEqual({ data: { modelInvocationJob: { status: 'VALIDATING' } } });
    const readyz = await fetch(`${url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({
      ready: true,
      degraded: true,
      checks: { upstream: { ok: true }, redis: { ok: false } },
    });
  });
});
