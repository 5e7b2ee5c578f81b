// Upstream efficiency: how many Bedrock calls the gateway makes. Per operation, for 1, 10 and
// 100 distinct jobs in one `modelInvocationJobsByIdentifier` (each given twice, as ARN and as
// id); and per poll interval for 1 to 10,000 watched jobs, driving the poller directly.
import { pino } from 'pino';
import { createBedrockClient } from '../src/bedrock/client.ts';
import { createJobsApi } from '../src/bedrock/jobs.ts';
import { createTerminalJobCache } from '../src/bedrock/terminal-job-cache.ts';
import { createInProcessJobCache } from '../src/bedrock/job-cache.ts';
import { loadConfig } from '../src/config.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator } from '../src/simulator/index.ts';
import { createJobPubSub } from '../src/watch/job-pub-sub.ts';
import { createPoller, type PollerStats } from '../src/watch/poller.ts';
import { startTestGateway } from '../test/support/test-gateway.ts';
import { JOBS_BY_IDENTIFIER_QUERY } from './queries.ts';
import { median } from './stats.ts';

export interface UpstreamOptions {
  operationJobCounts: number[];
  watchedJobCounts: number[];
  /** Poll rounds measured per watched-job count (after the first). */
  rounds: number;
}

export interface UpstreamResult {
  perOperation: Array<{ jobs: number; identifiers: number; calls: number }>;
  perInterval: Array<{ watched: number; firstRoundCalls: number; steadyCalls: number; mode: string }>;
}

export async function runUpstream(options: UpstreamOptions): Promise<UpstreamResult> {
  return { perOperation: await perOperation(options), perInterval: await perInterval(options) };
}

async function perOperation(options: UpstreamOptions) {
  // Unfinished jobs, so nothing is answered from a cache.
  const max = Math.max(...options.operationJobCounts);
  const t = await startTestGateway({ MAX_BATCH_IDENTIFIERS: String(2 * max) });
  try {
    const rows = [];
    for (const count of options.operationJobCounts) {
      const jobs = t.simulator.engine.addJobs(count, { status: 'InProgress' }, { paused: true });
      const ids = jobs.flatMap((job) => [job.jobArn, job.jobId]);
      t.simulator.resetStats();
      const response = await t.graphql(JOBS_BY_IDENTIFIER_QUERY, { ids });
      if (response.errors || response.data?.modelInvocationJobsByIdentifier.length !== ids.length) {
        throw new Error(`modelInvocationJobsByIdentifier failed: ${JSON.stringify(response.errors)}`);
      }
      rows.push({ jobs: count, identifiers: ids.length, calls: t.simulator.stats().calls.GetModelInvocationJob });
    }
    return rows;
  } finally {
    await t.close();
  }
}

async function perInterval(options: UpstreamOptions) {
  const rows = [];
  // An account of its own per row: the simulator stamps N jobs added at once 1 ms apart ending
  // now, so a smaller row's jobs, added seconds before, would fall inside a larger row's window.
  for (const watched of options.watchedJobCounts) rows.push(await callsPerInterval(watched, options.rounds));
  return rows;
}

async function callsPerInterval(watched: number, rounds: number) {
  const simulator = await startSimulator({ seed: false, stepMs: 3_600_000 });
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const client = createBedrockClient(config.upstream, {
    endpoint: simulator.url,
    region: SIMULATOR_REGION,
    credentials: SIMULATOR_CREDENTIALS,
  });
  const logger = pino({ level: 'silent' });
  const jobs = createJobsApi({ client, cache: createInProcessJobCache(createTerminalJobCache(0)), deadlineMs: config.upstream.deadlineMs, logger });
  try {
    // The account also holds as many finished jobs, submitted a day earlier.
    simulator.engine.addJobs(watched, { status: 'Completed', submitTime: new Date(Date.now() - 86_400_000) }, { paused: true });
    const ids = simulator.engine.addJobs(watched, { status: 'InProgress' }, { paused: true }).map((job) => job.jobId);
    // A short interval and no rate cap: the count of calls per round is what is measured.
    const poller = createPoller({ jobs, pubSub: createJobPubSub(), intervalMs: 50, maxCallsPerSecond: 100_000, concurrency: 10, logger });
    const seen: PollerStats[] = [];
    const enough = new Promise<void>((resolve) =>
      poller.onRound((stats) => {
        seen.push(stats);
        if (seen.length > rounds) resolve();
      }),
    );
    const releases = ids.map((id) => poller.watch(id));
    await enough;
    releases.forEach((release) => release());
    poller.close();
    const steady = seen.slice(1);
    return {
      watched,
      firstRoundCalls: seen[0]!.lastRoundCalls,
      steadyCalls: median(steady.map((round) => round.lastRoundCalls)),
      mode: steady.at(-1)!.lastRoundMode,
    };
  } finally {
    client.destroy();
    await simulator.close();
  }
}
