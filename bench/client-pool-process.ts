// A benchmark child: one share of the subscription client pool, real graphql-ws clients over
// `ws`. The pool is spread over several such processes, one per core, because a client process
// handles its messages one at a time: with 10,000 subscribers in one process, the last one's
// latency would mostly be the time its own process took to read the 9,999 before it.
//
// Commands: `connect` opens the connections; `subscribe` starts `perConnection` subscriptions on
// each (with `variables`, or, given a list, the k-th subscription of this process with entry
// k modulo its length) and records, per status, each subscriber's latency (receive time − the
// event's `observedAt`, same machine clock); `received` waits until every subscriber got a status
// and answers their latencies; `unsubscribe` ends them all.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { serveParent } from './child.ts';

const clients: Client[] = [];
let subscriptions: Array<() => void> = [];
// Latencies by status; who waits for a status to reach everyone.
let latencies = new Map<string, number[]>();
const waiters = new Map<string, () => void>();

/** Each event's root field holds its status and stamp, whatever the operation. */
function onEvent(data: Record<string, { status: string; observedAt: string }>): void {
  const receivedAt = Date.now();
  for (const key in data) {
    const { status, observedAt } = data[key]!;
    let list = latencies.get(status);
    if (!list) latencies.set(status, (list = []));
    list.push(receivedAt - Date.parse(observedAt));
    if (list.length === subscriptions.length) waiters.get(status)?.();
  }
}

function received(status: string, timeoutMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const answer = () => resolve(latencies.get(status)!);
    if (latencies.get(status)?.length === subscriptions.length) return answer();
    const timer = setTimeout(() => {
      waiters.delete(status);
      reject(new Error(`only ${latencies.get(status)?.length ?? 0} of ${subscriptions.length} subscribers got ${status}`));
    }, timeoutMs);
    waiters.set(status, () => {
      clearTimeout(timer);
      waiters.delete(status);
      answer();
    });
  });
}

serveParent({}, async (command) => {
  switch (command.type) {
    case 'connect': {
      const { url, connections, connectionParams } = command;
      await Promise.all(
        Array.from(
          { length: connections },
          () =>
            new Promise<void>((resolve, reject) => {
              const client = createClient({
                url,
                webSocketImpl: WebSocket,
                lazy: false,
                retryAttempts: 0,
                connectionParams,
                on: { connected: () => resolve(), error: reject },
              });
              clients.push(client);
            }),
        ),
      );
      return null;
    }
    case 'subscribe': {
      const { query, variables, perConnection } = command;
      latencies = new Map();
      subscriptions = [];
      const variablesOf = (k: number) => (Array.isArray(variables) ? variables[k % variables.length] : variables);
      for (const client of clients) {
        for (let i = 0; i < perConnection; i++) {
          subscriptions.push(
            client.subscribe<Record<string, { status: string; observedAt: string }>>(
              { query, variables: variablesOf(subscriptions.length) },
              { next: ({ data }) => onEvent(data!), error: (error) => console.error(error), complete: () => undefined },
            ),
          );
        }
      }
      return subscriptions.length;
    }
    case 'received':
      return received(command.status as string, command.timeoutMs as number);
    case 'unsubscribe':
      for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
      return null;
    default:
      throw new Error(`unknown command ${command.type}`);
  }
});
process.once('SIGTERM', () => {
  void Promise.all(clients.map((client) => client.dispose())).finally(() => process.exit(0));
});
