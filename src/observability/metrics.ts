// Prometheus metrics for GET /metrics, in a registry per gateway (never prom-client's global
// one), so several gateways in one process keep separate counts.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CircuitState } from '../bedrock/circuit-breaker.ts';
import type { UpstreamCall } from '../bedrock/jobs.ts';
import type { WebhookOutcome } from '../notify/webhook-delivery.ts';
import type { PollerStats } from '../watch/poller.ts';

export interface MetricsOptions {
  /**
   * Also export the process's CPU, memory, event-loop and GC metrics. Each call installs
   * process-wide monitors that are never removed, so tests turn it off. @default true
   */
  processMetrics?: boolean;
  /**
   * Most distinct operation names (per operation type) kept as label values; later ones are
   * counted as `_other`, as is any name that is not a label value (see `boundedLabel`). So a
   * client inventing names grows neither memory nor the scrape: 200 series of the longest names
   * make under 600 KB of the exposition, the whole of it stays under 700 KB. @default 200
   */
  maxOperationNames?: number;
}

/** Longest label value taken from a client; a longer one counts as `_other`. */
export const MAX_LABEL_LENGTH = 64;
/** The label value of anything a client sent that is not kept under its own name. */
export const OTHER_LABEL = '_other';
const LABEL_VALUE = new RegExp(`^[A-Za-z0-9_]{1,${MAX_LABEL_LENGTH}}$`);
/** Distinct error codes kept as label values (the gateway's, Yoga's and graphql-armor's are about 15). */
const MAX_ERROR_CODES = 50;
const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);
const ANONYMOUS_LABEL = '_anonymous';
const FIXED_LABELS = new Set([OTHER_LABEL, ANONYMOUS_LABEL]);

/** Live values read at scrape time. */
export interface MetricsSources {
  activeSubscriptions(): number;
  webSocketConnections(): number;
  poller(): PollerStats;
  circuitState(): CircuitState;
}

// upstream_share: an upstream call refused (THROTTLED, not sent) because its caller's share of
// UPSTREAM_CALLS_PER_SECOND could not fit it in time; watch_limit: a subscription refused because
// its caller already watches MAX_WATCHED_JOBS_PER_CREDENTIAL jobs; too_many_streams: a WebSocket
// or SSE subscription refused because its caller holds MAX_STREAMS_PER_CREDENTIAL streams.
export type RejectionReason = 'unauthenticated' | 'rate_limited' | 'invalid' | 'limit_exceeded' | 'host_not_allowed' | 'upstream_share' | 'watch_limit' | 'too_many_streams' | 'connection_limit_per_ip' | 'connection_limit';

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
  /**
   * One answer from the response cache: `replayed` in front of Yoga (http/replayed-answers.ts), or
   * through Yoga's `pipeline` (GET, conditional requests, a request's first repeat).
   */
  countResponseCacheHit(served: 'replayed' | 'pipeline'): void;
  /** One job change handed to every subscriber of the job, `seconds` after it was observed. */
  observeFanOut(seconds: number): void;
  /** Registers the gauges read from the running gateway. */
  watch(sources: MetricsSources): void;
  /** Counts what became of a webhook message (or that a retry was scheduled). */
  countWebhookDelivery(outcome: WebhookOutcome): void;
  /** One webhook attempt's duration, and whether the receiver took the message. */
  observeWebhookAttempt(seconds: number, delivered: boolean): void;
  /** Registers the gauge of webhook messages not yet settled (webhooks configured only). */
  watchWebhooks(queued: () => number): void;
}

const CIRCUIT_STATES: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const operationNameLabel = boundedLabel(options.maxOperationNames ?? 200);
  const codeLabel = boundedLabel(MAX_ERROR_CODES);

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
    help: 'Requests, connections, operations and upstream calls refused, by reason (see RejectionReason; the README lists them).',
    labelNames: ['reason'] as const,
    registers,
  });
  const httpRequests = new Counter({
    name: 'gateway_http_requests_total',
    help: 'HTTP requests by route and status code.',
    labelNames: ['route', 'status'] as const,
    registers,
  });
  const responseCacheHits = new Counter({
    name: 'gateway_response_cache_hits_total',
    help: 'Answers served from the response cache: replayed in front of Yoga, or through its pipeline.',
    labelNames: ['served'] as const,
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

  const webhookDeliveries = new Counter({
    name: 'gateway_webhook_deliveries_total',
    help: 'Webhook messages per receiver by outcome: delivered (2xx), failed (attempts exhausted), dropped (queue full), abandoned (shutdown); retried counts retries scheduled.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const webhookAttempts = new Histogram({
    name: 'gateway_webhook_delivery_duration_seconds',
    help: 'Duration of each webhook attempt until the receiver answered, failed or timed out, by result (delivered, failed).',
    labelNames: ['result'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });

  // Names are kept per type, so the cap bounds the series, not only the names.
  const operationLabels = (name: string | undefined, type: string) => {
    const operation_type = operationTypeLabel(type);
    return { operation_name: name ? operationNameLabel(name, operation_type) : ANONYMOUS_LABEL, operation_type };
  };

  return {
    registry,
    observeOperation(name, type, seconds) {
      const labels = operationLabels(name, type);
      operations.inc(labels);
      operationDuration.observe(labels, seconds);
    },
    countError: (type, code) => errors.inc({ operation_type: operationTypeLabel(type), code: codeLabel(code) }),
    countRejection: (reason) => rejections.inc({ reason }),
    observeUpstreamCall({ operation, outcome, attempts, durationMs }) {
      upstreamCalls.inc({ operation, outcome });
      upstreamDuration.observe({ operation, outcome }, durationMs / 1000);
      if (attempts > 0) upstreamAttempts.inc({ operation }, attempts);
      if (attempts > 1) upstreamRetries.inc({ operation }, attempts - 1);
    },
    observeHttpRequest: (route, status) =>
      httpRequests.inc({ route, status: Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : OTHER_LABEL }),
    countResponseCacheHit: (served) => responseCacheHits.inc({ served }),
    observeFanOut: (seconds) => fanOut.observe(seconds),
    countWebhookDelivery: (outcome) => webhookDeliveries.inc({ outcome }),
    observeWebhookAttempt: (seconds, delivered) => webhookAttempts.observe({ result: delivered ? 'delivered' : 'failed' }, seconds),
    watchWebhooks(queued) {
      new Gauge({
        name: 'gateway_webhook_queued_messages',
        help: 'Webhook messages not yet settled, over every receiver: waiting for a slot or a retry, or in flight.',
        registers,
        collect() {
          this.set(queued());
        },
      });
    },
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

function operationTypeLabel(type: string): string {
  return OPERATION_TYPES.has(type) ? type : 'unknown';
}

/**
 * Label values chosen by clients, bounded: a value is kept under its own name only when it is 1
 * to MAX_LABEL_LENGTH characters of `[A-Za-z0-9_]`, is not one of the fixed labels (`_other`,
 * `_anonymous`), and its (scope, value) pair is among the first `max` distinct ones; anything
 * else is `_other`.
 */
export function boundedLabel(max: number): (value: string, scope?: string) => string {
  const kept = new Set<string>();
  return (value, scope = '') => {
    const key = `${scope} ${value}`;
    if (kept.has(key)) return value;
    if (kept.size >= max || !LABEL_VALUE.test(value) || FIXED_LABELS.has(value)) return OTHER_LABEL;
    kept.add(key);
    return value;
  };
}
