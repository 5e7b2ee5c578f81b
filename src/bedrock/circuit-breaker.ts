// A circuit breaker for the upstream: after `failureThreshold` consecutive failures (transport
// errors, 5xx, timeouts) calls fail fast for `cooldownMs`; then one probe call goes through, and
// its outcome closes the circuit or opens it again. Answers such as throttling or "not found"
// prove Bedrock is up, so they count as successes here. A call that never went out (no token of
// the call budget in time) proves nothing: its ticket is abandoned, and a probe's slot goes back.

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting one probe through. */
  cooldownMs: number;
  /** Clock in ms. @default Date.now */
  now?: () => number;
}

/** The outcome of one admitted call; report exactly one of them. */
export interface CircuitTicket {
  /** Bedrock answered (any answer that is not a failure). */
  success(): void;
  /** Transport error, 5xx or timeout. */
  failure(): void;
  /**
   * The call was never sent, so it says nothing about Bedrock: the counts and the state stay as
   * they are, and a half-open circuit lets the next call be its probe.
   */
  abandon(): void;
}

export type CircuitAdmission =
  | { admitted: true; ticket: CircuitTicket }
  | { admitted: false; retryAfterMs: number; consecutiveFailures: number };

export interface CircuitBreaker {
  /** Admits a call (with a ticket to report its outcome) or refuses it while the circuit is open. */
  admit(): CircuitAdmission;
  readonly state: CircuitState;
}

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const { failureThreshold, cooldownMs } = options;
  const now = options.now ?? Date.now;
  let state: CircuitState = 'closed';
  let consecutiveFailures = 0;
  let openedAt = 0;
  let probeInFlight = false;

  const open = () => {
    state = 'open';
    openedAt = now();
  };

  const ticket = (probe: boolean): CircuitTicket => {
    let settled = false;
    const settle = (ok: boolean | undefined) => {
      if (settled) return;
      settled = true;
      if (probe) probeInFlight = false;
      if (ok === undefined) return;
      if (ok) {
        consecutiveFailures = 0;
        if (probe || state === 'half-open') state = 'closed';
        return;
      }
      consecutiveFailures += 1;
      // A failed probe reopens at once; calls admitted before the circuit opened don't extend it.
      if (probe || (state === 'closed' && consecutiveFailures >= failureThreshold)) open();
    };
    return { success: () => settle(true), failure: () => settle(false), abandon: () => settle(undefined) };
  };

  return {
    admit() {
      if (state === 'closed') return { admitted: true, ticket: ticket(false) };
      const waitedMs = now() - openedAt;
      if (state === 'open' && waitedMs >= cooldownMs) state = 'half-open';
      if (state === 'half-open' && !probeInFlight) {
        probeInFlight = true;
        return { admitted: true, ticket: ticket(true) };
      }
      return { admitted: false, retryAfterMs: Math.max(0, cooldownMs - waitedMs), consecutiveFailures };
    },
    get state() {
      return state;
    },
  };
}
