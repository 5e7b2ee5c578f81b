// When a credential stops being valid: one timer for a bearer token's `exp`, so that whatever was
// admitted with it (a WebSocket, an SSE stream) ends then, on every transport alike.

// setTimeout's longest delay (about 24.8 days); longer waits are made of several.
const LONGEST_TIMEOUT_MS = 2_147_483_647;

/**
 * Calls `onExpired` once `expiresAt` (ms since the epoch) has passed — never synchronously, even
 * for a time already past, so callers can finish setting up first. Returns a cancel function.
 */
export function whenExpired(expiresAt: number, onExpired: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const wait = () => {
    const left = expiresAt - Date.now();
    timer = setTimeout(left > 0 ? wait : onExpired, Math.min(Math.max(left, 0), LONGEST_TIMEOUT_MS));
  };
  wait();
  return () => clearTimeout(timer);
}
