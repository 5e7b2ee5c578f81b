// Subscriptions at scale: a pool of graphql-ws clients (this process) holds `connections` ×
// `perConnection` subscriptions to one job on a gateway in a child process. Measured: the
// gateway's memory per connection and per idle subscription (after a full GC), the upstream
// calls that subscribing cost, and fan-out latency: from the poller observing a status change
// (the event's `observedAt`) to each client receiving it (same machine clock).
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startChild } from './child.ts';
import type { GatewayProcessReady, MemorySample } from './gateway-process.ts';
import { CLIENT_HEADERS, STATUS_SUBSCRIPTION } from './queries.ts';
import { median, percentile } from './stats.ts';

export interface SubscriptionOptions {
  connections: number;
  perConnection: number;
  /** Each round subscribes everyone to a new job and walks it through its lifecycle. */
  rounds: number;
}

export interface SubscriptionResult {
  subscriptions: number;
  connections: number;
  bytesPerConnection: { rss: number; heap: number };
  bytesPerSubscription: { rss: number; heap: number };
  /** Upstream GetModelInvocationJob calls that everyone subscribing cost, poll rounds excluded (first round). */
  subscribeCalls: number;
  /** Time for all subscriptions to receive their first event (median over rounds). */
  subscribeAllMs: number;
  /** Per status change: percentiles over every subscriber; then the median over changes. */
  /** gatewayCpuMs: the gateway process's CPU time (user + system) from the change to the last delivery. */
  fanOut: { changes: number; p50Ms: number; p99Ms: number; maxMs: number; gatewayCpuMs: number };
}

const LIFECYCLE = ['Validating', 'Scheduled', 'InProgress', 'Completed'] as const;
const STATUS_NAMES: Record<string, string> = {
  Validating: 'VALIDATING',
  Scheduled: 'SCHEDULED',
  InProgress: 'IN_PROGRESS',
  Completed: 'COMPLETED',
};

interface StatusEvent {
  modelInvocationJobStatusChanged: { status: string; observedAt: string };
}

export async function runSubscriptions(options: SubscriptionOptions): Promise<SubscriptionResult> {
  const total = options.connections * options.perConnection;
  const gateway = await startChild<GatewayProcessReady>('bench/gateway-process.ts', {
    nodeOptions: ['--expose-gc'],
    env: { POLL_INTERVAL_MS: '200', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(options.perConnection) },
  });
  const clients: Client[] = [];
  try {
    const memory = () => gateway.request<MemorySample>({ type: 'memory' });
    const baseline = await memory();

    const url = `${gateway.ready.url.replace(/^http/, 'ws')}/graphql`;
    await Promise.all(
      Array.from(
        { length: options.connections },
        () =>
          new Promise<void>((resolve, reject) => {
            const client = createClient({
              url,
              webSocketImpl: WebSocket,
              lazy: false,
              retryAttempts: 0,
              connectionParams: CLIENT_HEADERS,
              on: { connected: () => resolve(), error: reject },
            });
            clients.push(client);
          }),
      ),
    );
    const connected = await memory();

    const fanOuts: Array<{ p50: number; p99: number; max: number; cpuMs: number }> = [];
    const subscribeTimes: number[] = [];
    let idle: MemorySample | undefined;
    let subscribeCalls = 0;

    for (let round = 0; round < options.rounds; round++) {
      const [jobId] = await gateway.request<string[]>({ type: 'addJobs', count: 1, status: 'Submitted' });
      await gateway.request({ type: 'resetCalls' });
      const roundsBefore = await gateway.request<number>({ type: 'pollRounds' });
      // received[status] holds one receive-minus-observed latency per subscriber.
      const received = new Map<string, number[]>();
      const waiters = new Map<string, () => void>();
      const onEvent = (event: StatusEvent) => {
        const receivedAt = Date.now();
        const { status, observedAt } = event.modelInvocationJobStatusChanged;
        const latencies = received.get(status) ?? [];
        received.set(status, latencies);
        latencies.push(receivedAt - Date.parse(observedAt));
        if (latencies.length === total) waiters.get(status)?.();
      };
      const allReceived = (status: string) =>
        new Promise<void>((resolve, reject) => {
          if (received.get(status)?.length === total) return resolve();
          const timer = setTimeout(
            () => reject(new Error(`only ${received.get(status)?.length ?? 0} of ${total} subscribers got ${status}`)),
            60_000,
          );
          waiters.set(status, () => {
            clearTimeout(timer);
            resolve();
          });
        });

      const started = performance.now();
      const firstEvents = allReceived('SUBMITTED');
      const completions: Array<Promise<void>> = [];
      for (const client of clients) {
        for (let i = 0; i < options.perConnection; i++) {
          completions.push(
            new Promise((resolve, reject) =>
              client.subscribe<StatusEvent>(
                { query: STATUS_SUBSCRIPTION, variables: { id: jobId } },
                { next: ({ data }) => onEvent(data!), error: reject, complete: resolve },
              ),
            ),
          );
        }
      }
      await firstEvents;
      subscribeTimes.push(performance.now() - started);
      if (round === 0) {
        // Poll rounds ran meanwhile, one call each (one job watched): they are not the subscriptions'.
        const rounds = (await gateway.request<number>({ type: 'pollRounds' })) - roundsBefore;
        subscribeCalls = ((await gateway.request<Record<string, number>>({ type: 'calls' })).GetModelInvocationJob ?? 0) - rounds;
        idle = await memory();
      }

      for (const status of LIFECYCLE) {
        const everyone = allReceived(STATUS_NAMES[status]!);
        const cpuBefore = await gateway.request<number>({ type: 'cpu' });
        await gateway.request({ type: 'setStatus', jobId, status });
        await everyone;
        const cpuMs = (await gateway.request<number>({ type: 'cpu' })) - cpuBefore;
        const latencies = received.get(STATUS_NAMES[status]!)!;
        fanOuts.push({ p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies), cpuMs });
      }
      // A finished job completes every stream.
      await Promise.all(completions);
    }

    return {
      subscriptions: total,
      connections: options.connections,
      bytesPerConnection: {
        rss: (connected.rss - baseline.rss) / options.connections,
        heap: (connected.heapUsed - baseline.heapUsed) / options.connections,
      },
      bytesPerSubscription: { rss: (idle!.rss - connected.rss) / total, heap: (idle!.heapUsed - connected.heapUsed) / total },
      subscribeCalls,
      subscribeAllMs: median(subscribeTimes),
      fanOut: {
        changes: fanOuts.length,
        p50Ms: median(fanOuts.map((f) => f.p50)),
        p99Ms: median(fanOuts.map((f) => f.p99)),
        maxMs: Math.max(...fanOuts.map((f) => f.max)),
        gatewayCpuMs: median(fanOuts.map((f) => f.cpuMs)),
      },
    };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await gateway.close();
  }
}
