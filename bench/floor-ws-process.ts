// A benchmark child: the floor for subscription fan-out, the least a server speaking
// graphql-ws's protocol (graphql-transport-ws) can do per event: no GraphQL, no per-subscriber
// work beyond framing one message. On the parent's "publish" it serialises the event once, frames
// it for every subscription of a connection into one buffer and writes that buffer to the
// connection's socket in one call. What the client pool measures against it is the
// pool's own limit on this machine.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveParent } from './child.ts';

// Operation ids and TCP socket by connection.
const operations = new Map<WebSocket, { ids: Set<string>; tcp: Socket }>();
let subscribers = 0;

const server = createServer((_, response) => response.writeHead(404).end());
const wsServer = new WebSocketServer({ server, path: '/graphql', handleProtocols: () => 'graphql-transport-ws' });
wsServer.on('connection', (socket, request) => {
  const ids = new Set<string>();
  operations.set(socket, { ids, tcp: request.socket });
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; id?: string };
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'ping') socket.send('{"type":"pong"}');
    else if (message.type === 'subscribe' && !ids.has(message.id!)) {
      ids.add(message.id!);
      subscribers += 1;
    } else if (message.type === 'complete' && ids.delete(message.id!)) subscribers -= 1;
  });
  socket.on('close', () => {
    subscribers -= ids.size;
    operations.delete(socket);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

function publish(status: string): void {
  const payload = JSON.stringify({ data: { tick: { status, observedAt: new Date().toISOString() } } });
  for (const { ids, tcp } of operations.values()) {
    tcp.write(Buffer.concat([...ids].flatMap((id) => textFrame(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`))));
  }
}

/** A whole, unmasked text frame, as a server sends it (RFC 6455 §5.2): header, then message. */
function textFrame(text: string): Buffer[] {
  const message = Buffer.from(text);
  if (message.length >= 65_536) throw new Error('the floor sends short messages only');
  const header = message.length < 126 ? Buffer.from([0x81, message.length]) : Buffer.from([0x81, 126, message.length >> 8, message.length & 0xff]);
  return [header, message];
}

serveParent({ url: `http://127.0.0.1:${port}` }, (command) => {
  switch (command.type) {
    case 'subscribers':
      return subscribers;
    case 'publish':
      publish(command.status as string);
      return null;
    default:
      throw new Error(`unknown command ${command.type}`);
  }
});
process.once('SIGTERM', () => process.exit(0));
