// The routes beside GraphQL: /readyz (readiness.ts), /metrics (Prometheus text), POST
// /events/bedrock (EventBridge), the dashboard at `/` and `/assets/*`, and GraphiQL for a browser
// opening /graphql. Yoga itself answers GraphQL at /graphql and /healthz (liveness: no upstream
// call).
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Admission } from '../access/admission.ts';
import type { Dashboard } from '../dashboard/serve.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { EVENT_BRIDGE_PATH, type EventBridgeReceiver } from '../watch/event-bridge-receiver.ts';
import type { GraphiQL } from './graphiql.ts';
import type { Readiness } from './readiness.ts';
import type { GatewayServerContext } from './server-context.ts';

/** Counted under their own name in gateway_http_requests_total. */
export const ROUTES = ['/graphql', '/healthz', '/readyz', '/metrics', EVENT_BRIDGE_PATH, '/'];

export interface RoutesOptions {
  readiness: Readiness;
  metrics: GatewayMetrics;
  /** The EventBridge endpoint; off (404) when undefined. */
  eventBridge: EventBridgeReceiver | undefined;
  /** The dashboard; off (404) when undefined. */
  dashboard: Dashboard | undefined;
  /** GraphiQL; off when undefined (a browser opening /graphql gets Yoga's GraphQL answer). */
  graphiql: GraphiQL | undefined;
  /** Who may read why a /readyz check fails (see `detailsPolicy`). */
  readinessDetails: ReadinessDetailsOptions;
  logger: Logger;
}

export interface ReadinessDetailsOptions {
  /** AUTH_REQUIRED: when false, everyone may. */
  authRequired: boolean;
  admission: Admission;
  clientAddress(serverContext: GatewayServerContext): string;
}

export function createRoutesPlugin(options: RoutesOptions): Plugin<{}, GatewayServerContext> {
  const { readiness, metrics, eventBridge, dashboard, graphiql, logger } = options;
  const mayReadDetails = detailsPolicy(options.readinessDetails);
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
    onRequest({ url, request, serverContext, endResponse, fetchAPI }) {
      switch (url.pathname) {
        case '/readyz':
          return mayReadDetails(request, serverContext)
            .catch((error: unknown) => {
              logger.error({ err: error }, 'authenticating a /readyz request failed');
              return false;
            })
            .then((details) => readiness.check({ details }))
            .then((report) => endResponse(fetchAPI.Response.json(report, { status: report.ready ? 200 : 503 })));
        case '/metrics':
          return metricsResponse(fetchAPI.Response).then(endResponse);
        case EVENT_BRIDGE_PATH:
          if (eventBridge) return eventBridge.handle(request, serverContext.req).then(endResponse);
          return undefined;
      }
      const page = dashboard?.respond(request, url) ?? graphiql?.respond(request, url);
      if (!page) return undefined;
      return page.then(endResponse, (error: unknown) => {
        logger.error({ err: error, path: url.pathname }, 'serving a page failed');
        endResponse(new fetchAPI.Response('serving this page failed\n', { status: 500 }));
      });
    },
  };
}

/**
 * Whether a /readyz request may read why a check fails: with auth off everyone may; with auth on,
 * a request whose credentials the admission accepts (a wrong one counts as a failed attempt
 * against the address, as on /graphql). A request without credentials is not authenticated at
 * all, so load balancers polling /readyz cost neither tokens nor refusals.
 */
function detailsPolicy({ authRequired, admission, clientAddress }: ReadinessDetailsOptions) {
  return async (request: Request, serverContext: GatewayServerContext): Promise<boolean> => {
    if (!authRequired) return true;
    const credentials = { apiKey: request.headers.get('x-api-key'), authorization: request.headers.get('authorization') };
    if (!credentials.apiKey && !credentials.authorization) return false;
    return (await admission.request(credentials, clientAddress(serverContext))).admitted;
  };
}
