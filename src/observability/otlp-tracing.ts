// The OpenTelemetry side of tracing.ts: spans exported over OTLP/HTTP in batches.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context as OtelContext,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Tracing } from './tracing.ts';

const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL };

export function createOtlpTracing(endpoint: string, serviceName: string): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    // The exporter reads the other OTEL_EXPORTER_OTLP_* variables (headers, timeout) itself.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
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
