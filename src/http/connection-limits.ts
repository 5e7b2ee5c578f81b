// Caps on open connections, so that no one client can use up the process's file descriptors
// (issue 14: 20,000 idle sockets from one address made every new connection fail, /healthz too).
//
// Every socket counts toward `maxConnections` from accept to close. Per client address:
// - Without trusted proxies (TRUST_PROXY_HOPS=0) the TCP peer is the client: its sockets count
//   against its address from accept to close.
// - Behind trusted proxies the TCP peer is a proxy, shared by every client and reusing its
//   connections for any of them. A client holds a connection to the gateway only while a request
//   of its own is on it (an SSE stream included) or a WebSocket of its own goes through it: those
//   count against the forwarded client address (client-address.ts), from the request's headers
//   to its end. The proxy's idle connections count toward `maxConnections` only.
//
// A refused connection gets a minimal HTTP/1.1 503 with retry-after, written on the raw socket
// before the HTTP server sees it (the client has sent nothing that needs parsing); a refused
// request or WebSocket upgrade behind a proxy, the same answer. Nothing the client sends is
// parsed or run.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** MAX_CONNECTIONS and MAX_CONNECTIONS_PER_IP. */
export interface ConnectionLimits {
  /** Most connections open at once, from everyone. */
  maxConnections: number;
  /** Most connections one client address holds at once; 0: no per-address cap. */
  maxConnectionsPerIp: number;
}

/** Why a connection was refused: the per-address cap or the total one. */
export type ConnectionRefusal = 'connection_limit_per_ip' | 'connection_limit';

export interface ConnectionLimitOptions extends ConnectionLimits {
  /** Proxies in front of the gateway (TRUST_PROXY_HOPS); with any, addresses are forwarded ones. */
  trustProxyHops: number;
  /** The client address of a request, as TRUST_PROXY_HOPS defines it. */
  clientAddress(req: IncomingMessage): string;
  /** Called once per refusal. */
  onRefused?(reason: ConnectionRefusal): void;
}

export interface ConnectionGate {
  /**
   * Destroys every connection still open, upgraded ones included (Node's closeAllConnections()
   * leaves WebSockets alone), and refused ones still waiting for their client to read the answer.
   */
  destroyAll(): void;
}

/** Seconds a refused client is told to wait; a slot frees as soon as any connection closes. */
const RETRY_AFTER_SECONDS = 1;
/** How long a refused socket stays open for its client to read the answer. */
const REFUSAL_LINGER_MS = 1000;
/** Refused sockets lingering at once; a flood beyond is closed without an answer. */
const MAX_LINGERING_REFUSALS = 256;

const LIMIT_NAMES: Record<ConnectionRefusal, string> = {
  connection_limit_per_ip: 'MAX_CONNECTIONS_PER_IP',
  connection_limit: 'MAX_CONNECTIONS',
};
const MESSAGES: Record<ConnectionRefusal, string> = {
  connection_limit_per_ip: 'Too many connections from this address',
  connection_limit: 'The gateway holds as many connections as it takes',
};

/**
 * Puts the caps in front of `server`'s connection (and, behind proxies, request and upgrade)
 * listeners. Call it once every listener is attached: a listener added later is not gated.
 */
export function limitConnections(server: Server, options: ConnectionLimitOptions): ConnectionGate {
  const { maxConnections, maxConnectionsPerIp, trustProxyHops, clientAddress, onRefused } = options;
  const perAddress = createAddressCounts(maxConnectionsPerIp);
  const lingering = new Set<Duplex>();
  const open = new Set<Socket>();

  // Writes the refusal and closes; false, for the gate. The socket's own bytes are read and
  // dropped meanwhile: closing a socket with unread data resets it, and the answer could be lost.
  const refuseSocket = (socket: Duplex, reason: ConnectionRefusal): false => {
    onRefused?.(reason);
    socket.on('error', ignore);
    if (lingering.size >= MAX_LINGERING_REFUSALS) {
      socket.destroy();
      return false;
    }
    lingering.add(socket);
    const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS).unref();
    socket.once('close', () => {
      clearTimeout(timer);
      lingering.delete(socket);
    });
    socket.resume();
    socket.end(REFUSALS[reason]);
    return false;
  };

  const tcpLevel = trustProxyHops === 0;
  gate(server, 'connection', (socket: Socket) => {
    if (open.size >= maxConnections) return refuseSocket(socket, 'connection_limit');
    const address = tcpLevel ? (socket.remoteAddress ?? 'unknown') : undefined;
    if (address !== undefined && !perAddress.take(address)) return refuseSocket(socket, 'connection_limit_per_ip');
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      if (address !== undefined) perAddress.release(address);
    });
    return true;
  });

  if (!tcpLevel && maxConnectionsPerIp > 0) {
    gate(server, 'request', (req: IncomingMessage, res: ServerResponse) => {
      const address = clientAddress(req);
      if (!perAddress.take(address)) {
        onRefused?.('connection_limit_per_ip');
        res.writeHead(503, refusalHeaders('connection_limit_per_ip')).end(REFUSAL_BODIES.connection_limit_per_ip);
        return false;
      }
      res.once('close', () => perAddress.release(address));
      return true;
    });
    gate(server, 'upgrade', (req: IncomingMessage, socket: Duplex) => {
      const address = clientAddress(req);
      if (!perAddress.take(address)) return refuseSocket(socket, 'connection_limit_per_ip');
      socket.once('close', () => perAddress.release(address));
      return true;
    });
  }

  return {
    destroyAll() {
      for (const socket of [...open, ...lingering]) socket.destroy();
    },
  };
}

/**
 * A warning when `maxConnections` leaves less than a quarter of the process's open-file limit
 * (Linux: /proc/self/limits; Node raises the soft limit to the hard one at start-up) to upstream
 * connections, Redis and files; undefined when it does, or the limit is unknown.
 */
export function descriptorLimitWarning(maxConnections: number): string | undefined {
  let limits: string;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const limit = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1]);
  if (!Number.isFinite(limit) || limit === 0 || maxConnections <= limit * 0.75) return undefined;
  return (
    `MAX_CONNECTIONS (${maxConnections}) leaves too few of the process's ${limit} file descriptors for ` +
    'upstream connections and files: lower it or raise the open-file limit (ulimit -n)'
  );
}

/** Counts per address, refusing the one over `max` (0: never). */
function createAddressCounts(max: number) {
  const counts = new Map<string, number>();
  return {
    take(address: string): boolean {
      const count = counts.get(address) ?? 0;
      if (max > 0 && count >= max) return false;
      counts.set(address, count + 1);
      return true;
    },
    release(address: string): void {
      const count = (counts.get(address) ?? 1) - 1;
      if (count > 0) counts.set(address, count);
      else counts.delete(address);
    },
  };
}

/**
 * Puts `admit` in front of the listeners `event` has now (Node's own HTTP handling is a
 * 'connection' listener, ws's an 'upgrade' one, Yoga a 'request' one): they run only for what
 * it admits.
 */
function gate<A extends unknown[]>(server: Server, event: string, admit: (...args: A) => boolean): void {
  const listeners = server.rawListeners(event) as Array<(...args: A) => void>;
  server.removeAllListeners(event);
  server.on(event, function (this: Server, ...args: A) {
    if (admit(...args)) for (const listener of listeners) listener.apply(this, args);
  });
}

function refusalHeaders(reason: ConnectionRefusal): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(REFUSAL_BODIES[reason].length),
    'retry-after': String(RETRY_AFTER_SECONDS),
    connection: 'close',
  };
}

function refusalBody(reason: ConnectionRefusal): Buffer {
  const limit = LIMIT_NAMES[reason];
  const message = `${MESSAGES[reason]} (${limit}); retry in ${RETRY_AFTER_SECONDS} s`;
  return Buffer.from(JSON.stringify({ errors: [{ message, extensions: { code: 'LIMIT_EXCEEDED', limit } }] }));
}

const REFUSAL_BODIES: Record<ConnectionRefusal, Buffer> = {
  connection_limit_per_ip: refusalBody('connection_limit_per_ip'),
  connection_limit: refusalBody('connection_limit'),
};

// The whole raw answer, for sockets the HTTP server never sees.
const REFUSALS: Record<ConnectionRefusal, Buffer> = Object.fromEntries(
  (['connection_limit_per_ip', 'connection_limit'] as const).map((reason) => {
    const head = Object.entries(refusalHeaders(reason)).map(([name, value]) => `${name}: ${value}\r\n`);
    return [reason, Buffer.concat([Buffer.from(`HTTP/1.1 503 Service Unavailable\r\n${head.join('')}\r\n`), REFUSAL_BODIES[reason]])];
  }),
) as Record<ConnectionRefusal, Buffer>;

function ignore(): void {}
