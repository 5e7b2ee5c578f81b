// Per HTTP request: a request id (the client's `x-request-id` or a new one, echoed in the
// response), the request counted by route and status, and one log line per GraphQL request (at
// debug: see observability/operation-record.ts).
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { createOperationRecord, logOperation, requestIdFrom } from '../observability/operation-record.ts';
import type { GatewayServerContext } from '../http/server-context.ts';

export interface HttpObservabilityOptions {
  metrics: GatewayMetrics;
  logger: Logger;
  /** Paths counted under their own name; everything else is `other`. */
  routes: readonly string[];
  graphqlEndpoint: string;
}

export function createHttpObservabilityPlugin(options: HttpObservabilityOptions): Plugin<{}, GatewayServerContext> {
  const { metrics, logger, routes, graphqlEndpoint } = options;
  return {
    onRequest({ request, serverContext, url }) {
      serverContext.path = url.pathname;
      serverContext.operation = createOperationRecord('http', requestIdFrom(request.headers.get('x-request-id')));
      if (url.pathname !== graphqlEndpoint) serverContext.operation.operationType = 'none';
    },
    // Hooks here must not throw: whatwg-node lets such errors reach the HTTP server.
    onResponse({ request, response, serverContext }) {
      const record = serverContext.operation;
      const path = serverContext.path;
      metrics.observeHttpRequest(path !== undefined && routes.includes(path) ? path : 'other', response.status);
      if (!record) return;
      try {
        response.headers.set('x-request-id', record.requestId);
      } catch {
        // an immutable response (none of ours): the id is still in the log line
      }
      const isGraphiQL = response.headers.get('content-type')?.startsWith('text/html');
      if (path === graphqlEndpoint && !isGraphiQL && request.method !== 'OPTIONS') {
        logOperation(logger, record, { method: request.method, status: response.status });
      }
    },
  };
}
