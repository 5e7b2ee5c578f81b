// Bedrock as the rest of the gateway reaches it: one SDK client behind the circuit breaker, the
// shared call budget (fairly shared between callers) and a job cache, with every call reported
// (metrics, upstream health) and traced.
import type { Logger } from 'pino';
import { createFairShare } from '../limits/fair-share.ts';
import type { Tracing } from '../observability/tracing.ts';
import { createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';
import { createBedrockClient, type BedrockClientOptions, type UpstreamTarget } from './client.ts';
import type { JobCache } from './job-cache.ts';
import type { JobHistoryStore } from './job-history.ts';
import { createJobsApi, type JobsApi, type UpstreamCall } from './jobs.ts';
import { createUpstreamHealth, type UpstreamHealth } from './upstream-health.ts';

/** How calls to Bedrock are made and bounded (UPSTREAM_* variables). */
export interface UpstreamOptions extends BedrockClientOptions {
  /** Hard ceiling for one upstream call, retries included. */
  deadlineMs: number;
  /**
   * Calls per second all upstream calls of this instance share (token bucket). Calls that wait
   * for a token are served a caller at a time, in turn (see limits/fair-share.ts).
   */
  callsPerSecond: number;
  /** Calls that may go out at once above that rate. */
  callsBurst: number;
}

export interface UpstreamParts {
  /** Where the SDK sends its calls: the SDK's own resolution, or the simulator. */
  target: UpstreamTarget;
  circuitBreaker: CircuitBreakerOptions;
  /** Jobs served without an upstream call (in process, or shared through Redis). */
  cache: JobCache;
  /** Where every job read is recorded (in process, or shared through Redis). */
  history: JobHistoryStore;
  /** Told about every call when it ends (metrics). */
  onCall(call: UpstreamCall): void;
  tracing: Tracing;
  logger: Logger;
}

export interface Upstream {
  jobs: JobsApi;
  circuitBreaker: CircuitBreaker;
  /** How Bedrock is doing, from the outcomes of the calls above (readiness, the poller's recovery). */
  health: UpstreamHealth;
  /** Closes the SDK client's connections. */
  close(): void;
}

export function createUpstream(options: UpstreamOptions, { target, cache, history, onCall, tracing, logger, ...parts }: UpstreamParts): Upstream {
  const circuitBreaker = createCircuitBreaker(parts.circuitBreaker);
  // As many failures in a row as open the circuit make an outage (throttling counts here too).
  const health = createUpstreamHealth({
    circuitState: () => circuitBreaker.state,
    outageThreshold: parts.circuitBreaker.failureThreshold,
  });
  const client = createBedrockClient(options, target);
  const jobs = createJobsApi({
    client,
    cache,
    history,
    deadlineMs: options.deadlineMs,
    logger,
    circuitBreaker,
    // Callers take turns, the poller among them (paced within POLL_MAX_CALLS_PER_SECOND besides).
    callBudget: createFairShare({ perSecond: options.callsPerSecond, burst: options.callsBurst }),
    onCall(call) {
      health.record(call.outcome);
      onCall(call);
    },
    tracing,
  });
  return { jobs, circuitBreaker, health, close: () => client.destroy() };
}
