// What an unfinished job's request adds over the upstream call it needs, one request at a time:
// the gateway answering `modelInvocationJob` against the same GetModelInvocationJob made directly
// with the SDK against the same simulator. Beside today's gateway, in the same rounds, runs turn
// one's (the code whose runs gave issue 18's "keep what is met" figure), so that whether today's
// adds more shows as a difference within each round: on this machine the figure itself drifts
// between runs by more than any change to the gateway could move it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createBedrockClient } from '../src/bedrock/client.ts';
import { createJobsApi } from '../src/bedrock/jobs.ts';
import { createInProcessJobCache } from '../src/bedrock/job-cache.ts';
import { createTerminalJobCache } from '../src/bedrock/terminal-job-cache.ts';
import { loadConfig } from '../src/config.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION } from '../src/simulator/index.ts';
import { root, startChild, type Child } from './child.ts';
import type { GatewayProcessReady } from './gateway-process.ts';
import { runLoad } from './http-load.ts';
import { BARE_QUERY, CLIENT_HEADERS, JOB_QUERY } from './queries.ts';
import { ms, table } from './report-format.ts';
import { median, percentile } from './stats.ts';

/**
 * Turn one's last commit, before the house issue: its bench child runs the gateway from source
 * with tsx, against the same installed packages (every dependency it has is pinned to the same
 * version today).
 */
export const TURN_ONE_COMMIT = '44b3981';

export interface AddedLatencyOptions {
  /** Rounds; in each, every gateway and its direct call run `durationSeconds`, in alternating order. */
  rounds: number;
  durationSeconds: number;
  /** Measure turn one's gateway beside today's (needs the repository's history). */
  turnOne: boolean;
}

export interface SideLatency {
  gatewayP50Ms: number;
  gatewayP99Ms: number;
  upstreamP50Ms: number;
  upstreamP99Ms: number;
  /** Median over rounds of (gateway p50 − upstream p50) in that round. */
  addedP50Ms: number;
  /** Per round, (gateway p50 − upstream p50). */
  addedByRound: number[];
}

export interface TurnOneComparison extends SideLatency {
  /** Median over rounds of today's added latency minus turn one's in the same round. */
  differenceMs: number;
  /** Rounds in which today's gateway added less than turn one's. */
  todayLowerRounds: number;
  /** Rounds in which today's added more, and the fewest that a fair coin reaches under 5% of the time. */
  todayHigherRounds: number;
  higherRoundsForRegression: number;
}

export interface AddedLatency {
  today: SideLatency;
  /** The bare server's `{ hello }`, one request at a time: an HTTP round trip to a GraphQL server. */
  bareP50Ms: number;
  bareP99Ms: number;
  /** Turn one's gateway in the same rounds, or why it was not measured. */
  turnOne: TurnOneComparison | { notMeasured: string };
}

interface Side {
  ready: GatewayProcessReady;
  direct: (durationMs: number) => Promise<{ p50Ms: number; p99Ms: number }>;
  close(): void;
  rounds: Array<{ gatewayP50Ms: number; gatewayP99Ms: number; upstreamP50Ms: number; upstreamP99Ms: number }>;
}

export async function measureAddedLatency(
  today: Child<GatewayProcessReady>,
  bare: Child<{ url: string }>,
  options: AddedLatencyOptions,
): Promise<AddedLatency> {
  const turnOne = options.turnOne ? await startTurnOne() : 'not measured in quick runs';
  const sides: Side[] = [sideOf(today.ready)];
  if (typeof turnOne !== 'string') sides.push(sideOf(turnOne.ready));
  const seconds = options.durationSeconds;
  const sequential = { headers: CLIENT_HEADERS, connections: 1 };
  const viaGateway = (side: Side, durationSeconds: number) =>
    runLoad({ ...sequential, durationSeconds, url: side.ready.url, query: JOB_QUERY, variables: { id: side.ready.unfinishedJobId } });
  const bareRounds: Array<{ p50Ms: number; p99Ms: number }> = [];
  try {
    // Warm-up: JIT, keep-alive connections; not recorded.
    for (const side of sides) {
      await viaGateway(side, Math.min(1, seconds));
      await side.direct(Math.min(500, seconds * 1000));
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const gateway = await viaGateway(side, seconds);
        const upstream = await side.direct(seconds * 1000);
        side.rounds.push({ gatewayP50Ms: gateway.p50Ms, gatewayP99Ms: gateway.p99Ms, upstreamP50Ms: upstream.p50Ms, upstreamP99Ms: upstream.p99Ms });
      }
      // What one HTTP round trip to a GraphQL server costs by itself, for scale.
      bareRounds.push(await runLoad({ ...sequential, durationSeconds: seconds, url: bare.ready.url, query: BARE_QUERY }));
    }
  } finally {
    for (const side of sides) side.close();
    if (typeof turnOne !== 'string') await turnOne.close();
  }
  const [todaySide, turnOneSide] = sides.map(summarise);
  return {
    today: todaySide!,
    bareP50Ms: median(bareRounds.map((r) => r.p50Ms)),
    bareP99Ms: median(bareRounds.map((r) => r.p99Ms)),
    turnOne: turnOneSide ? compare(todaySide!, turnOneSide) : { notMeasured: turnOne as string },
  };
}

/** A gateway child and a direct SDK client for its simulator. */
function sideOf(ready: GatewayProcessReady): Side {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const client = createBedrockClient(config.upstream, { endpoint: ready.simulatorUrl, region: SIMULATOR_REGION, credentials: SIMULATOR_CREDENTIALS });
  const jobs = createJobsApi({
    client,
    cache: createInProcessJobCache(createTerminalJobCache(0)),
    deadlineMs: config.upstream.deadlineMs,
    logger: pino({ level: 'silent' }),
  });
  return {
    ready,
    rounds: [],
    close: () => client.destroy(),
    async direct(durationMs) {
      const latencies: number[] = [];
      const end = performance.now() + durationMs;
      while (performance.now() < end) {
        const started = performance.now();
        await jobs.getJob(ready.unfinishedJobId);
        latencies.push(performance.now() - started);
      }
      return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
    },
  };
}

function summarise(side: Side): SideLatency {
  const of = (key: keyof Side['rounds'][number]) => median(side.rounds.map((r) => r[key]));
  const addedByRound = side.rounds.map((r) => r.gatewayP50Ms - r.upstreamP50Ms);
  return {
    gatewayP50Ms: of('gatewayP50Ms'),
    gatewayP99Ms: of('gatewayP99Ms'),
    upstreamP50Ms: of('upstreamP50Ms'),
    upstreamP99Ms: of('upstreamP99Ms'),
    addedP50Ms: median(addedByRound),
    addedByRound,
  };
}

function compare(today: SideLatency, turnOne: SideLatency): TurnOneComparison {
  const differences = today.addedByRound.map((added, round) => added - turnOne.addedByRound[round]!);
  return {
    ...turnOne,
    differenceMs: median(differences),
    todayLowerRounds: differences.filter((d) => d < 0).length,
    todayHigherRounds: differences.filter((d) => d > 0).length,
    higherRoundsForRegression: signTestThreshold(differences.length),
  };
}

/**
 * The fewest of n rounds in which today's gateway must add more than turn one's for that to be
 * unlikely by chance (one-sided sign test, 5%): with no difference between them, each round is a
 * coin toss.
 */
export function signTestThreshold(n: number): number {
  const choose = (k: number) => {
    let c = 1;
    for (let i = 1; i <= k; i++) c = (c * (n - i + 1)) / i;
    return c;
  };
  let tail = 0;
  for (let k = n; k >= 0; k--) {
    tail += choose(k) / 2 ** n;
    if (tail >= 0.05) return k + 1;
  }
  return 0;
}

/**
 * Turn one's bench child from the repository's history: its sources extracted once into the
 * temporary directory, beside today's installed packages. A string says why it could not start.
 */
async function startTurnOne(): Promise<Child<GatewayProcessReady> | string> {
  const dir = join(os.tmpdir(), `bedrock-gateway-bench-${TURN_ONE_COMMIT}`);
  const complete = join(dir, '.extracted');
  try {
    if (!existsSync(complete)) {
      mkdirSync(dir, { recursive: true });
      const archive = execFileSync('git', ['archive', '--format=tar', TURN_ONE_COMMIT, 'src', 'bench', 'package.json', 'tsconfig.json'], {
        cwd: root,
        maxBuffer: 256 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      execFileSync('tar', ['-x', '-C', dir], { input: archive });
      if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
      writeFileSync(complete, '');
    }
    return await startChild<GatewayProcessReady>('bench/gateway-process.ts', { cwd: dir });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    return `turn one's gateway (${TURN_ONE_COMMIT}) did not start: ${reason}`;
  }
}

/** The section of BENCHMARKS.md: the method, the table, and today's against turn one's. */
export function renderAddedLatency(added: AddedLatency, options: AddedLatencyOptions): string {
  const { today, turnOne } = added;
  const rows: string[][] = [
    ['gateway, unfinished job', ms(today.gatewayP50Ms), ms(today.gatewayP99Ms)],
    ['GetModelInvocationJob with the SDK directly', ms(today.upstreamP50Ms), ms(today.upstreamP99Ms)],
    ['**added by the gateway**', ms(today.addedP50Ms), ms(today.gatewayP99Ms - today.upstreamP99Ms)],
  ];
  if ('differenceMs' in turnOne) {
    rows.push(
      [`turn one's gateway (${TURN_ONE_COMMIT}), unfinished job`, ms(turnOne.gatewayP50Ms), ms(turnOne.gatewayP99Ms)],
      ["GetModelInvocationJob directly, against turn one's simulator", ms(turnOne.upstreamP50Ms), ms(turnOne.upstreamP99Ms)],
      ["added by turn one's gateway", ms(turnOne.addedP50Ms), ms(turnOne.gatewayP99Ms - turnOne.upstreamP99Ms)],
    );
  }
  rows.push(['for scale: bare graphql-yoga, `{ hello }`', ms(added.bareP50Ms), ms(added.bareP99Ms)]);
  return [
    "Latency an unfinished job's request adds over the upstream call it needs, one request at a time (no queueing): the " +
      'gateway answering `modelInvocationJob`, against the same GetModelInvocationJob made directly with the AWS SDK against ' +
      `the same simulator. ${options.rounds} rounds; in each, every gateway runs ${options.durationSeconds} s and then its direct ` +
      'call as long, gateways in alternating order; what a gateway adds is its p50 minus its direct p50 in the same round, median ' +
      "over rounds. What is added includes the client's HTTP round trip to the gateway, which the direct call does not make; the " +
      "bare server's answer, one request at a time, shows what such a round trip costs by itself. Turn one's gateway (commit " +
      `${TURN_ONE_COMMIT}, whose runs read 0.29 to 1.6 ms here and gave issue 18 its "≤ 0.3 ms") runs in the same rounds, from ` +
      'its own sources through tsx, with its own embedded simulator, on the same installed packages.',
    '',
    table(['', 'p50 ms', 'p99 ms'], rows),
    '',
    'differenceMs' in turnOne
      ? `Today's gateway against turn one's, round by round: today's adds ${signedMs(turnOne.differenceMs)} ms (median of the ` +
        `differences); less in ${turnOne.todayLowerRounds} of ${turnOne.addedByRound.length} rounds, more in ` +
        `${turnOne.todayHigherRounds} (${turnOne.higherRoundsForRegression} or more would be a regression: one-sided sign test, 5%).`
      : `Turn one's gateway: ${turnOne.notMeasured}.`,
  ].join('\n');
}

/** The target row: adds no more than turn one's gateway, in the same rounds. */
export function addedLatencyTarget(added: AddedLatency): [string, string, string] {
  const { today, turnOne } = added;
  const target =
    "an unfinished job adds no more over its upstream call than turn one's gateway, in the same rounds " +
    '(issue 18\'s "≤ 0.3 ms" was turn one\'s best run)';
  if (!('differenceMs' in turnOne)) return [target, `${ms(today.addedP50Ms)} ms; turn one's: ${turnOne.notMeasured}`, 'not measured'];
  return [
    target,
    `${ms(today.addedP50Ms)} ms against ${ms(turnOne.addedP50Ms)} ms; more in ${turnOne.todayHigherRounds} of ` +
      `${turnOne.addedByRound.length} rounds (median difference ${signedMs(turnOne.differenceMs)} ms)`,
    turnOne.todayHigherRounds >= turnOne.higherRoundsForRegression ? 'missed' : 'met',
  ];
}

const signedMs = (value: number) => (value > 0 ? `+${ms(value)}` : ms(value));
