// A benchmark child: the subscription baseline, a bare graphql-ws server (graphql-js, graphql-ws's
// own `useServer`, graphql-yoga's in-memory pub/sub) with one trivial subscription. On the
// parent's "publish" it sends one event to every subscriber, stamped like the gateway's.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createPubSub } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { serveParent } from './child.ts';

const schema = buildSchema('type Query { ok: Boolean } type Tick { status: String! observedAt: String! } type Subscription { tick: Tick! }');
const pubSub = createPubSub<{ tick: [{ tick: { status: string; observedAt: string } }] }>();
let subscribers = 0;

const server = createServer((_, response) => response.writeHead(404).end());
const wsServer = new WebSocketServer({ server, path: '/graphql' });
useServer(
  {
    schema,
    // graphql-js calls the root field with the root value; each event is the next root value.
    roots: { subscription: { tick: () => pubSub.subscribe('tick') } },
    onSubscribe: () => void (subscribers += 1),
    onComplete: () => void (subscribers -= 1),
  },
  wsServer,
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveParent({ url: `http://127.0.0.1:${port}` }, (command) => {
  switch (command.type) {
    case 'subscribers':
      return subscribers;
    case 'publish':
      pubSub.publish('tick', { tick: { status: command.status as string, observedAt: new Date().toISOString() } });
      return null;
    default:
      throw new Error(`unknown command ${command.type}`);
  }
});
process.once('SIGTERM', () => process.exit(0));
