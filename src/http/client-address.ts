// The caller's address, for rate limits of callers without credentials and for logs.
import type { IncomingMessage } from 'node:http';

/**
 * The socket's peer, or, behind `trustProxyHops` proxies, the X-Forwarded-For entry the outermost
 * trusted proxy added (entries further left are the client's to forge).
 */
export function clientAddressOf(req: IncomingMessage | undefined, trustProxyHops: number): string {
  const forwarded = req?.headers['x-forwarded-for'];
  if (trustProxyHops > 0 && typeof forwarded === 'string') {
    const hops = forwarded.split(',').map((entry) => entry.trim());
    const client = hops[Math.max(0, hops.length - trustProxyHops)];
    if (client) return client;
  }
  return req?.socket.remoteAddress ?? 'unknown';
}
