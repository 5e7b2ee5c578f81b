// Subscriptions at scale: a pool of graphql-ws clients (client-pool-process.ts, spread over one
// process per core) holds `connections` × `perConnection` subscriptions to one job on a gateway
// in a child process, then to a bare graphql-ws server (bare-ws-process.ts) and to the floor
// (floor-ws-process.ts) the same way.
// Measured for each: memory per connection and per idle subscription (after a full GC, see
// settledMemory), and fan-out latency, from the server stamping an event (the gateway: its poller
// observing a status change; `observedAt`) to each client receiving it (same machine clock);
// plus the server's CPU time per event and, for the gateway, the time it took to hand each event
// to every subscriber (its own fan-out metric) and the upstream calls that subscribing cost.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { startChild, waitFor, type Child, type MemorySample } from './child.ts';
import type { GatewayProcessReady } from './gateway-process.ts';
import { CLIENT_HEADERS, STATUS_SUBSCRIPTION } from './queries.ts';
import { sample } from '../test/support/metrics.ts';
import { median, percentile } from './stats.ts';

export interface SubscriptionOptions {
  connections: number;
  perConnection: number;
  /**
   * Each round subscribes everyone anew and sends the four status changes of a job's life; the
   * first round warms up (each server's code runs optimised from then on) and is not recorded.
   */
  rounds: number;
  /** Processes the client pool is spread over. @default one per core */
  clientProcesses?: number;
}

export interface FanOutResult {
  subscriptions: number;
  connections: number;
  bytesPerConnection: { rss: number; heap: number };
  bytesPerSubscription: { rss: number; heap: number };
  /** Time for all subscriptions to be in place (median over rounds). */
  subscribeAllMs: number;
  /** Per event: percentiles over every subscriber; then the median over events. */
  fanOut: {
    events: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    serverCpuMs: number;
    /** The gateway only: from the observation to the last subscriber handed the event, server side. */
    serverMs?: number;
  };
  /**
   * The longest the server's event loop was held at once, from a round's first event until it let
   * go of every subscription (ending them included), median over rounds.
   */
  longestStallMs: number;
}

export interface SubscriptionResult {
  /** Processes the client pool was spread over. */
  clientProcesses: number;
  gateway: FanOutResult & {
    /** Upstream GetModelInvocationJob calls while everyone subscribed (first round), poll rounds included... */
    subscribeCalls: number;
    /** ...of which there were this many, at most one call each (one job watched). */
    subscribePollRounds: number;
  };
  bare: FanOutResult;
  floor: FanOutResult;
}

/** The changes of a job's life after SUBMITTED, as the simulator names them, and as GraphQL does. */
export const LIFECYCLE = ['Validating', 'Scheduled', 'InProgress', 'Completed'] as const;
export const STATUS_NAMES: Record<string, string> = {
  Validating: 'VALIDATING',
  Scheduled: 'SCHEDULED',
  InProgress: 'IN_PROGRESS',
  Completed: 'COMPLETED',
};

/** How one server under test is subscribed to, moved, and read. */
interface Target {
  child: Child<{ url: string }>;
  query: string;
  /** Before each round: the variables of its subscriptions. */
  prepare(): Promise<Record<string, unknown>>;
  /** Resolves once every subscription is live; `initial()` resolves once all got a first event. */
  subscribed(initial: () => Promise<void>, total: number): Promise<void>;
  /** Makes the server send `status` to every subscriber. */
  change(status: (typeof LIFECYCLE)[number]): Promise<void>;
  /** Server-side fan-out time so far, in seconds, and the number of fan-outs, when the server tells. */
  fanOutTotals?(): Promise<{ seconds: number; count: number }>;
  /** Resolves once the server has let go of every subscription of the round. */
  drained(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


/** A process's resident set now, read from outside it (Linux); undefined where /proc is not. */
function residentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * A child's memory after a full GC, with its RSS read once it has stopped falling: V8 hands the
 * pages a GC emptied back to the system from a background thread, so an RSS read right after the
 * GC still counts some of them (after 10,000 subscriptions made at once, 1 to 3 KiB each, for
 * the gateway and bare graphql-ws alike). Off Linux, the RSS read with the GC.
 */
export async function settledMemory(child: Child<unknown>): Promise<MemorySample> {
  const sample = await child.request<MemorySample>({ type: 'memory' });
  let rss = residentBytes(child.process.pid);
  if (rss === undefined) return sample;
  // Read every 200 ms until it has fallen by less than 0.5% twice in a row (for 3 s at most).
  let steady = 0;
  for (let waited = 0; waited < 3000 && steady < 2; waited += 200) {
    await sleep(200);
    const now: number = residentBytes(child.process.pid) ?? rss;
    steady = now > rss * 0.995 ? steady + 1 : 0;
    rss = now;
  }
  return { ...sample, rss };
}

/**
 * The server's memory once what it does after start-up in the background (the gateway renders its
 * GraphiQL page, 9 MB) is done: settled samples half a second apart until the heap moves by less
 * than 256 KiB (10 s at most).
 */
export async function quietMemory(server: Child<unknown>): Promise<MemorySample> {
  let last = await settledMemory(server);
  for (let waited = 0; waited < 10_000; waited += 500) {
    await sleep(500);
    const now = await settledMemory(server);
    const quiet = Math.abs(now.heapUsed - last.heapUsed) < 256 * 1024;
    last = now;
    if (quiet) break;
  }
  return last;
}

export async function runSubscriptions(options: SubscriptionOptions): Promise<SubscriptionResult> {
  // Both start at once (start-up is slow, idle servers cost nothing); they are measured in turn.
  const [gateway, bare, floor] = await Promise.all([
    startChild<GatewayProcessReady>('bench/gateway-process.ts', {
      nodeOptions: ['--expose-gc'],
      env: { POLL_INTERVAL_MS: '200', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(options.perConnection) },
    }),
    startChild<{ url: string }>('bench/bare-ws-process.ts', { nodeOptions: ['--expose-gc'] }),
    startChild<{ url: string }>('bench/floor-ws-process.ts', { nodeOptions: ['--expose-gc'] }),
  ]);
  try {
    let jobId = '';
    let roundsBefore = 0;
    let subscribe: { calls: number; pollRounds: number } | undefined;
    const result = await measureFanOut(options, {
      child: gateway,
      query: STATUS_SUBSCRIPTION,
      async prepare() {
        jobId = (await gateway.request<string[]>({ type: 'addJobs', count: 1, status: 'Submitted' }))[0]!;
        await gateway.request({ type: 'resetCalls' });
        roundsBefore = await gateway.request<number>({ type: 'pollRounds' });
        return { id: jobId };
      },
      async subscribed(initial) {
        await initial();
        // Poll rounds run meanwhile; a round and a subscriber needing the job at once share one call.
        const pollRounds = (await gateway.request<number>({ type: 'pollRounds' })) - roundsBefore;
        const calls = (await gateway.request<Record<string, number>>({ type: 'calls' })).GetModelInvocationJob ?? 0;
        subscribe ??= { calls, pollRounds };
      },
      // The poller sees the change at its next round (200 ms) and publishes it.
      change: (status) => gateway.request({ type: 'setStatus', jobId, status }),
      async fanOutTotals() {
        const text = await (await fetch(`${gateway.ready.url}/metrics`)).text();
        return {
          seconds: sample(text, 'gateway_subscription_fanout_seconds_sum') ?? 0,
          count: sample(text, 'gateway_subscription_fanout_seconds_count') ?? 0,
        };
      },
      // Its streams end with the job.
      drained: () => waitFor(async () => (await gateway.request<number>({ type: 'openStreams' })) === 0),
    });
    const gatewayResult = { ...result, subscribeCalls: subscribe?.calls ?? 0, subscribePollRounds: subscribe?.pollRounds ?? 0 };

    const bareResult = await measureFanOut(options, publishing(bare));
    const floorResult = await measureFanOut(options, publishing(floor));
    return { clientProcesses: clientProcessesOf(options), gateway: gatewayResult, bare: bareResult, floor: floorResult };
  } finally {
    await Promise.all([gateway.close(), bare.close(), floor.close()]);
  }
}

/** A baseline server (bare graphql-ws, or the floor) that publishes a tick to everyone on command. */
function publishing(child: Child<{ url: string }>): Target {
  const subscribers = () => child.request<number>({ type: 'subscribers' });
  return {
    child,
    query: 'subscription { tick { status observedAt } }',
    // The previous round's subscriptions must be gone before counting this round's.
    prepare: () => waitFor(async () => (await subscribers()) === 0).then(() => ({})),
    subscribed: (_initial, total) => waitFor(async () => (await subscribers()) >= total),
    change: (status) => child.request({ type: 'publish', status: STATUS_NAMES[status] }),
    drained: () => waitFor(async () => (await subscribers()) === 0),
  };
}

export const clientProcessesOf = (options: Pick<SubscriptionOptions, 'clientProcesses'> & { connections: number }) =>
  Math.min(options.clientProcesses ?? availableParallelism(), options.connections);

async function measureFanOut(options: SubscriptionOptions, target: Target): Promise<FanOutResult> {
  const total = options.connections * options.perConnection;
  const { child } = target;
  const memory = () => settledMemory(child);
  const processes = clientProcessesOf(options);
  const pools = await Promise.all(Array.from({ length: processes }, () => startChild<object>('bench/client-pool-process.ts')));
  const everyPool = <T>(command: Record<string, unknown>) => Promise.all(pools.map((pool) => pool.request<T>(command)));
  try {
    const baseline = await quietMemory(child);
    const url = `${child.ready.url.replace(/^http/, 'ws')}/graphql`;
    // Connections shared out as evenly as they go.
    await Promise.all(
      pools.map((pool, i) =>
        pool.request({
          type: 'connect',
          url,
          connectionParams: CLIENT_HEADERS,
          connections: Math.floor(options.connections / processes) + (i < options.connections % processes ? 1 : 0),
        }),
      ),
    );
    const connected = await memory();

    const events: Array<{ p50: number; p99: number; max: number; cpuMs: number; serverMs?: number }> = [];
    const subscribeTimes: number[] = [];
    const stalls: number[] = [];
    let idle: MemorySample | undefined;
    // Every subscriber's latency for a status, once all of them got it.
    const allReceived = async (status: string) =>
      (await everyPool<number[]>({ type: 'received', status, timeoutMs: 60_000 })).flat();

    for (let round = 0; round <= options.rounds; round++) {
      const warmUp = round === 0;
      const variables = await target.prepare();
      const started = performance.now();
      await everyPool({ type: 'subscribe', query: target.query, variables, perConnection: options.perConnection });
      await target.subscribed(() => allReceived('SUBMITTED').then(() => undefined), total);
      if (!warmUp) subscribeTimes.push(performance.now() - started);
      if (warmUp) idle = await memory();

      await child.request({ type: 'longestStall' });
      for (const status of LIFECYCLE) {
        const everyone = allReceived(STATUS_NAMES[status]!);
        const fanOutsBefore = await target.fanOutTotals?.();
        const cpuBefore = await child.request<number>({ type: 'cpu' });
        await target.change(status);
        const latencies = await everyone;
        const cpuMs = (await child.request<number>({ type: 'cpu' })) - cpuBefore;
        const fanOutsAfter = await target.fanOutTotals?.();
        const serverMs =
          fanOutsBefore && fanOutsAfter && fanOutsAfter.count > fanOutsBefore.count
            ? ((fanOutsAfter.seconds - fanOutsBefore.seconds) / (fanOutsAfter.count - fanOutsBefore.count)) * 1000
            : undefined;
        if (!warmUp) {
          events.push({ p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies), cpuMs, serverMs });
        }
      }
      // The gateway's streams completed with the job; the baseline's are ended here.
      await everyPool({ type: 'unsubscribe' });
      await target.drained();
      const stall = await child.request<number>({ type: 'longestStall' });
      if (!warmUp) stalls.push(stall);
    }

    return {
      subscriptions: total,
      connections: options.connections,
      bytesPerConnection: {
        rss: (connected.rss - baseline.rss) / options.connections,
        heap: (connected.heapUsed - baseline.heapUsed) / options.connections,
      },
      bytesPerSubscription: { rss: (idle!.rss - connected.rss) / total, heap: (idle!.heapUsed - connected.heapUsed) / total },
      subscribeAllMs: median(subscribeTimes),
      longestStallMs: median(stalls),
      fanOut: {
        events: events.length,
        p50Ms: median(events.map((e) => e.p50)),
        p99Ms: median(events.map((e) => e.p99)),
        maxMs: Math.max(...events.map((e) => e.max)),
        serverCpuMs: median(events.map((e) => e.cpuMs)),
        serverMs: events.every((e) => e.serverMs !== undefined) ? median(events.map((e) => e.serverMs!)) : undefined,
      },
    };
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}
