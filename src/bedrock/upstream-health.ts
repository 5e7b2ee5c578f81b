// How Bedrock is doing, as this instance's own calls see it: the outcome of every call and the
// circuit breaker's state, with no traffic of its own. One signal for two readers: /readyz
// reports `state`, and the poller listens for recoveries to stop backing off what an outage
// (not the jobs themselves) made it back off.
import type { CircuitState } from './circuit-breaker.ts';
import type { UpstreamOutcome } from './jobs.ts';

/**
 * `ok`: the last call got an answer (a "not found" is an answer too); `throttled`: Bedrock
 * throttled it; `unavailable`: it failed with a 5xx or a transport error, or timed out;
 * `circuit-open`: the breaker is failing calls fast (or letting one probe through).
 */
export type UpstreamState = 'ok' | 'throttled' | 'unavailable' | 'circuit-open';

export interface UpstreamHealthOptions {
  /** The breaker in front of the calls, read when needed. */
  circuitState(): CircuitState;
  /**
   * Calls in a row that fail for the upstream's own reasons (throttling, 5xx, transport errors,
   * timeouts, an open circuit) that make an outage; the first answer after one is a recovery.
   * Fewer do not: a job whose own calls fail between other calls' answers keeps backing off.
   */
  outageThreshold: number;
  /** Clock in ms. @default Date.now */
  now?: () => number;
}

export interface UpstreamHealth {
  /** Records how one call ended; the upstream feeds it every call. */
  record(outcome: UpstreamOutcome): void;
  readonly state: UpstreamState;
  /**
   * When a call last reached Bedrock and ended (on the clock; 0: never). Calls refused here
   * (open circuit, no budget token) do not count: they say nothing new about Bedrock.
   */
  readonly lastCallAt: number;
  /**
   * Calls `listener` each time Bedrock answers again after an outage, with the circuit closed.
   * Returns the unsubscribe function.
   */
  onRecovered(listener: () => void): () => void;
}

export function createUpstreamHealth({ circuitState, outageThreshold, now = Date.now }: UpstreamHealthOptions): UpstreamHealth {
  const listeners = new Set<() => void>();
  let last: Exclude<UpstreamState, 'circuit-open'> = 'ok';
  let lastCallAt = 0;
  let failuresInARow = 0;
  let outage = false;

  const failed = (state?: 'throttled' | 'unavailable') => {
    if (state) {
      last = state;
      lastCallAt = now();
    }
    failuresInARow += 1;
    if (failuresInARow >= outageThreshold || circuitState() !== 'closed') outage = true;
  };

  const answered = () => {
    last = 'ok';
    lastCallAt = now();
    failuresInARow = 0;
    // A late answer to a call sent before the circuit opened ends nothing: calls still fail fast.
    if (!outage || circuitState() !== 'closed') return;
    outage = false;
    for (const listener of [...listeners]) listener();
  };

  return {
    record(outcome) {
      switch (outcome) {
        case 'success':
        case 'rejected':
          return answered();
        case 'throttled':
          return failed('throttled');
        case 'error':
        case 'timeout':
          return failed('unavailable');
        case 'circuit_open':
          return failed();
        case 'over_budget':
          return; // never sent: the gateway's own budget, not Bedrock
      }
    },

    get state() {
      return circuitState() === 'closed' ? last : 'circuit-open';
    },

    get lastCallAt() {
      return lastCallAt;
    },

    onRecovered(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
