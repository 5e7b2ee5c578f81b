// `npm run bench` must keep working: its harness runs here at a tiny scale. Only that it runs and
// reports is checked; benchmark figures are never test assertions.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../bench/report.ts';
import { runBenchmarks } from '../bench/run.ts';

describe('npm run bench', () => {
  it('should run the benchmarks at a tiny scale and render every section', async () => {
    const results = await runBenchmarks(
      {
        quick: true,
        only: ['overhead', 'upstream', 'subscriptions', 'memory', 'release', 'burst', 'results'],
        settings: {
          http: { rounds: 1, durationSeconds: 0.2, connections: 2, added: { rounds: 2, durationSeconds: 0.2, turnOne: true } },
          upstream: { operationJobCounts: [2], watchedJobCounts: [10], rounds: 1 },
          subscriptions: { connections: 2, perConnection: 3, rounds: 1 },
          memory: { counts: [6], perConnection: 3 },
          release: { counts: [20, 40], rounds: 1 },
          burst: { jobs: 3, subscribers: 12, perConnection: 2, rounds: 1 },
          startup: { runs: 0 },
          results: { records: 300, pageSize: 100, rounds: 1 },
        },
      },
      () => undefined,
    );
    const report = renderReport(results);
    for (const section of ['## Gateway overhead (HTTP)', '## Upstream efficiency', '## Subscriptions', '## Memory per subscription', '## Releasing subscriptions', '## Bursts of changes', '## Job results', '## Targets']) {
      expect(report).toContain(section);
    }
    expect(results.overhead!.scenarios.every((scenario) => scenario.requestsPerSecond > 0)).toBe(true);
    // Turn one's gateway, from the repository's history, ran beside today's in both rounds.
    const { turnOne } = results.overhead!.added;
    expect('notMeasured' in turnOne ? turnOne.notMeasured : turnOne.addedByRound.length).toBe(2);
    expect(report).toContain("turn one's gateway (44b3981), unfinished job");
    expect(results.subscriptions!.gateway.fanOut.events).toBe(4);
    expect(results.subscriptions!.bare.fanOut.events).toBe(4);
    expect(results.subscriptions!.clientProcesses).toBe(Math.min(availableParallelism(), 2));
    expect(results.memory!.rows.map((row) => [row.subscriptions, row.connections])).toEqual([[6, 2]]);
    expect(results.release!.rows.map((row) => row.subscriptions)).toEqual([20, 40]);
    expect([results.burst!.burst.jobs, results.burst!.oneJob.jobs, results.burst!.burst.subscribers]).toEqual([3, 1, 12]);
    expect(results.results!.all.records).toBe(300);
    expect(report).not.toMatch(/NaN|undefined/);
  }, 90_000);
});
