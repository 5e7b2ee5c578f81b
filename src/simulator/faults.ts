// Fault injection for tests: latency, hangs, random throttling/failures and "fail the next N".
// The server asks it, per request, what should go wrong; everything here is plain state.
import { setTimeout as delay } from 'node:timers/promises';
import { SimulatorError } from './errors.ts';
import type { Random } from './random.ts';
import { SIMULATOR_ACCOUNT_ID } from './simulated-job.ts';

export type SimulatorOperation =
  | 'GetModelInvocationJob'
  | 'ListModelInvocationJobs'
  | 'CreateModelInvocationJob'
  | 'StopModelInvocationJob';

export const SIMULATOR_OPERATIONS: readonly SimulatorOperation[] = [
  'GetModelInvocationJob',
  'ListModelInvocationJobs',
  'CreateModelInvocationJob',
  'StopModelInvocationJob',
];

/** Errors `failNext` can inject. */
export type InjectedError = 'throttle' | 'internal' | 'accessDenied' | 'conflict';

export interface SimulatorFaults {
  /** Added latency per request (ms). @default 0 */
  latencyMs: number;
  /** Fraction 0..1 of requests answered 429 ThrottlingException (seeded RNG). @default 0 */
  throttleRate: number;
  /** Fraction 0..1 of requests answered 500 InternalServerException (seeded RNG). @default 0 */
  failureRate: number;
  /** Accept requests but never answer; setting it back to false (or `reset()`) lets held requests proceed. @default false */
  hang: boolean;
  /** Restrict latency, hang and the random rates to these operations. @default all */
  operations?: SimulatorOperation[];
  /**
   * ListModelInvocationJobs summaries leave out the optional members (see SPARSE_SUMMARY_OMITS in
   * wire.ts) and send the rest in another order, as the real service may. @default false
   */
  sparseSummaries: boolean;
  /** Fail exactly the next `n` requests (of `operation`, or any) with `error`; independent of `operations`. */
  failNext(n: number, error: InjectedError, operation?: SimulatorOperation): void;
  /** Back to no faults; requests held by `hang` proceed. */
  reset(): void;
}

interface PlannedFailure {
  remaining: number;
  error: InjectedError;
  operation: SimulatorOperation | undefined;
}

export class FaultInjector implements SimulatorFaults {
  latencyMs = 0;
  throttleRate = 0;
  failureRate = 0;
  operations: SimulatorOperation[] | undefined = undefined;
  sparseSummaries = false;
  private hanging = false;
  private readonly held = new Set<() => void>();
  private readonly planned: PlannedFailure[] = [];

  constructor(private readonly rng: Random) {}

  get hang(): boolean {
    return this.hanging;
  }

  set hang(value: boolean) {
    this.hanging = value;
    if (!value) {
      for (const release of this.held) release();
      this.held.clear();
    }
  }

  failNext(n: number, error: InjectedError, operation?: SimulatorOperation): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`failNext needs a non-negative integer count, got ${n}`);
    if (n > 0) this.planned.push({ remaining: n, error, operation });
  }

  reset(): void {
    this.sparseSummaries = false;
    this.latencyMs = 0;
    this.throttleRate = 0;
    this.failureRate = 0;
    this.operations = undefined;
    this.planned.length = 0;
    this.hang = false;
  }

  /**
   * Apply this request's faults: wait out latency and hangs, then return the error to answer
   * with, if any. Rejects with the signal's reason when `signal` aborts (client gone, server closing).
   */
  async apply(operation: SimulatorOperation, signal: AbortSignal): Promise<SimulatorError | undefined> {
    const targeted = this.operations === undefined || this.operations.includes(operation);
    if (targeted && this.latencyMs > 0) await delay(this.latencyMs, undefined, { signal });
    if (targeted && this.hanging) await this.holdUntilReleased(signal);

    const plan = this.planned.find((p) => p.operation === undefined || p.operation === operation);
    if (plan) {
      plan.remaining -= 1;
      if (plan.remaining === 0) this.planned.splice(this.planned.indexOf(plan), 1);
      return injected(plan.error, operation);
    }
    if (targeted && this.rng.chance(this.throttleRate)) return injected('throttle', operation);
    if (targeted && this.rng.chance(this.failureRate)) return injected('internal', operation);
    return undefined;
  }

  private holdUntilReleased(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const release = (): void => {
        signal.removeEventListener('abort', abort);
        resolve();
      };
      const abort = (): void => {
        this.held.delete(release);
        reject(signal.reason);
      };
      this.held.add(release);
      signal.addEventListener('abort', abort, { once: true });
    });
  }
}

function injected(error: InjectedError, operation: SimulatorOperation): SimulatorError {
  switch (error) {
    case 'throttle':
      return new SimulatorError('ThrottlingException', 'Too many requests, please wait before trying again.');
    case 'internal':
      return new SimulatorError('InternalServerException', 'An internal server error occurred. Retry your request.');
    case 'accessDenied':
      return new SimulatorError(
        'AccessDeniedException',
        `User: arn:aws:iam::${SIMULATOR_ACCOUNT_ID}:user/simulator is not authorized to perform: bedrock:${operation} because no identity-based policy allows the bedrock:${operation} action`,
      );
    case 'conflict':
      return new SimulatorError('ConflictException', 'The request conflicts with the current state of the resource. Retry your request.');
  }
}
