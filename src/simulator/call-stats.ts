// Per-operation call counts for `Simulator.stats()`: calls received, calls in flight, and the most
// ever in flight at once, which is how tests see the gateway's concurrency from the far side.
import { SIMULATOR_OPERATIONS, type SimulatorOperation } from './faults.ts';

export type OperationCounts = Record<SimulatorOperation, number>;

export interface CallStats {
  /** Count a call of `operation` as received and in flight. */
  begin(operation: SimulatorOperation): void;
  /** Count a call of `operation` as no longer in flight. */
  end(operation: SimulatorOperation): void;
  snapshot(): { calls: OperationCounts; maxInFlight: OperationCounts; inFlight: number };
  /** Zero the call counts; maxInFlight restarts from what is in flight now. */
  reset(): void;
}

export function createCallStats(): CallStats {
  const zero = (): OperationCounts => Object.fromEntries(SIMULATOR_OPERATIONS.map((op) => [op, 0])) as OperationCounts;
  let calls = zero();
  let maxInFlight = zero();
  const inFlight = zero();
  return {
    begin(operation) {
      calls[operation] += 1;
      inFlight[operation] += 1;
      maxInFlight[operation] = Math.max(maxInFlight[operation], inFlight[operation]);
    },
    end(operation) {
      inFlight[operation] -= 1;
    },
    snapshot: () => ({
      calls: { ...calls },
      maxInFlight: { ...maxInFlight },
      inFlight: SIMULATOR_OPERATIONS.reduce((sum, op) => sum + inFlight[op], 0),
    }),
    reset() {
      calls = zero();
      maxInFlight = { ...inFlight };
    },
  };
}
