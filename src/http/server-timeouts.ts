// How long the HTTP server waits for slow and idle clients. Node's defaults (60 s for headers,
// 5 minutes for a whole request, both checked only every 30 s) let sockets that never finish a
// request pile up until the process runs out of file descriptors (issue 14). These timeouts only
// close sockets that are *not* being answered: once a request is in, none of them applies while it
// is answered, so SSE streams live as long as their subscriptions, and upgraded WebSockets are
// left to graphql-ws's own keep-alive (WS_KEEP_ALIVE_MS).
import type { ServerOptions } from 'node:http';

/** The HTTP server's timeouts (HTTP_*_TIMEOUT_MS). */
export interface ServerTimeouts {
  /**
   * Longest a client may take to send a request's headers, counted from the connection (first
   * request) or from the request's first byte (later ones); then it gets `408` and the socket is
   * closed. @default 10000
   */
  headersTimeoutMs: number;
  /**
   * Longest a client may take to send a whole request, body included; then `408` and closed.
   * At least `headersTimeoutMs` (Node refuses less). @default 30000
   */
  requestTimeoutMs: number;
  /**
   * Longest a keep-alive socket waits for its next request before it is closed. Behind a load
   * balancer that reuses connections, it must be longer than the balancer's idle timeout, or the
   * balancer may send a request on a socket the gateway is closing (a 502). @default 5000
   */
  keepAliveTimeoutMs: number;
}

/**
 * `http.createServer` options applying `timeouts`. The socket inactivity timeout
 * (`server.timeout`) stays off: an SSE stream or a WebSocket may be quiet for minutes between
 * events, and the timeouts above already close every socket that carries no answer.
 */
export function serverTimeoutOptions(timeouts: ServerTimeouts): ServerOptions {
  return {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    // Node enforces the headers and request timeouts on this interval (30 s by default, which let
    // a socket stay up to 30 s past them): a quarter of the headers timeout, at most a second.
    // Each check walks the open connections, which MAX_CONNECTIONS bounds.
    connectionsCheckingInterval: Math.max(5, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4))),
  };
}
