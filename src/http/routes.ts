// The routes beside GraphQL: /readyz (readiness.ts), /metrics (Prometheus text), POST
// /events/bedrock (EventBridge), and the dashboard at `/` and `/assets/*`. Yoga itself answers
// /graphql and /healthz (liveness: no upstream call).
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Dashboard } from '../dashboard/serve.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { EVENT_BRIDGE_PATH, type EventBridgeReceiver } from '../watch/event-bridge-receiver.ts';
import type { Readiness } from './readiness.ts';

/** Counted under their own name in gateway_http_requests_total. */
export const ROUTES = ['/graphql', '/healthz', '/readyz', '/metrics', EVENT_BRIDGE_PATH, '/'];

export interface RoutesOptions {
  readiness: Readiness;
  metrics: GatewayMetrics;
  /** The EventBridge endpoint; off (404) when undefined. */
  eventBridge: EventBridgeReceiver | undefined;
  /** The dashboard; off (404) when undefined. */
  dashboard: Dashboard | undefined;
  logger: Logger;
}

export function createRoutesPlugin({ readiness, metrics, eventBridge, dashboard, logger }: RoutesOptions): Plugin {
  const metricsResponse = (Response: typeof globalThis.Response) =>
    metrics.registry.metrics().then(
      (body) => new Response(body, { headers: { 'content-type': metrics.registry.contentType } }),
      // A rejection must not reach the HTTP server (whatwg-node does not catch onRequest).
      (error: unknown) => {
        logger.error({ err: error }, 'collecting metrics failed');
        return new Response('collecting metrics failed\n', { status: 500 });
      },
    );

  return {
    // Not an async function: every GraphQL request passes here and should not pay for a promise.
    onRequest({ url, request, endResponse, fetchAPI }) {
      switch (url.pathname) {
        case '/readyz':
          return readiness.check().then((report) => endResponse(fetchAPI.Response.json(report, { status: report.ready ? 200 : 503 })));
        case '/metrics':
          return metricsResponse(fetchAPI.Response).then(endResponse);
        case EVENT_BRIDGE_PATH:
          if (eventBridge) return eventBridge.handle(request).then(endResponse);
          return undefined;
      }
      const page = dashboard?.respond(request, url);
      if (page) endResponse(page);
      return undefined;
    },
  };
}
