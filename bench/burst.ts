// Bursts of changes: many watched jobs finishing in the same poll round, each with its own
// subscribers, against one job with as many subscribers in all. The subscribers share sockets
// (`perConnection` each, the k-th subscription of the pool on job k modulo the number of jobs, so
// a socket holds subscriptions to different jobs), all in one client process. The gateway runs
// in a child process with the simulator; each round the jobs start IN_PROGRESS, everyone
// subscribes and gets that first event, then every job is set COMPLETED at once and the next poll
// round sees them all. Latency: from the poller observing a job's change (`observedAt`) to each
// subscriber receiving it, percentiles over every subscriber, median over rounds.
import { startChild, waitFor, type Child } from './child.ts';
import type { GatewayProcessReady } from './gateway-process.ts';
import { CLIENT_HEADERS, STATUS_SUBSCRIPTION } from './queries.ts';
import { sample } from '../test/support/metrics.ts';
import { median, percentile } from './stats.ts';

export interface BurstOptions {
  /** Jobs finishing together in the burst. */
  jobs: number;
  subscribers: number;
  perConnection: number;
  /** Measured rounds, after one that warms up. */
  rounds: number;
}

export interface BurstScenario {
  jobs: number;
  subscribers: number;
  connections: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The gateway's own fan-out time (observation → last subscriber of a job handed the event), mean over jobs, median over rounds. */
  serverMs: number;
  /** Server CPU from the change until every stream has ended, median over rounds. */
  serverCpuMs: number;
}

export interface BurstResult {
  burst: BurstScenario;
  /** The same subscribers on one job. */
  oneJob: BurstScenario;
}

export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const gateway = await startChild<GatewayProcessReady>('bench/gateway-process.ts', {
    env: { POLL_INTERVAL_MS: '200', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(options.perConnection) },
  });
  try {
    const burst = await measure(gateway, options, options.jobs);
    const oneJob = await measure(gateway, options, 1);
    return { burst, oneJob };
  } finally {
    await gateway.close();
  }
}

async function measure(gateway: Child<GatewayProcessReady>, options: BurstOptions, jobs: number): Promise<BurstScenario> {
  const connections = Math.ceil(options.subscribers / options.perConnection);
  const pool = await startChild<object>('bench/client-pool-process.ts');
  const fanOuts = async () => {
    const text = await (await fetch(`${gateway.ready.url}/metrics`)).text();
    return { seconds: sample(text, 'gateway_subscription_fanout_seconds_sum') ?? 0, count: sample(text, 'gateway_subscription_fanout_seconds_count') ?? 0 };
  };
  try {
    await pool.request({ type: 'connect', url: `${gateway.ready.url.replace(/^http/, 'ws')}/graphql`, connectionParams: CLIENT_HEADERS, connections });
    const rounds: Array<Omit<BurstScenario, 'jobs' | 'subscribers' | 'connections'>> = [];
    for (let round = 0; round <= options.rounds; round++) {
      const jobIds = await gateway.request<string[]>({ type: 'addJobs', count: jobs, status: 'InProgress' });
      await pool.request({
        type: 'subscribe',
        query: STATUS_SUBSCRIPTION,
        variables: jobIds.map((id) => ({ id })),
        perConnection: options.perConnection,
      });
      await pool.request({ type: 'received', status: 'IN_PROGRESS', timeoutMs: 60_000 });
      const everyone = pool.request<number[]>({ type: 'received', status: 'COMPLETED', timeoutMs: 60_000 });
      const [before, cpuBefore] = [await fanOuts(), await gateway.request<number>({ type: 'cpu' })];
      await gateway.request({ type: 'setStatuses', jobIds, status: 'Completed' });
      const latencies = await everyone;
      const after = await fanOuts();
      // The streams end with their jobs; the next round starts from none.
      await waitFor(async () => (await gateway.request<number>({ type: 'openStreams' })) === 0);
      const serverCpuMs = (await gateway.request<number>({ type: 'cpu' })) - cpuBefore;
      await pool.request({ type: 'unsubscribe' });
      if (round === 0) continue;
      rounds.push({
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: Math.max(...latencies),
        serverMs: after.count > before.count ? ((after.seconds - before.seconds) / (after.count - before.count)) * 1000 : Number.NaN,
        serverCpuMs,
      });
    }
    return {
      jobs,
      subscribers: options.subscribers,
      connections,
      p50Ms: median(rounds.map((r) => r.p50Ms)),
      p99Ms: median(rounds.map((r) => r.p99Ms)),
      maxMs: Math.max(...rounds.map((r) => r.maxMs)),
      serverMs: median(rounds.map((r) => r.serverMs)),
      serverCpuMs: median(rounds.map((r) => r.serverCpuMs)),
    };
  } finally {
    await pool.close();
  }
}
