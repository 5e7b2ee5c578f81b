// Gateway overhead: the gateway answering `modelInvocationJob` against a bare graphql-yoga
// server answering `{ hello }`, measured in the same run, interleaved round by round so that
// noise from other processes hits both alike. Plus the latency an unfinished job's request adds
// over the upstream call it needs (added-latency.ts).
import { measureAddedLatency, type AddedLatency, type AddedLatencyOptions } from './added-latency.ts';
import { startChild, type Child } from './child.ts';
import type { GatewayProcessReady } from './gateway-process.ts';
import { checkAnswer, runLoad, type LoadOptions, type LoadResult } from './http-load.ts';
import { BARE_QUERY, CLIENT_HEADERS, JOB_QUERY } from './queries.ts';
import { median } from './stats.ts';

export interface OverheadOptions {
  rounds: number;
  durationSeconds: number;
  connections: number;
  /** One request at a time, today's gateway (and turn one's) against the direct upstream call. */
  added: AddedLatencyOptions;
}

export const BARE = 'bare graphql-yoga, `{ hello }`';
export const BARE_WITHOUT_BODY_LIMIT = "bare graphql-yoga, `{ hello }`, Yoga's body-size stream off";
export const FINISHED_IN_PRODUCTION = 'gateway, finished job, production config';

/**
 * How a gateway runs in production: API keys required, a request rate limit the load never
 * reaches, and, as always, metrics and request ids.
 */
const PRODUCTION_KEY = 'benchmark-key';
const PRODUCTION_ENV = {
  AUTH_REQUIRED: 'true',
  GATEWAY_API_KEYS: JSON.stringify({ [PRODUCTION_KEY]: ['jobs:read'] }),
  RATE_LIMIT_RPS: '1000000',
  RATE_LIMIT_BURST: '1000000',
};

/** Sequential requests over which upstream calls per request are counted. */
const CALL_COUNT_REQUESTS = 100;

interface Scenario {
  name: string;
  load: Omit<LoadOptions, 'connections' | 'durationSeconds'>;
}

export interface ScenarioSummary {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Median over rounds of this scenario's throughput divided by the bare server's in that round. */
  ratioToBare: number;
  /** The same against the bare server without Yoga's body-size stream. */
  ratioToBareWithoutBodyLimit: number;
}

export interface OverheadResult {
  scenarios: ScenarioSummary[];
  /** Upstream GetModelInvocationJob calls per request of the unfinished-job scenario. */
  unfinishedCallsPerRequest: number;
  /** Sequential requests (one connection): the gateway's unfinished job against the SDK's own call. */
  added: AddedLatency;
}

export async function runOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const [bare, bareWithoutBodyLimit, cached, uncached, production] = await Promise.all([
    startChild<{ url: string }>('bench/bare-process.ts'),
    startChild<{ url: string }>('bench/bare-process.ts', { env: { BARE_BODY_LIMIT: 'off' } }),
    startChild<GatewayProcessReady>('bench/gateway-process.ts'),
    startChild<GatewayProcessReady>('bench/gateway-process.ts', { env: { RESPONSE_CACHE_SIZE: '0' } }),
    startChild<GatewayProcessReady>('bench/gateway-process.ts', { env: PRODUCTION_ENV }),
  ]);
  try {
    const job = (child: Child<GatewayProcessReady>, id: string, headers: Record<string, string> = CLIENT_HEADERS) => ({
      url: child.ready.url,
      query: JOB_QUERY,
      variables: { id },
      headers,
    });
    const scenarios: Scenario[] = [
      { name: BARE, load: { url: bare.ready.url, query: BARE_QUERY, headers: CLIENT_HEADERS } },
      { name: BARE_WITHOUT_BODY_LIMIT, load: { url: bareWithoutBodyLimit.ready.url, query: BARE_QUERY, headers: CLIENT_HEADERS } },
      { name: 'gateway, finished job', load: job(cached, cached.ready.finishedJobId) },
      { name: FINISHED_IN_PRODUCTION, load: job(production, production.ready.finishedJobId, { 'x-api-key': PRODUCTION_KEY }) },
      { name: 'gateway, finished job, response cache off', load: job(uncached, uncached.ready.finishedJobId) },
      { name: 'gateway, unfinished job (1 upstream call)', load: job(cached, cached.ready.unfinishedJobId) },
    ];
    for (const { load } of scenarios) await checkAnswer(load);

    // Counted exactly, on sequential requests, before any load: a timed run ends with requests in flight.
    const unfinished = scenarios.at(-1)!.load;
    await cached.request({ type: 'resetCalls' });
    for (let i = 0; i < CALL_COUNT_REQUESTS; i++) await checkAnswer(unfinished);
    const calls = await cached.request<Record<string, number>>({ type: 'calls' });

    const size = { connections: options.connections, durationSeconds: options.durationSeconds };
    // Warm-up: JIT, caches, keep-alive pools; not recorded.
    for (const { load } of scenarios) await runLoad({ ...load, ...size, durationSeconds: Math.min(1, options.durationSeconds) });

    const results = new Map<string, LoadResult[]>(scenarios.map(({ name }) => [name, []]));
    for (let round = 0; round < options.rounds; round++) {
      // Every other round in reverse order, so that a drift in the machine's load favours no scenario.
      for (const { name, load } of round % 2 === 0 ? scenarios : [...scenarios].reverse()) {
        results.get(name)!.push(await runLoad({ ...load, ...size }));
      }
    }

    const ratioTo = (baseline: string, runs: LoadResult[]) =>
      median(runs.map((run, round) => run.requestsPerSecond / results.get(baseline)![round]!.requestsPerSecond));
    const summaries = scenarios.map(({ name }) => {
      const runs = results.get(name)!;
      return {
        name,
        requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
        p50Ms: median(runs.map((r) => r.p50Ms)),
        p99Ms: median(runs.map((r) => r.p99Ms)),
        ratioToBare: ratioTo(BARE, runs),
        ratioToBareWithoutBodyLimit: ratioTo(BARE_WITHOUT_BODY_LIMIT, runs),
      };
    });

    const added = await measureAddedLatency(cached, bare, options.added);
    return { scenarios: summaries, unfinishedCallsPerRequest: (calls.GetModelInvocationJob ?? 0) / CALL_COUNT_REQUESTS, added };
  } finally {
    await Promise.all([bare.close(), bareWithoutBodyLimit.close(), cached.close(), uncached.close(), production.close()]);
  }
}
