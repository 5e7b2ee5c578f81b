// GraphiQL at /graphql in a browser: served from the installed package (not a CDN, so it works
// offline), opening on an example with real job ids from the simulator, so that ▶ works on first
// start. The page is about 9 MB with everything inline; it is rendered once, each compressed form
// made once on first use (static-content.ts), and revalidated by ETag, so a page load costs
// neither rendering nor compression, and a reload costs a 304.
import type { GraphiQLOptions } from 'graphql-yoga';
import { CSRF_HEADER } from '../plugins/csrf-plugin.ts';
import { graphiqlExample } from './graphiql-example.ts';
import { renderGraphiQLPage } from './graphiql-page.ts';
import { createStaticContent, type StaticContent } from './static-content.ts';

const GRAPHIQL_PATHS = new Set(['/graphql', '/graphql/']);

// The dashboard's icon (public/favicon.svg), instead of Yoga's 150 KB one.
const FAVICON =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4ed8"/>' +
      '<rect x="6" y="8" width="20" height="3" rx="1.5" fill="#fff"/><rect x="6" y="14.5" width="14" height="3" rx="1.5" fill="#93c5fd"/>' +
      '<rect x="6" y="21" width="9" height="3" rx="1.5" fill="#93c5fd"/></svg>',
  );

const PAGE_HEADERS = {
  // The page is the same all along, but changes with a new version of the gateway: revalidated on
  // every load, which costs a 304.
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export interface GraphiQL {
  /**
   * The page, for a GET (or HEAD) of /graphql that accepts text/html, as Yoga's own GraphiQL
   * decides; undefined for every other request, left to Yoga. Rejects if the package cannot be
   * loaded.
   */
  respond(request: Request, url: URL): Promise<Response> | undefined;
  /** Renders the page now, in the background (after start-up), so that the first page does not wait for it. */
  preload(): void;
}

/**
 * GraphiQL with the example for `exampleJobIds`. Its module (half a second to load, the whole
 * GraphiQL bundle) is imported on the first page request, or by `preload()`, never at start-up.
 */
export function createGraphiQL(exampleJobIds: readonly string[]): GraphiQL {
  const options: GraphiQLOptions = {
    title: 'Bedrock jobs gateway',
    favicon: FAVICON,
    defaultQuery: graphiqlExample(exampleJobIds),
    // SSE, not WS: GraphiQL sends its Headers tab with HTTP requests only (its graphql-ws
    // client's connection_init is empty), so with auth on, subscriptions over WS would be refused.
    subscriptionsProtocol: 'SSE',
    // Its SSE subscriptions are GETs: they need the CSRF header like any other GET.
    additionalHeaders: { [CSRF_HEADER]: '1' },
  };
  let page: Promise<{ content: StaticContent; headers: Record<string, string> }> | undefined;
  const load = () => {
    if (!page) {
      page = renderGraphiQLPage(options).then(({ html, contentSecurityPolicy }) => ({
        content: createStaticContent(new TextEncoder().encode(html), { contentType: 'text/html; charset=utf-8' }),
        // It holds keys (GraphiQL keeps its Headers tab in local storage) and runs mutations: no
        // script but its own may run in it, and no other site may frame it and have it clicked.
        headers: { ...PAGE_HEADERS, 'content-security-policy': contentSecurityPolicy },
      }));
      // A failed import is not kept: the next request tries again.
      page.catch(() => (page = undefined));
    }
    return page;
  };

  return {
    respond(request, url) {
      if (!GRAPHIQL_PATHS.has(url.pathname) || !wantsPage(request)) return undefined;
      return load().then(({ content, headers }) => content.respond(request, headers));
    },
    preload: () => void load().catch(() => undefined),
  };
}

/** Yoga's rule (`shouldRenderGraphiQL`): a browser's navigation, not a GraphQL GET; HEAD alike. */
function wantsPage(request: Request): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && !!request.headers.get('accept')?.includes('text/html');
}
