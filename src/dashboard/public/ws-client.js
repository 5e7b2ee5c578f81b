// The one graphql-ws WebSocket that all of the page's subscriptions share, to this gateway's
// /graphql. It sends the stored API key in connection_init and reconnects with backoff, except
// after a close that a retry cannot fix.
import { readApiKey } from './api-key.js';
import { isCloseEvent } from './gateway-error.js';

const WS_ENDPOINT = new URL('graphql', location.href).href.replace(/^http/, 'ws');
/**
 * graphql-ws close codes after which reconnecting cannot help (bad request, auth, protocol). The
 * graphql-ws client retries 4403 by default ("might grant access after retry"); this gateway sends
 * it for missing, unknown or expired credentials, which only a new key fixes, and a new key makes
 * a new client (dashboard.js).
 */
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4406]);

/**
 * A graphql-ws client; it connects with the first subscription.
 * `onState(state, detail)` hears 'connecting', 'live', 'reconnecting' or 'offline' (with why);
 * `onReconnected()` runs when the socket is back after a drop.
 */
export function createWsClient({ onState, onReconnected }) {
  // The browser client's UMD build: a classic script that index.html runs before any module.
  return window.graphqlWs.createClient({
    url: WS_ENDPOINT,
    // Keeps the socket while a reload swaps one set of subscriptions for another.
    lazyCloseTimeout: 5000,
    retryAttempts: Infinity,
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retries, 15_000) + Math.random() * 1000)),
    shouldRetry: (event) => !(isCloseEvent(event) && FATAL_CLOSE_CODES.has(event.code)),
    connectionParams: () => {
      const apiKey = readApiKey();
      return apiKey ? { 'x-api-key': apiKey } : {};
    },
    on: {
      connecting: (isRetry) => onState(isRetry ? 'reconnecting' : 'connecting'),
      connected: (_socket, _payload, wasRetry) => {
        onState('live');
        if (wasRetry) onReconnected();
      },
      closed: (event) => {
        if (isCloseEvent(event) && FATAL_CLOSE_CODES.has(event.code)) onState('offline', offlineReason(event));
        else if (!isCloseEvent(event) || event.code !== 1000) onState('reconnecting');
      },
    },
  });
}

/** Short, for the masthead: the notices say the rest. */
function offlineReason(event) {
  if (event.code === 4403) return readApiKey() ? 'API key not accepted' : 'API key needed';
  return event.reason;
}
