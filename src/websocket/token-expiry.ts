// A socket lives no longer than the bearer token it was admitted with.
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { whenExpired } from '../access/credential-expiry.ts';

/**
 * Closes the socket when its bearer token expires, with 4403 as for a refused connection_init:
 * what runs on it was allowed by that token only. graphql-ws clients retry after a 4403 (it may
 * be lifted), and a client whose `connectionParams` is a function then presents a fresh token.
 */
export function closeAtExpiry(socket: WebSocket, expiresAt: number, logger: Logger): void {
  const cancel = whenExpired(expiresAt, () => {
    logger.debug('websocket closed: its bearer token expired');
    socket.close(4403, 'Bearer token expired; reconnect with a fresh one');
  });
  socket.once('close', cancel);
}
