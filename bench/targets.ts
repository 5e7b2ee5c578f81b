// The report's targets: each issue's target, what was measured against it, met or missed.
import { addedLatencyTarget } from './added-latency.ts';
import { FINISHED_IN_PRODUCTION } from './overhead.ts';
import { count, kib, ms, percent, table } from './report-format.ts';
import { round } from './stats.ts';
import type { BenchResults } from './report.ts';

export function targetsTable(results: BenchResults): string {
  const rows: Array<[string, string, string]> = [];
  const finished = results.overhead?.scenarios.find((s) => s.name === 'gateway, finished job');
  if (finished) {
    rows.push([
      'finished job throughput ≥ 90% of bare graphql-yoga',
      `${percent(finished.ratioToBare)} (${percent(finished.ratioToBareWithoutBodyLimit)} of bare with its body-size stream off)`,
      finished.ratioToBare >= 0.9 ? 'met' : 'missed',
    ]);
  }
  if (results.overhead) rows.push(addedLatencyTarget(results.overhead.added));
  const largestWatch = results.upstream?.perInterval.at(-1);
  if (largestWatch && largestWatch.watched >= 10_000) {
    const pages = Math.ceil(largestWatch.watched / 1000);
    rows.push([
      `at ${count(largestWatch.watched)} watched jobs, at most ${pages + 1} calls per interval (${pages} list pages are the floor)`,
      `${count(largestWatch.steadyCalls)} calls`,
      largestWatch.steadyCalls <= pages + 1 ? 'met' : 'missed',
    ]);
  }
  const perOperation = results.upstream?.perOperation;
  if (perOperation) {
    const ok = perOperation.every((row) => row.calls === row.jobs);
    rows.push(['upstream calls per operation = distinct jobs', ok ? 'equal for every size' : 'not equal', ok ? 'met' : 'missed']);
  }
  if (results.subscriptions) {
    const { gateway, bare, floor } = results.subscriptions;
    const at = `at ${count(gateway.subscriptions)} subscribers`;
    rows.push([
      `fan-out p99 < 50 ms ${at}, as the clients see it`,
      `${ms(gateway.fanOut.p99Ms)} ms (bare graphql-ws: ${ms(bare.fanOut.p99Ms)} ms; floor, the client pool's own limit here: ${ms(floor.fanOut.p99Ms)} ms)`,
      gateway.fanOut.p99Ms < 50 ? 'met' : floor.fanOut.p99Ms >= 50 ? 'missed (the floor misses it too)' : 'missed',
    ]);
    if (gateway.fanOut.serverMs !== undefined) {
      rows.push([
        `fan-out < 50 ms ${at}, server side`,
        `${ms(gateway.fanOut.serverMs)} ms from the observation to the last subscriber handed the event`,
        gateway.fanOut.serverMs < 50 ? 'met' : 'missed',
      ]);
    }
    const perSubscription = Math.max(gateway.bytesPerSubscription.heap, gateway.bytesPerSubscription.rss);
    rows.push([
      '< 20 KB per idle subscription',
      `${kib(gateway.bytesPerSubscription.heap)} heap, ${kib(gateway.bytesPerSubscription.rss)} RSS`,
      perSubscription < 20_000 ? 'met' : gateway.bytesPerSubscription.heap < 20_000 ? 'met for heap, missed for RSS' : 'missed',
    ]);
  }
  if (results.memory && results.memory.rows.length > 0) {
    const { rows: sizes } = results.memory;
    const counts = sizes.map((row) => count(row.subscriptions)).join(', ');
    const ratios = (of: 'heap' | 'rss') => sizes.map((row) => row.gateway[of] / row.bare[of]);
    const [heap, rss] = [ratios('heap'), ratios('rss')];
    const list = (values: number[]) => values.map((value) => `${value.toFixed(2)}×`).join(', ');
    rows.push([
      `memory per idle subscription ≤ bare graphql-ws's on the same clients (heap and RSS), at ${counts} subscriptions`,
      `gateway / bare: heap ${list(heap)}; RSS ${list(rss)}`,
      [...heap, ...rss].every((ratio) => ratio <= 1) ? 'met' : heap.every((ratio) => ratio <= 1) ? 'met for heap, missed for RSS' : 'missed',
    ]);
    if (sizes.length > 1) {
      const [smallest, largest] = [sizes[0]!, sizes.at(-1)!];
      const growth = {
        heap: largest.gateway.heap / smallest.gateway.heap,
        rss: largest.gateway.rss / smallest.gateway.rss,
        fanOut: largest.gateway.fanOutMs / largest.subscriptions / (smallest.gateway.fanOutMs / smallest.subscriptions),
      };
      rows.push([
        `the gateway's memory and server-side fan-out grow linearly from ${count(smallest.subscriptions)} to ${count(largest.subscriptions)} subscriptions (per subscription ≤ 2× that at ${count(smallest.subscriptions)})`,
        `per subscription at ${count(largest.subscriptions)}: heap ${growth.heap.toFixed(2)}×, RSS ${growth.rss.toFixed(2)}×, server-side fan-out ${growth.fanOut.toFixed(2)}× (${ms(largest.gateway.fanOutMs)} ms)`,
        Object.values(growth).every((value) => value <= 2) ? 'met' : 'missed',
      ]);
    }
  }
  if (results.release && results.release.rows.length > 1) {
    const { rows: released } = results.release;
    const [smallest, largest] = [released[0]!, released.at(-1)!];
    const growth = largest.perSubscriptionUs / smallest.perSubscriptionUs;
    rows.push([
      `releasing ${count(largest.subscriptions)} distinct-job subscriptions grows linearly (per subscription ≤ 2× that at ${count(smallest.subscriptions)})`,
      `${ms(largest.releaseMs)} ms (${round(largest.perSubscriptionUs, 1)} µs each; ${growth.toFixed(2)}× per subscription)`,
      growth <= 2 ? 'met' : 'missed',
    ]);
  }
  if (results.results) {
    const read = results.results.all.bytesReadPerOutputByte;
    rows.push([
      'paging a whole output reads about its size from S3 (≤ 1.1×)',
      `${read.toFixed(3)}× at ${count(results.results.all.recordsPerSecond)} records per second`,
      read <= 1.1 ? 'met' : 'missed',
    ]);
  }
  if (results.startup) {
    const ratio = results.startup.medianMs / results.startup.bare.medianMs;
    rows.push([
      'start-up ≤ 2× bare graphql-yoga started the same way',
      `${ms(results.startup.medianMs)} ms against ${ms(results.startup.bare.medianMs)} ms (${ratio.toFixed(2)}×)`,
      ratio <= 2 ? 'met' : 'missed',
    ]);
  }
  if (results.burst) {
    const { burst, oneJob } = results.burst;
    rows.push([
      `burst: ${count(burst.jobs)} jobs finishing in one round, ${count(burst.subscribers)} subscribers, p99 ≤ 30 ms`,
      `${ms(burst.p99Ms)} ms (one job, same subscribers: ${ms(oneJob.p99Ms)} ms)`,
      burst.p99Ms <= 30 ? 'met' : 'missed',
    ]);
  }
  const production = results.overhead?.scenarios.find((s) => s.name === FINISHED_IN_PRODUCTION);
  if (production) {
    rows.push([
      'finished job in production config ≥ 1.0× bare graphql-yoga with its body-size stream off',
      `${production.ratioToBareWithoutBodyLimit.toFixed(2)}× (${percent(production.ratioToBare)} of bare with Yoga's defaults)`,
      production.ratioToBareWithoutBodyLimit >= 1 ? 'met' : 'missed',
    ]);
  }
  return table(['target', 'measured', ''], rows);
}
