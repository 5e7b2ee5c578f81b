// `npm run bench`: every benchmark, then BENCHMARKS.md. Options:
//   --quick        fewer, shorter runs at a smaller scale (smoke test); prints, writes nothing
//   --only=a,b     only these benchmarks: overhead, upstream, subscriptions, memory, release, burst, startup,
//                  results
//   --out=FILE     where to write the report (default BENCHMARKS.md, and then the README's excerpt
//                  between <!-- bench:start --> and <!-- bench:end --> too; with --quick, nowhere)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root } from './child.ts';
import { runOverhead, type OverheadOptions } from './overhead.ts';
import { runBurst, type BurstOptions } from './burst.ts';
import { runRelease, type ReleaseOptions } from './release.ts';
import { renderReport, renderSummary, type BenchResults } from './report.ts';
import { runResults, type ResultsOptions } from './results.ts';
import { runStartup } from './startup.ts';
import { runSubscriptionMemory, type SubscriptionMemoryOptions } from './subscription-memory.ts';
import { runSubscriptions, type SubscriptionOptions } from './subscriptions.ts';
import { runUpstream, type UpstreamOptions } from './upstream.ts';

export const BENCHMARKS = ['overhead', 'upstream', 'subscriptions', 'memory', 'release', 'burst', 'startup', 'results'] as const;
export type Benchmark = (typeof BENCHMARKS)[number];

export interface BenchOptions {
  quick: boolean;
  only: readonly Benchmark[];
  out: string | undefined;
  /** Rewrite the README's excerpt (full runs writing the default BENCHMARKS.md). */
  readme: boolean;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const value = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const quick = argv.includes('--quick');
  const only = (value('only')?.split(',') ?? [...BENCHMARKS]) as Benchmark[];
  const unknown = only.filter((name) => !BENCHMARKS.includes(name));
  if (unknown.length > 0) throw new Error(`--only takes ${BENCHMARKS.join(', ')} (got ${unknown.join(', ')})`);
  const out = value('out');
  return { quick, only, out: out ?? (quick ? undefined : join(root, 'BENCHMARKS.md')), readme: !quick && out === undefined };
}

export interface BenchSettings {
  http: OverheadOptions;
  upstream: UpstreamOptions;
  subscriptions: SubscriptionOptions;
  memory: SubscriptionMemoryOptions;
  release: ReleaseOptions;
  burst: BurstOptions;
  startup: { runs: number };
  results: ResultsOptions;
}

/** The scale of each benchmark, full or quick. */
export function settingsFor(quick: boolean): BenchSettings {
  return quick
    ? {
        http: { rounds: 1, durationSeconds: 1, connections: 10, added: { rounds: 1, durationSeconds: 1, turnOne: false } },
        upstream: { operationJobCounts: [1, 10], watchedJobCounts: [1, 100], rounds: 2 },
        subscriptions: { connections: 10, perConnection: 10, rounds: 1 },
        memory: { counts: [100, 200], perConnection: 10 },
        release: { counts: [500, 1000], rounds: 1 },
        burst: { jobs: 4, subscribers: 200, perConnection: 10, rounds: 1 },
        startup: { runs: 1 },
        results: { records: 2000, pageSize: 500, rounds: 1 },
      }
    : {
        http: { rounds: 5, durationSeconds: 3, connections: 10, added: { rounds: 20, durationSeconds: 1, turnOne: true } },
        upstream: { operationJobCounts: [1, 10, 100], watchedJobCounts: [1, 100, 1000, 10_000], rounds: 3 },
        subscriptions: { connections: 100, perConnection: 100, rounds: 3 },
        memory: { counts: [10_000, 25_000, 50_000], perConnection: 100 },
        release: { counts: [2500, 5000, 10_000], rounds: 5 },
        burst: { jobs: 20, subscribers: 2000, perConnection: 10, rounds: 7 },
        startup: { runs: 5 },
        results: { records: 12_000, pageSize: 1000, rounds: 3 },
      };
}

export async function runBenchmarks(
  {
    quick,
    only,
    settings = settingsFor(quick),
    loadAverageAtStart = os.loadavg(),
  }: { quick: boolean; only: readonly Benchmark[]; settings?: BenchSettings; loadAverageAtStart?: number[] },
  log: (line: string) => void = console.log,
): Promise<BenchResults> {
  const results: BenchResults = { quick, settings: settings.http, loadAverageAtStart };
  const step = async <T>(name: Benchmark, run: () => Promise<T>): Promise<T | undefined> => {
    if (!only.includes(name)) return undefined;
    const started = performance.now();
    log(`bench: ${name}…`);
    const result = await run();
    log(`bench: ${name} done in ${Math.round((performance.now() - started) / 1000)} s`);
    return result;
  };
  results.overhead = await step('overhead', () => runOverhead(settings.http));
  results.upstream = await step('upstream', () => runUpstream(settings.upstream));
  results.subscriptions = await step('subscriptions', () => runSubscriptions(settings.subscriptions));
  results.memory = await step('memory', () => runSubscriptionMemory(settings.memory));
  results.release = await step('release', () => runRelease(settings.release));
  results.burst = await step('burst', () => runBurst(settings.burst));
  results.startup = await step('startup', () => runStartup(settings.startup));
  results.results = await step('results', () => runResults(settings.results));
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const options = parseArgs(process.argv.slice(2));
  // Read before the build: tsc's own work would otherwise count as other work on the machine.
  const loadAverageAtStart = os.loadavg();
  // The gateway children run what `npm start` runs: dist/, built here.
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  const results = await runBenchmarks({ ...options, loadAverageAtStart });
  const report = renderReport(results);
  if (options.out) {
    writeFileSync(options.out, report);
    console.log(`bench: wrote ${options.out}`);
  }
  if (options.readme) updateReadme(renderSummary(results));
  console.log(`\n${report}`);
}

/** Replaces the README's excerpt between its markers with `summary`. */
function updateReadme(summary: string): void {
  const path = join(root, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) {
    console.log(`bench: README.md has no ${start} … ${end} block; left as it is`);
    return;
  }
  writeFileSync(path, `${readme.slice(0, from + start.length)}\n${summary}\n${readme.slice(to)}`);
  console.log('bench: updated the excerpt in README.md');
}
