// OpenTelemetry tracing, only when an OTLP endpoint is configured: a span per GraphQL operation
// and per upstream call, exported over OTLP/HTTP. Without an endpoint every call is a plain
// function call: no provider, no span objects, no context bookkeeping.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context as OtelContext,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Config } from '../config.ts';

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
const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL };

export function createTracing(config: Config['tracing']): Tracing {
  if (!config.otlpEndpoint) {
    return {
      enabled: false,
      span: async (_name, _options, fn) => fn(NOOP_SPAN),
      shutdown: async () => {},
    };
  }

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    // The exporter reads the other OTEL_EXPORTER_OTLP_* variables (headers, timeout) itself.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.otlpEndpoint}/v1/traces` }))],
  });
  const tracer: Tracer = provider.getTracer('bedrock-jobs-gateway');
  // Our own context store instead of a global context manager, so several gateways in one
  // process (tests) keep separate traces and nothing global is registered.
  const active = new AsyncLocalStorage<OtelContext>();

  return {
    enabled: true,
    async span(name, options, fn) {
      const parent = active.getStore() ?? ROOT_CONTEXT;
      const span = tracer.startSpan(name, { attributes: options.attributes, kind: KINDS[options.kind ?? 'internal'] }, parent);
      try {
        return await active.run(trace.setSpan(parent, span), () => fn(span));
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        throw error;
      } finally {
        span.end();
      }
    },
    shutdown: () => provider.shutdown(),
  };
}
