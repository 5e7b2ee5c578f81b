// Releasing subscriptions: a mass disconnect of N subscriptions on N distinct jobs, through the
// feed and the poller as the transports drive them (the feed's streams end, each lets its cohort,
// its watch quota and its poller watch go). What must hold is that the time grows with N, not
// with N²: per-subscription cost stays flat from 2,500 to 10,000. Measured in a fresh process
// (release-process.ts): in the bench's own, the heap the earlier benchmarks left behind was
// collected during the releases and timed with them.
import { pino } from 'pino';
import { createBedrockClient } from '../src/bedrock/client.ts';
import { createInProcessJobCache } from '../src/bedrock/job-cache.ts';
import { createJobsApi } from '../src/bedrock/jobs.ts';
import { mapConcurrent } from '../src/bedrock/map-concurrent.ts';
import { createTerminalJobCache } from '../src/bedrock/terminal-job-cache.ts';
import { loadConfig } from '../src/config.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator } from '../src/simulator/index.ts';
import { createJobFeed } from '../src/subscriptions/job-feed.ts';
import { createJobPubSub } from '../src/watch/job-pub-sub.ts';
import { createPoller } from '../src/watch/poller.ts';
import { startChild } from './child.ts';
import { median } from './stats.ts';

export interface ReleaseOptions {
  /** Subscriptions (each on its own job) released at once, per measurement. */
  counts: number[];
  /** Measurements per count; the median is reported. */
  rounds: number;
}

export interface ReleaseResult {
  rows: Array<{ subscriptions: number; releaseMs: number; perSubscriptionUs: number }>;
}

export async function runRelease(options: ReleaseOptions): Promise<ReleaseResult> {
  const child = await startChild<null>('bench/release-process.ts');
  try {
    return await child.request<ReleaseResult>({ type: 'run', options });
  } finally {
    await child.close();
  }
}

/** The measurement, in the process it runs in (release-process.ts). */
export async function measureRelease(options: ReleaseOptions): Promise<ReleaseResult> {
  // Jobs never move, and no poll round runs while measuring: only the release is timed.
  const simulator = await startSimulator({ seed: false, stepMs: 3_600_000 });
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const client = createBedrockClient(config.upstream, { endpoint: simulator.url, region: SIMULATOR_REGION, credentials: SIMULATOR_CREDENTIALS });
  const logger = pino({ level: 'silent' });
  const jobs = createJobsApi({ client, cache: createInProcessJobCache(createTerminalJobCache(0)), deadlineMs: config.upstream.deadlineMs, logger });
  const pubSub = createJobPubSub();
  const poller = createPoller({ jobs, pubSub, intervalMs: 3_600_000, maxCallsPerSecond: 100_000, concurrency: 10, logger });
  const feed = createJobFeed({ poller, pubSub });
  try {
    const rows = [];
    for (const count of options.counts) {
      const ids = simulator.engine.addJobs(count, { status: 'InProgress' }, { paused: true }).map((job) => job.jobId);
      const timings = [];
      for (let round = 0; round < options.rounds; round++) {
        const streams = await mapConcurrent(ids, 50, async (id) => {
          const stream = await feed.follow(id, 'status', 'bench');
          await stream.next(); // the job's current state: the stream is live
          return stream;
        });
        if (feed.size !== count || poller.stats().watched !== count) throw new Error(`expected ${count} live streams`);
        const startedAt = performance.now();
        for (const stream of streams) void stream.return?.();
        // The poller decides whether anything is left to poll once the turn's releases are done.
        await new Promise((resolve) => setImmediate(resolve));
        timings.push(performance.now() - startedAt);
        if (feed.size !== 0 || poller.stats().watched !== 0) throw new Error('streams or watches left after the release');
      }
      const releaseMs = median(timings);
      rows.push({ subscriptions: count, releaseMs, perSubscriptionUs: (releaseMs * 1000) / count });
    }
    return { rows };
  } finally {
    feed.close();
    poller.close();
    client.destroy();
    await simulator.close();
  }
}
