// OpenTelemetry tracing, only when an OTLP endpoint is configured: a span per GraphQL operation
// and per upstream call, exported over OTLP/HTTP (otlp-tracing.ts, loaded only then). Without an
// endpoint every call is a plain function call: no provider, no span objects, no context
// bookkeeping, and no OpenTelemetry module loaded.
import type { Attributes } from '@opentelemetry/api';

export interface TracingOptions {
  /** OTLP/HTTP endpoint; traces are exported only when set. */
  otlpEndpoint: string | undefined;
  serviceName: string;
}

/** What code inside a span may add to it. */
export interface SpanHandle {
  setAttribute(key: string, value: string | number | boolean): void;
}

export interface SpanOptions {
  attributes?: Attributes;
  /** `server` for operations a client asked for, `client` for calls the gateway makes. @default 'internal' */
  kind?: 'server' | 'client' | 'internal';
}

export interface Tracing {
  readonly enabled: boolean;
  /**
   * Runs `fn` in a span, a child of the span it is called under. The span ends when `fn` settles
   * and records a thrown error.
   */
  span<T>(name: string, options: SpanOptions, fn: (span: SpanHandle) => Promise<T> | T): Promise<T>;
  /** Flushes pending spans and stops exporting. */
  shutdown(): Promise<void>;
}

const NOOP_SPAN: SpanHandle = { setAttribute() {} };

export async function createTracing(options: TracingOptions): Promise<Tracing> {
  if (!options.otlpEndpoint) {
    return {
      enabled: false,
      span: async (_name, _options, fn) => fn(NOOP_SPAN),
      shutdown: async () => {},
    };
  }
  const { createOtlpTracing } = await import('./otlp-tracing.ts');
  return createOtlpTracing(options.otlpEndpoint, options.serviceName);
}
