// Renders benchmark results as the Markdown of BENCHMARKS.md: the machine, the method, one table
// per benchmark, and the targets.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { renderAddedLatency } from './added-latency.ts';
import type { OverheadOptions, OverheadResult } from './overhead.ts';
import type { StartupResult } from './startup.ts';
import { count, kib, ms, percent, table } from './report-format.ts';
import { round } from './stats.ts';
import { targetsTable } from './targets.ts';
import type { SubscriptionResult } from './subscriptions.ts';
import type { SubscriptionMemoryResult } from './subscription-memory.ts';
import type { ReleaseResult } from './release.ts';
import type { BurstResult, BurstScenario } from './burst.ts';
import type { ResultsResult } from './results.ts';
import type { UpstreamResult } from './upstream.ts';

export interface BenchResults {
  quick: boolean;
  settings: OverheadOptions;
  loadAverageAtStart: number[];
  overhead?: OverheadResult;
  upstream?: UpstreamResult;
  subscriptions?: SubscriptionResult;
  memory?: SubscriptionMemoryResult;
  release?: ReleaseResult;
  burst?: BurstResult;
  startup?: StartupResult;
  results?: ResultsResult;
}

export function machine(): Record<string, string> {
  const cpus = os.cpus();
  let distribution = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) distribution = `${pretty} (${os.type()} ${os.release()})`;
  } catch {
    // not Linux: os.type() and release say enough
  }
  return {
    CPU: cpus[0]?.model.trim() ?? 'unknown',
    cores: String(cpus.length),
    memory: `${round(os.totalmem() / 2 ** 30, 1)} GiB`,
    OS: `${distribution}, ${os.arch()}`,
    'Node.js': process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

/** Other work was running when the benchmarks started: more than a quarter of the cores busy. */
const noisy = (results: BenchResults) => (results.loadAverageAtStart[0] ?? 0) > os.cpus().length / 4;
const NOISY =
  '**Placeholder figures from a busy machine** (other work was running when the benchmarks started): rerun ' +
  '`npm run bench` on a quiet machine before quoting them.';


export function renderReport(results: BenchResults): string {
  const { settings } = results;
  const out: string[] = [];
  out.push('# Benchmarks', '');
  out.push(
    `Written by \`npm run bench${results.quick ? ' -- --quick' : ''}\`${results.quick ? ' (quick mode: smoke test, fewer and shorter runs — not figures to quote)' : ''}. ` +
      'Every server under test runs in its own child process on loopback. Of the load generators, autocannon (HTTP) runs ' +
      'in the parent, and the pool of graphql-ws clients (subscriptions) in child processes of its own. The upstream is ' +
      'the embedded Bedrock simulator, reached through the real AWS SDK over HTTP. Figures are medians over runs; ratios are taken within each round, between ' +
      'runs made back to back, then their median is reported.',
    '',
  );
  out.push(table(['machine', ''], Object.entries(machine())));
  out.push('', `Load average when the run started: ${results.loadAverageAtStart.map((v) => round(v, 2)).join(', ')} (1, 5, 15 min). On a busy machine absolute figures drop; the same-run ratios hold up better.`, '');
  if (noisy(results)) out.push(NOISY, '');

  if (results.overhead) {
    const { overhead } = results;
    out.push('## Gateway overhead (HTTP)', '');
    out.push(
      `${settings.rounds} rounds; in each, every scenario runs ${settings.durationSeconds} s with ${settings.connections} keep-alive connections, ` +
        'one after the other, in reverse order every other round (after an unrecorded 1 s warm-up each); a scenario\'s throughput ' +
        'against bare is the median over rounds of its ratio to the bare server\'s run of the same round. All requests carry an ' +
        '`authorization` header, except the production config\'s, which carry an API key in `x-api-key`. ' +
        '**Production config**: API keys required (`AUTH_REQUIRED=true`, `GATEWAY_API_KEYS`), a request rate limit the load ' +
        'never reaches (`RATE_LIMIT_RPS`), metrics and request ids on, as always; the other gateways run with auth and the ' +
        'rate limit off. ' +
        '**Finished**: a job in a terminal status (here COMPLETED), which never changes again, so its answer may be served from the ' +
        'response cache. **Unfinished**: a job IN_PROGRESS, whose every answer needs one GetModelInvocationJob call upstream. ' +
        'The job query asks for the fields of the README\'s first example. The bare server runs with Yoga\'s defaults, which ' +
        'pipe every request body through a byte-counting stream (`maxRequestBodySize`, 25 MB); the gateway enforces ' +
        '`MAX_REQUEST_BODY_BYTES` from Content-Length instead and counts only bodies sent without one, so a second bare ' +
        'server, with that stream off, shows what is left when neither pays it.',
      '',
    );
    out.push(overheadTable(overhead));
    out.push('', `Upstream calls per request for the unfinished job: ${round(overhead.unfinishedCallsPerRequest, 3)}.`, '');
    out.push(renderAddedLatency(overhead.added, settings.added), '');
  }

  if (results.upstream) {
    const { upstream } = results;
    out.push('## Upstream efficiency', '');
    out.push(
      'Calls to Bedrock per operation: one `modelInvocationJobsByIdentifier` naming each unfinished job twice (as ARN and as bare id).',
      '',
    );
    out.push(
      table(
        ['distinct jobs', 'identifiers', 'GetModelInvocationJob calls'],
        upstream.perOperation.map((row) => [count(row.jobs), count(row.identifiers), count(row.calls)]),
      ),
      '',
    );
    out.push(
      'Calls to Bedrock per poll interval, with N unfinished jobs watched (the poller driven directly, one `watch()` per job; each ' +
        'row on an account of its own, which also holds N finished jobs submitted a day earlier). The first round after the jobs are watched, and the median ' +
        'of the rounds after it. The first round knows nothing of the jobs yet, so it cannot bound a list by submit time and gets ' +
        'each job; subscriptions do not pay this, as each fetches its job while watching it. Later rounds read list pages, ' +
        'newest first, down to the oldest watched unfinished job: 1,000 jobs a page.',
      '',
    );
    out.push(
      table(
        ['watched jobs', 'calls in the first round', 'calls per interval after it', 'how'],
        upstream.perInterval.map((row) => [
          count(row.watched),
          count(row.firstRoundCalls),
          count(row.steadyCalls),
          row.mode === 'list' ? 'ListModelInvocationJobs pages' : 'one GetModelInvocationJob per job',
        ]),
      ),
      '',
    );
  }

  if (results.subscriptions) {
    const { gateway } = results.subscriptions;
    out.push('## Subscriptions', '');
    out.push(
      `${count(gateway.subscriptions)} subscriptions over ${count(gateway.connections)} graphql-ws connections (${count(gateway.subscriptions / gateway.connections)} each, ` +
        'the default `WS_MAX_SUBSCRIPTIONS_PER_CONNECTION`), all to one job, held by one server process. The client pool, real ' +
        `graphql-ws clients, is spread over ${count(results.subscriptions.clientProcesses)} processes (one per core): a process reads ` +
        'its messages one at a time, so with every client in one process the last subscriber would mostly wait for its own ' +
        'process to read the others. The pool shares the machine with the server. **Gateway**: ' +
        '`modelInvocationJobStatusChanged`, the job moved through its life by the simulator ' +
        '(SUBMITTED → VALIDATING → SCHEDULED → IN_PROGRESS → COMPLETED), each change seen by the poller (200 ms interval). ' +
        '**Bare graphql-ws**: graphql-ws\'s own `useServer` with graphql-js and an in-memory pub/sub, one trivial subscription, ' +
        'the same four events published to everyone. **Floor**: no GraphQL at all, a minimal server speaking the graphql-ws ' +
        'protocol that serialises each event once, frames it for every subscription of a connection into one buffer and ' +
        'writes that in one call: what the client pool, on the same machine, can receive at best. Each round subscribes ' +
        'everyone anew and sends the four events; the first round warms up and is not counted. Memory is the server ' +
        'process\'s after a full GC (`--expose-gc`), its RSS read once it stopped falling (V8 gives the pages a GC emptied ' +
        'back from a background thread): connections open against none, then (first round) subscriptions idle ' +
        'against connections open. Fan-out latency: from the server ' +
        'stamping an event (the gateway: the poller observing the change, `observedAt`; millisecond resolution) to each client ' +
        'receiving it; percentiles over all subscribers per event, then the median over ' +
        `${gateway.fanOut.events} events. CPU: the server process\'s user + system time from the change to the last delivery. ` +
        'Server side: the gateway\'s own `gateway_subscription_fanout_seconds`, from the observation to the last subscriber ' +
        'handed the event (its frame written to the socket), median over events. Event loop held at most: the server\'s ' +
        'longest stall (`monitorEventLoopDelay`, 1 ms resolution) from a round\'s first event until it let go of every ' +
        'subscription, ending them included (the gateway ends them when the job finishes; the baselines when the ' +
        'clients unsubscribe), median over rounds: how long anything else on the server could be kept waiting.',
      '',
    );
    out.push(
      subscriptionTable(results.subscriptions),
      '',
      `Upstream GetModelInvocationJob calls while all ${count(gateway.subscriptions)} gateway subscriptions were made (first round): ` +
        `${count(gateway.subscribeCalls)}, during which the poller ran ${count(gateway.subscribePollRounds)} rounds of at most one call each ` +
        '(one job watched); the subscriptions themselves need one call between them, whoever makes it.',
      '',
    );
  }

  if (results.memory) {
    const { memory } = results;
    out.push('## Memory per subscription', '');
    out.push(
      'N subscriptions to one job, held by a fresh gateway process, then by a fresh bare graphql-ws server (as in Subscriptions: ' +
        `graphql-ws's own \`useServer\`, graphql-js, an in-memory pub/sub), each from a fresh client pool of the same make: real graphql-ws ` +
        `clients, ${count(memory.perConnection)} subscriptions per connection${memory.perConnection === 100 ? ' (the default `WS_MAX_SUBSCRIPTIONS_PER_CONNECTION`)' : ''}, spread over ` +
        `${count(memory.clientProcesses)} processes. Memory per idle subscription: the server's after a full GC (\`--expose-gc\`), its RSS ` +
        'read once it stopped falling, with the subscriptions made (the gateway\'s each with its first event, SUBMITTED) ' +
        'against the connections alone. Then the simulator moves the gateway\'s job through its life; fan-out is the ' +
        'gateway\'s own `gateway_subscription_fanout_seconds`, from the observation to the last subscriber handed the event, ' +
        'median over the four changes. Gateway / bare below 1 is less memory than bare graphql-ws; a cost per subscription ' +
        'that stays flat as N grows is linear.',
      '',
      memoryTable(memory),
      '',
    );
  }

  if (results.release) {
    out.push('## Releasing subscriptions', '');
    out.push(
      'A mass disconnect: N subscriptions, each on its own job, ended at once through the feed and the poller in a fresh process ' +
        "(each lets go of its cohort, its caller's watch quota and its poller watch; the poller then checks once whether anything is left to poll). " +
        'Time from the first release to the turn after the last, median of the rounds; per-subscription cost that stays flat as N grows is linear.',
      '',
      releaseTable(results.release),
      '',
    );
  }

  if (results.burst) {
    const { burst, oneJob } = results.burst;
    out.push('## Bursts of changes', '');
    out.push(
      `${count(burst.jobs)} watched jobs finish in the same poll round (200 ms interval), ${count(burst.subscribers)} subscribers spread over them, ` +
        `${count(burst.subscribers / burst.connections)} per socket on different jobs, all in one client process; against one job with as many subscribers on ` +
        'as many sockets. Latency from the poller observing a job\'s change (`observedAt`) to each subscriber receiving it, percentiles ' +
        'over every subscriber, median over rounds. A list round that sees a watched job finish reads it again with ' +
        'GetModelInvocationJob (a summary lacks members), so the jobs of a burst are observed one read after another. ' +
        'Server CPU: from the change until every stream has ended (its `complete` sent).',
      '',
      table(
        ['scenario', 'p50 ms', 'p99 ms', 'max ms', 'server side ms (mean per job)', 'server CPU ms'],
        [burstRow(`${count(burst.jobs)} jobs finishing together`, burst), burstRow('1 job', oneJob)],
      ),
      '',
    );
  }

  if (results.results) {
    const r = results.results;
    out.push('## Job results', '');
    out.push(
      `One PartiallyCompleted job of ${count(r.records)} records (${count(r.failed)} failed) whose output the simulator writes as ` +
        `Bedrock would (${round(r.outputBytes / 1e6, 1)} MB of \`.out\` files), paged end to end through the gateway with ` +
        `\`records(first: ${count(r.pageSize)})\`, one request after the other, then with \`errorsOnly\`. Records stream from the ` +
        "simulator's S3 with ranged GetObject calls over the real S3 SDK; bytes read are what S3 served, over the bytes of output.",
      '',
    );
    const passRow = (name: string, p: ResultsResult['all']) => [
      name,
      count(p.records),
      count(p.pages),
      count(p.recordsPerSecond),
      p.bytesReadPerOutputByte.toFixed(3),
      count(p.getObjectRequests),
    ];
    out.push(
      table(
        ['pass', 'records', 'pages', 'records per second', 'S3 bytes read per byte of output', 'GetObject calls'],
        [passRow('every record', r.all), passRow('errorsOnly', r.errorsOnly)],
      ),
      '',
    );
  }

  if (results.startup) {
    const s = results.startup;
    out.push('## Start-up', '');
    out.push(
      'From spawning `node dist/main.js` (what `npm start` runs, embedded simulator included) to the first 200 from `/healthz`, ' +
        'against a bare graphql-yoga server started the same way (`node bench/bare-server.mjs`); runs alternate.',
      '',
    );
    out.push(
      table(
        ['server', 'runs', 'median ms', 'min ms', 'max ms', 'vs bare (median)'],
        [
          ['gateway', s.runs, ms(s.medianMs), ms(s.minMs), ms(s.maxMs), `${(s.medianMs / s.bare.medianMs).toFixed(2)}×`],
          ['bare graphql-yoga', s.runs, ms(s.bare.medianMs), ms(s.bare.minMs), ms(s.bare.maxMs), '1.00×'],
        ],
      ),
      '',
    );
  }

  out.push('## Targets', '', targetsTable(results), '');
  return out.join('\n');
}

function overheadTable(overhead: OverheadResult): string {
  return table(
    ['scenario', 'requests/s', 'p50 ms', 'p99 ms', 'throughput vs bare', 'vs bare, body-size stream off'],
    overhead.scenarios.map((s) => [s.name, count(s.requestsPerSecond), ms(s.p50Ms), ms(s.p99Ms), percent(s.ratioToBare), percent(s.ratioToBareWithoutBodyLimit)]),
  );
}

function memoryTable({ rows }: SubscriptionMemoryResult): string {
  const ratio = (gateway: number, bare: number) => `${(gateway / bare).toFixed(2)}×`;
  return table(
    ['subscriptions', 'connections', 'gateway heap', 'bare heap', 'heap gateway / bare', 'gateway RSS', 'bare RSS', 'RSS gateway / bare', 'gateway fan-out, server side ms', 'µs per subscriber'],
    rows.map(({ subscriptions, connections, gateway, bare }) => [
      count(subscriptions),
      count(connections),
      kib(gateway.heap),
      kib(bare.heap),
      ratio(gateway.heap, bare.heap),
      kib(gateway.rss),
      kib(bare.rss),
      ratio(gateway.rss, bare.rss),
      ms(gateway.fanOutMs),
      round((gateway.fanOutMs * 1000) / subscriptions, 2),
    ]),
  );
}

function releaseTable({ rows }: ReleaseResult): string {
  const first = rows[0];
  return table(
    ['subscriptions', 'release ms', 'µs per subscription', 'per subscription vs the smallest'],
    rows.map((row) => [count(row.subscriptions), ms(row.releaseMs), round(row.perSubscriptionUs, 1), first ? `${(row.perSubscriptionUs / first.perSubscriptionUs).toFixed(2)}×` : '–']),
  );
}

function subscriptionTable({ gateway, bare, floor }: SubscriptionResult): string {
  const row = (name: string, r: typeof bare) => [
    name,
    kib(r.bytesPerSubscription.heap),
    kib(r.bytesPerSubscription.rss),
    kib(r.bytesPerConnection.heap),
    ms(r.fanOut.p50Ms),
    ms(r.fanOut.p99Ms),
    ms(r.fanOut.maxMs),
    r.fanOut.serverMs === undefined ? '–' : ms(r.fanOut.serverMs),
    ms(r.fanOut.serverCpuMs),
    ms(r.longestStallMs),
    ms(r.subscribeAllMs),
  ];
  return table(
    ['server', 'heap per subscription', 'RSS per subscription', 'heap per connection', 'fan-out p50 ms', 'fan-out p99 ms', 'fan-out max ms', 'server side ms', 'server CPU ms per event', 'event loop held at most ms', 'all subscribed in ms'],
    [row(`gateway, ${count(gateway.subscriptions)} subscriptions`, gateway), row('bare graphql-ws, same', bare), row('floor, same', floor)],
  );
}

function burstRow(name: string, scenario: BurstScenario): string[] {
  return [name, ms(scenario.p50Ms), ms(scenario.p99Ms), ms(scenario.maxMs), ms(scenario.serverMs), ms(scenario.serverCpuMs)];
}


/**
 * The README's excerpt: machine, HTTP overhead, subscriptions and targets, between the
 * `<!-- bench:start -->` and `<!-- bench:end -->` markers.
 */
export function renderSummary(results: BenchResults): string {
  const m = machine();
  const out = [
    ...(noisy(results) ? [NOISY, ''] : []),
    `Last \`npm run bench\`: ${m.date}, ${m.CPU} (${m.cores} cores), ${m.memory}, Node.js ${m['Node.js']}; load average ` +
      `${round(results.loadAverageAtStart[0] ?? 0, 1)} at the start. Medians over runs; see [BENCHMARKS.md](BENCHMARKS.md) for the method and every table.`,
    '',
  ];
  if (results.overhead) {
    const { today, turnOne, bareP50Ms } = results.overhead.added;
    out.push(
      overheadTable(results.overhead),
      '',
      `An unfinished job's request, one at a time, takes ${ms(today.gatewayP50Ms)} ms p50 against ${ms(today.upstreamP50Ms)} ms ` +
        `for the upstream call alone: the gateway adds ${ms(today.addedP50Ms)} ms` +
        ('differenceMs' in turnOne ? ` (turn one's gateway, in the same rounds: ${ms(turnOne.addedP50Ms)} ms)` : '') +
        `, a bare \`{ hello }\` round trip included (${ms(bareP50Ms)} ms by itself).`,
      '',
    );
  }
  if (results.subscriptions) out.push(subscriptionTable(results.subscriptions), '');
  if (results.memory) out.push(memoryTable(results.memory), '');
  if (results.startup) {
    const s = results.startup;
    out.push(
      `Start-up to the first \`/healthz\` 200: ${ms(s.medianMs)} ms through \`npm start\` against ${ms(s.bare.medianMs)} ms for bare graphql-yoga ` +
        `(${(s.medianMs / s.bare.medianMs).toFixed(2)}×, median of ${s.runs}).`,
      '',
    );
  }
  out.push(targetsTable(results));
  return out.join('\n');
}
