// Memory per idle subscription, and the gateway's fan-out, as subscriptions grow: for each count,
// that many subscriptions to one job (`perConnection` per graphql-ws connection, the client pool
// spread over one process per core) are held by a fresh gateway, then by a fresh bare graphql-ws
// server (bare-ws-process.ts). Memory is the server's after a full GC, its RSS once settled (see
// settledMemory): subscriptions idle against connections open, each subscription having had its
// first event (the gateway) or being registered (bare). The gateway then takes the job through its
// life, and each change's fan-out, from the observation to the last subscriber handed the event,
// is read from its own gateway_subscription_fanout_seconds. What must hold: no more memory per
// subscription than bare graphql-ws on the same clients, and a cost per subscription that does
// not grow with their number.
import { startChild, type Child, type MemorySample } from './child.ts';
import type { GatewayProcessReady } from './gateway-process.ts';
import { CLIENT_HEADERS, STATUS_SUBSCRIPTION } from './queries.ts';
import { median } from './stats.ts';
import { LIFECYCLE, STATUS_NAMES, clientProcessesOf, quietMemory, settledMemory } from './subscriptions.ts';
import { sample } from '../test/support/metrics.ts';

export interface SubscriptionMemoryOptions {
  /** Subscriptions held at once, one measurement each, smallest first. */
  counts: number[];
  perConnection: number;
  /** Processes the client pool is spread over. @default one per core */
  clientProcesses?: number;
}

/** Bytes per idle subscription. */
export interface PerSubscription {
  heap: number;
  rss: number;
}

export interface SubscriptionMemoryRow {
  subscriptions: number;
  connections: number;
  gateway: PerSubscription & {
    /** Server side, from the observation to the last subscriber handed the event: median over the job's four changes. */
    fanOutMs: number;
  };
  bare: PerSubscription;
}

export interface SubscriptionMemoryResult {
  perConnection: number;
  clientProcesses: number;
  rows: SubscriptionMemoryRow[];
}

export async function runSubscriptionMemory(options: SubscriptionMemoryOptions): Promise<SubscriptionMemoryResult> {
  const rows: SubscriptionMemoryRow[] = [];
  let clientProcesses = 0;
  for (const subscriptions of options.counts) {
    const connections = Math.ceil(subscriptions / options.perConnection);
    // Everything starts at once (start-up is slow, idle processes cost nothing); the servers are measured in turn.
    const [gateway, bare, gatewayClients, bareClients] = await Promise.all([
      startChild<GatewayProcessReady>('bench/gateway-process.ts', {
        nodeOptions: ['--expose-gc'],
        env: { POLL_INTERVAL_MS: '200', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(options.perConnection) },
      }),
      startChild<{ url: string }>('bench/bare-ws-process.ts', { nodeOptions: ['--expose-gc'] }),
      ClientPool.start(options, connections),
      ClientPool.start(options, connections),
    ]);
    clientProcesses = gatewayClients.size;
    try {
      rows.push({
        subscriptions: connections * options.perConnection,
        connections,
        gateway: await measureGateway(gateway, gatewayClients),
        bare: await measureBare(bare, bareClients),
      });
    } finally {
      await Promise.all([gatewayClients.close(), bareClients.close()]);
      await Promise.all([gateway.close(), bare.close()]);
    }
  }
  return { perConnection: options.perConnection, clientProcesses, rows };
}

async function measureGateway(gateway: Child<GatewayProcessReady>, clients: ClientPool): Promise<SubscriptionMemoryRow['gateway']> {
  const [jobId] = await gateway.request<string[]>({ type: 'addJobs', count: 1, status: 'Submitted' });
  const memory = await clients.idleMemory(gateway, { query: STATUS_SUBSCRIPTION, variables: { id: jobId } }, () => clients.received('SUBMITTED'));
  const fanOuts: number[] = [];
  for (const status of LIFECYCLE) {
    const everyone = clients.received(STATUS_NAMES[status]!);
    const before = await fanOutTotals(gateway);
    // The poller sees the change at its next round (200 ms) and publishes it.
    await gateway.request({ type: 'setStatus', jobId, status });
    await everyone;
    const after = await fanOutTotals(gateway);
    if (after.count > before.count) fanOuts.push(((after.seconds - before.seconds) / (after.count - before.count)) * 1000);
  }
  return { ...memory, fanOutMs: median(fanOuts) };
}

async function measureBare(bare: Child<{ url: string }>, clients: ClientPool): Promise<PerSubscription> {
  return clients.idleMemory(bare, { query: 'subscription { tick { status observedAt } }', variables: {} }, async () => {
    while ((await bare.request<number>({ type: 'subscribers' })) < clients.subscriptions) await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

async function fanOutTotals(gateway: Child<GatewayProcessReady>): Promise<{ seconds: number; count: number }> {
  const text = await (await fetch(`${gateway.ready.url}/metrics`)).text();
  return {
    seconds: sample(text, 'gateway_subscription_fanout_seconds_sum') ?? 0,
    count: sample(text, 'gateway_subscription_fanout_seconds_count') ?? 0,
  };
}

/** The client pool's processes, with `connections` shared out between them as evenly as they go. */
class ClientPool {
  private constructor(
    private readonly processes: Array<Child<object>>,
    private readonly connections: number,
    private readonly perConnection: number,
  ) {}

  static async start(options: SubscriptionMemoryOptions, connections: number): Promise<ClientPool> {
    const count = clientProcessesOf({ ...options, connections });
    const processes = await Promise.all(Array.from({ length: count }, () => startChild<object>('bench/client-pool-process.ts')));
    return new ClientPool(processes, connections, options.perConnection);
  }

  get size(): number {
    return this.processes.length;
  }

  get subscriptions(): number {
    return this.connections * this.perConnection;
  }

  /**
   * Connects to `server`, then subscribes everyone, and once `subscribed` resolves answers the
   * server's memory per subscription against its memory with the connections open.
   */
  async idleMemory(
    server: Child<{ url: string }>,
    subscription: { query: string; variables: Record<string, unknown> },
    subscribed: () => Promise<void>,
  ): Promise<PerSubscription> {
    const url = `${server.ready.url.replace(/^http/, 'ws')}/graphql`;
    const share = (i: number) => Math.floor(this.connections / this.processes.length) + (i < this.connections % this.processes.length ? 1 : 0);
    await Promise.all(this.processes.map((pool, i) => pool.request({ type: 'connect', url, connectionParams: CLIENT_HEADERS, connections: share(i) })));
    const connected = await quietMemory(server);
    await this.every({ type: 'subscribe', ...subscription, perConnection: this.perConnection });
    await subscribed();
    const idle = await settledMemory(server);
    return perSubscription(connected, idle, this.subscriptions);
  }

  /** Resolves once every subscriber got `status`. */
  async received(status: string): Promise<void> {
    await this.every({ type: 'received', status, timeoutMs: 120_000 });
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((pool) => pool.close()));
  }

  private every(command: Record<string, unknown>): Promise<unknown[]> {
    return Promise.all(this.processes.map((pool) => pool.request(command)));
  }
}

const perSubscription = (before: MemorySample, after: MemorySample, total: number): PerSubscription => ({
  heap: (after.heapUsed - before.heapUsed) / total,
  rss: (after.rss - before.rss) / total,
});
