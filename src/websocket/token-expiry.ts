// A socket lives no longer than the bearer token it was admitted with.
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';

// setTimeout's longest delay (about 24.8 days); longer waits are made of several.
const LONGEST_TIMEOUT_MS = 2_147_483_647;

/**
 * Closes the socket when its bearer token expires, with 4403 as for a refused connection_init:
 * what runs on it was allowed by that token only. graphql-ws clients retry after a 4403 (it may
 * be lifted), and a client whose `connectionParams` is a function then presents a fresh token.
 */
export function closeAtExpiry(socket: WebSocket, expiresAt: number, logger: Logger): void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const left = expiresAt - Date.now();
    if (left > 0) {
      timer = setTimeout(check, Math.min(left, LONGEST_TIMEOUT_MS));
      return;
    }
    logger.info('websocket closed: its bearer token expired');
    socket.close(4403, 'Bearer token expired; reconnect with a fresh one');
  };
  check();
  socket.once('close', () => clearTimeout(timer));
}
