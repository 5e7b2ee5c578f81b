// Graceful shutdown of HTTP requests (issue 14: closing every connection at once reset 39 of 40
// queries in flight, and 20 createModelInvocationJob calls created jobs no caller heard of).
// Once the gateway stops accepting connections (server.close(), which also closes idle keep-alive
// sockets), the requests in flight are answered: each response not yet begun says
// `connection: close`, as does every request still arriving on a busy keep-alive socket, and a
// socket left idle by a finished response is closed at once. The gateway waits for them up to
// SHUTDOWN_TIMEOUT_MS; subscription streams (SSE, multipart) are ended by the gateway instead.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface HttpDrain {
  /** Requests in flight, streams included. */
  readonly inFlight: number;
  /**
   * From now on, responses close their connection, and sockets left idle are closed. Resolves
   * once no request is in flight (streams only with `streams`), or at `deadline` (a `Date.now()`
   * time); with the number of requests still in flight then.
   */
  drain(deadline: number, options?: { streams?: boolean }): Promise<number>;
}

/** Tracks `server`'s requests from their headers to their response's close. */
export function createHttpDrain(server: Server): HttpDrain {
  /** Each response in flight, and whether its request asked for a stream. */
  const inFlight = new Map<ServerResponse, boolean>();
  const settledListeners = new Set<() => void>();
  let draining = false;

  const closeConnectionAfter = (res: ServerResponse) => {
    // Begun responses said keep-alive already: their sockets are closed once idle, below.
    if (!res.headersSent) res.setHeader('connection', 'close');
  };

  // Runs before Yoga's listener, so a response is marked before anything is written.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    inFlight.set(res, isStreamRequest(req));
    if (draining) closeConnectionAfter(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (!draining) return;
      server.closeIdleConnections();
      for (const listener of settledListeners) listener();
    });
  });

  const left = (streams: boolean) => {
    let count = 0;
    for (const isStream of inFlight.values()) if (streams || !isStream) count += 1;
    return count;
  };

  return {
    get inFlight() {
      return inFlight.size;
    },

    drain(deadline, { streams = false } = {}) {
      if (!draining) {
        draining = true;
        for (const res of inFlight.keys()) closeConnectionAfter(res);
      }
      return new Promise((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          settledListeners.delete(check);
          resolve(left(streams));
        };
        const check = () => {
          if (left(streams) === 0) finish();
        };
        const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
        settledListeners.add(check);
        check();
      });
    },
  };
}

/** Whether a request asked for a stream of results (GraphQL over SSE, or incremental delivery). */
function isStreamRequest(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/event-stream') || accept.includes('multipart/mixed');
}
