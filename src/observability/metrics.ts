// Prometheus metrics for GET /metrics, in a registry per gateway (never prom-client's global
// one), so several gateways in one process keep separate counts.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CircuitState } from '../bedrock/circuit-breaker.ts';
import type { UpstreamCall } from '../bedrock/jobs.ts';
import type { PollerStats } from '../watch/poller.ts';

export interface MetricsOptions {
  /**
   * Also export the process's CPU, memory, event-loop and GC metrics. Each call installs
   * process-wide monitors that are never removed, so tests turn it off. @default true
   */
  processMetrics?: boolean;
  /**
   * Most distinct operation names kept as label values; later names are counted as `_other`, so a
   * client inventing names cannot grow memory without bound. @default 200
   */
  maxOperationNames?: number;
}

/** Live values read at scrape time. */
export interface MetricsSources {
  activeSubscriptions(): number;
  webSocketConnections(): number;
  poller(): PollerStats;
  circuitState(): CircuitState;
}

export type RejectionReason = 'unauthenticated' | 'rate_limited' | 'invalid' | 'limit_exceeded';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts an operation that ran (queries, mutations, subscriptions) and how long it took. */
  observeOperation(name: string | undefined, type: string, seconds: number): void;
  /** Counts one error returned to a client by its code. */
  countError(type: string, code: string): void;
  /** Counts an operation refused before it ran. */
  countRejection(reason: RejectionReason): void;
  observeUpstreamCall(call: UpstreamCall): void;
  observeHttpRequest(route: string, status: number): void;
  /** One job change handed to every subscriber of the job, `seconds` after it was observed. */
  observeFanOut(seconds: number): void;
  /** Registers the gauges read from the running gateway. */
  watch(sources: MetricsSources): void;
}

const CIRCUIT_STATES: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const maxOperationNames = options.maxOperationNames ?? 200;
  const operationNames = new Set<string>();

  const operations = new Counter({
    name: 'gateway_graphql_operations_total',
    help: 'GraphQL operations executed, by operation name and type (query, mutation, subscription).',
    labelNames: ['operation_name', 'operation_type'] as const,
    registers,
  });
  const operationDuration = new Histogram({
    name: 'gateway_graphql_operation_duration_seconds',
    help: 'Time to execute a query or mutation, or to start a subscription, by operation name and type.',
    labelNames: ['operation_name', 'operation_type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const errors = new Counter({
    name: 'gateway_graphql_errors_total',
    help: 'Errors returned to clients, by operation type and extensions.code.',
    labelNames: ['operation_type', 'code'] as const,
    registers,
  });
  const rejections = new Counter({
    name: 'gateway_graphql_rejected_total',
    help: 'Requests and operations refused before execution: unauthenticated, rate_limited, invalid (parse/validation), limit_exceeded.',
    labelNames: ['reason'] as const,
    registers,
  });
  const httpRequests = new Counter({
    name: 'gateway_http_requests_total',
    help: 'HTTP requests by route and status code.',
    labelNames: ['route', 'status'] as const,
    registers,
  });
  const upstreamCalls = new Counter({
    name: 'gateway_upstream_calls_total',
    help: 'Bedrock calls by operation and outcome (success, rejected, throttled, error, timeout; not sent: circuit_open, over_budget).',
    labelNames: ['operation', 'outcome'] as const,
    registers,
  });
  const upstreamAttempts = new Counter({
    name: 'gateway_upstream_attempts_total',
    help: 'HTTP attempts the AWS SDK made for Bedrock calls, retries included ($metadata.attempts).',
    labelNames: ['operation'] as const,
    registers,
  });
  const upstreamRetries = new Counter({
    name: 'gateway_upstream_retries_total',
    help: 'Retries the AWS SDK made for Bedrock calls (attempts beyond the first).',
    labelNames: ['operation'] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'gateway_upstream_call_duration_seconds',
    help: 'Duration of Bedrock calls, retries included, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25],
    registers,
  });
  const fanOut = new Histogram({
    name: 'gateway_subscription_fanout_seconds',
    help: 'From a job change being observed (poll or EventBridge) to every subscriber of the job on this instance having been handed it (graphql-ws: written to its socket).',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });

  const operationLabel = (name: string | undefined) => {
    if (!name) return '_anonymous';
    if (operationNames.has(name)) return name;
    if (operationNames.size >= maxOperationNames) return '_other';
    operationNames.add(name);
    return name;
  };

  return {
    registry,
    observeOperation(name, type, seconds) {
      const labels = { operation_name: operationLabel(name), operation_type: type };
      operations.inc(labels);
      operationDuration.observe(labels, seconds);
    },
    countError: (type, code) => errors.inc({ operation_type: type, code }),
    countRejection: (reason) => rejections.inc({ reason }),
    observeUpstreamCall({ operation, outcome, attempts, durationMs }) {
      upstreamCalls.inc({ operation, outcome });
      upstreamDuration.observe({ operation, outcome }, durationMs / 1000);
      if (attempts > 0) upstreamAttempts.inc({ operation }, attempts);
      if (attempts > 1) upstreamRetries.inc({ operation }, attempts - 1);
    },
    observeHttpRequest: (route, status) => httpRequests.inc({ route, status: String(status) }),
    observeFanOut: (seconds) => fanOut.observe(seconds),
    watch(sources) {
      let countedRounds = 0;
      const gauge = (name: string, help: string, read: () => number) =>
        new Gauge({
          name,
          help,
          registers,
          collect() {
            this.set(read());
          },
        });
      gauge('gateway_subscriptions_active', 'Open subscription streams (graphql-ws and SSE).', sources.activeSubscriptions);
      gauge('gateway_websocket_connections', 'Open graphql-ws connections.', sources.webSocketConnections);
      gauge('gateway_poller_watched_jobs', 'Jobs with at least one subscriber.', () => sources.poller().watched);
      gauge('gateway_poller_pollable_jobs', 'Watched jobs not yet finished, so still refreshed.', () => sources.poller().pollable);
      gauge('gateway_poller_lag_seconds', 'How late the last poll round started against its schedule.', () => sources.poller().lastRoundLagMs / 1000);
      gauge('gateway_upstream_circuit_state', 'Circuit breaker in front of Bedrock: 0 closed, 1 half-open, 2 open.', () => CIRCUIT_STATES[sources.circuitState()]);
      new Counter({
        name: 'gateway_poller_rounds_total',
        help: 'Poll rounds run.',
        registers,
        collect() {
          const { rounds } = sources.poller();
          this.inc(Math.max(0, rounds - countedRounds));
          countedRounds = rounds;
        },
      });
    },
  };
}
