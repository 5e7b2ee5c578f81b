// What the gateway did, as one `info` line per interval (a minute by default), written only when
// it did anything: operations by type, errors by code, refusals by reason, subscriptions started
// and open, Bedrock calls by outcome. Operations themselves log at `debug`
// (observability/operation-record.ts), so that at `info` the start-up and shutdown lines,
// warnings and errors are not buried under a line per query (86 lines in four minutes with one
// dashboard open). The counts come from what the metrics are told, so the two never disagree.
import type { Logger } from 'pino';
import type { GatewayMetrics } from './metrics.ts';

export interface LogSummaryOptions {
  logger: Logger;
  /**
   * Longest time from the first thing counted to the line that reports it; with nothing counted
   * no timer runs and no line is written. @default 60_000 (a minute)
   */
  intervalMs?: number;
}

export interface LogSummary {
  /** `metrics`, also counted here; the sources given to its `watch` tell the open subscriptions. */
  observe(metrics: GatewayMetrics): GatewayMetrics;
  /** Writes what was counted and not yet reported (at shutdown), and stops the timer. */
  flush(): void;
}

const DEFAULT_LOG_SUMMARY_INTERVAL_MS = 60_000;

/** Counts of one interval, by group and key. */
interface Tally {
  startedAt: number;
  operations: Map<string, number>;
  errors: Map<string, number>;
  refused: Map<string, number>;
  upstreamCalls: Map<string, number>;
}

export function createLogSummary({ logger, intervalMs = DEFAULT_LOG_SUMMARY_INTERVAL_MS }: LogSummaryOptions): LogSummary {
  let tally: Tally | undefined;
  let timer: NodeJS.Timeout | undefined;
  let openSubscriptions: () => number = () => 0;

  const count = (group: Exclude<keyof Tally, 'startedAt'>, key: string) => {
    // At warn and above nobody would read the line: count nothing, start no timer.
    if (!logger.isLevelEnabled('info')) return;
    if (!tally) {
      tally = { startedAt: performance.now(), operations: new Map(), errors: new Map(), refused: new Map(), upstreamCalls: new Map() };
      timer = setTimeout(flush, intervalMs);
      // A summary must never be what keeps a process alive.
      timer.unref();
    }
    tally[group].set(key, (tally[group].get(key) ?? 0) + 1);
  };

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!tally) return;
    const done = tally;
    tally = undefined;
    const seconds = Math.max(1, Math.round((performance.now() - done.startedAt) / 1000));
    const subscriptions = { started: done.operations.get('subscription') ?? 0, open: openSubscriptions() };
    logger.info(
      {
        seconds,
        operations: Object.fromEntries(done.operations),
        errors: Object.fromEntries(done.errors),
        refused: Object.fromEntries(done.refused),
        subscriptions,
        upstreamCalls: Object.fromEntries(done.upstreamCalls),
      },
      describe(done, seconds, subscriptions),
    );
  };

  return {
    observe: (metrics) => ({
      ...metrics,
      observeOperation(name, type, seconds) {
        metrics.observeOperation(name, type, seconds);
        count('operations', type);
      },
      countError(type, code) {
        metrics.countError(type, code);
        count('errors', code);
      },
      countRejection(reason) {
        metrics.countRejection(reason);
        count('refused', reason);
      },
      observeUpstreamCall(call) {
        metrics.observeUpstreamCall(call);
        count('upstreamCalls', call.outcome);
      },
      watch(sources) {
        metrics.watch(sources);
        openSubscriptions = sources.activeSubscriptions;
      },
    }),
    flush,
  };
}

const PLURALS: Record<string, string> = { query: 'queries', mutation: 'mutations', subscription: 'subscriptions started' };

/** The line's message, e.g. "last 60 s: 12 queries, 3 subscriptions started (2 open); errors: NOT_FOUND 2; Bedrock calls: 15 (success 14, throttled 1)". */
function describe(tally: Tally, seconds: number, subscriptions: { started: number; open: number }): string {
  const operations = [...tally.operations].map(([type, n]) => {
    const words = n === 1 ? (type === 'subscription' ? 'subscription started' : type) : (PLURALS[type] ?? `${type} operations`);
    return `${n} ${words}${type === 'subscription' ? ` (${subscriptions.open} open)` : ''}`;
  });
  const parts = [operations.length > 0 ? operations.join(', ') : `no operations (${subscriptions.open} subscriptions open)`];
  const listed = (map: Map<string, number>) => [...map].map(([key, n]) => `${key} ${n}`).join(', ');
  if (tally.errors.size > 0) parts.push(`errors: ${listed(tally.errors)}`);
  if (tally.refused.size > 0) parts.push(`refused: ${listed(tally.refused)}`);
  if (tally.upstreamCalls.size > 0) {
    const total = [...tally.upstreamCalls.values()].reduce((sum, n) => sum + n, 0);
    parts.push(`Bedrock calls: ${total} (${listed(tally.upstreamCalls)})`);
  }
  return `last ${seconds} s: ${parts.join('; ')}`;
}
