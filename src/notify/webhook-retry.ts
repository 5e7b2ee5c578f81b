// When a webhook attempt counts as delivered, and how long to wait before the next one.
//
// Any answer but a 2xx is retried, as Standard Webhooks recommends: besides 5xx, 408 and 429, the
// 4xx a receiver gives while it is being deployed or reconfigured (404 before its route exists,
// 401 from a proxy while a secret rotates) fix themselves within the retry window more often than
// not, and WEBHOOK_MAX_ATTEMPTS bounds what a receiver that keeps refusing costs. Redirects are
// not followed (a signed request re-sent elsewhere is not what the operator configured), so a 3xx
// is a failure too. Timeouts and network errors are retried.

/** Longest wait between two attempts, whatever the backoff or a Retry-After header asks. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

/** Whether an HTTP status means the receiver took the message. */
export function isDelivered(status: number): boolean {
  return status >= 200 && status <= 299;
}

/**
 * The wait before retry number `retry` (1 for the first): `baseMs` doubling with each retry,
 * spread by ±20% so deliveries that failed together (a receiver's outage) do not come back
 * together, capped at an hour.
 */
export function backoffMs(retry: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = baseMs * 2 ** Math.min(retry - 1, 40);
  return Math.round(Math.min(MAX_RETRY_DELAY_MS, exponential * (0.8 + 0.4 * random())));
}

/**
 * A Retry-After header (seconds, or an HTTP date) as milliseconds from `now`; undefined when
 * absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry`: the backoff, or longer when the receiver asked for more
 * (Retry-After, honoured up to the cap; never shorter than the backoff, so `Retry-After: 0` does
 * not make a struggling receiver take a burst).
 */
export function retryDelayMs(retry: number, baseMs: number, retryAfter: number | undefined, random?: () => number): number {
  const backoff = backoffMs(retry, baseMs, random);
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(backoff, retryAfter ?? 0));
}
