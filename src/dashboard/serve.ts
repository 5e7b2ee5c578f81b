// The live jobs dashboard over HTTP: GET `/` is the page, GET `/assets/<name>` its files. Every
// file is read once, when the gateway is created, into a fixed table (the files of ./public and
// the graphql-ws browser client from node_modules); a request path is only ever a key into that
// table, never a path on disk, so there is nothing to traverse.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_PATH = '/';
export const ASSETS_PREFIX = '/assets/';

export interface Dashboard {
  /** The answer for `/` and `/assets/*`; undefined for every other path (left to Yoga). */
  respond(request: Request, url: URL): Response | undefined;
}

interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** Short content hash: the ETag, and the `?v=` that makes a cached copy immutable. */
  version: string;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// The page talks only to its own origin (HTTP and WebSocket) and loads nothing from elsewhere.
const PAGE_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/** Reads the page and its assets; throws when a file is missing, so a broken install fails at start-up. */
export function createDashboard(): Dashboard {
  const assets = new Map<string, StaticFile>();
  for (const name of readdirSync(PUBLIC_DIR)) {
    if (name !== 'index.html') assets.set(name, staticFile(readFileSync(join(PUBLIC_DIR, name)), name));
  }
  // The UMD build is one self-contained file that defines `window.graphqlWs`; the ESM build in
  // dist/ imports hashed chunk files whose names change between releases.
  const require = createRequire(import.meta.url);
  const graphqlWsUmd = join(require.resolve('graphql-ws/package.json'), '..', 'umd', 'graphql-ws.min.js');
  assets.set('graphql-ws.js', staticFile(readFileSync(graphqlWsUmd), 'graphql-ws.js'));

  // Asset URLs in the page carry their content hash, so browsers may keep them for good.
  const html = readFileSync(join(PUBLIC_DIR, 'index.html'), 'utf8').replace(
    /(src|href)="assets\/([^"?]+)"/g,
    (match, attribute: string, name: string) => {
      const asset = assets.get(name);
      if (!asset) throw new Error(`dashboard: index.html refers to assets/${name}, which does not exist`);
      return `${attribute}="assets/${name}?v=${asset.version}"`;
    },
  );
  const page = staticFile(Buffer.from(html), 'index.html');

  return {
    respond(request, url) {
      const isPage = url.pathname === DASHBOARD_PATH;
      if (!isPage && !url.pathname.startsWith(ASSETS_PREFIX)) return undefined;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return new Response('Method Not Allowed\n', { status: 405, headers: { allow: 'GET, HEAD' } });
      }
      const file = isPage ? page : assets.get(url.pathname.slice(ASSETS_PREFIX.length));
      if (!file) return new Response('Not Found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });

      const etag = `"${file.version}"`;
      const headers: Record<string, string> = {
        'content-type': file.contentType,
        etag,
        // The page and unversioned asset URLs (e.g. /assets/graphql-ws.js) are revalidated on
        // every use, which costs a 304; versioned ones never change.
        'cache-control':
          !isPage && url.searchParams.get('v') === file.version ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
        ...(isPage ? PAGE_SECURITY_HEADERS : {}),
      };
      if (request.headers.get('if-none-match')?.split(/\s*,\s*/).includes(etag)) {
        return new Response(null, { status: 304, headers });
      }
      headers['content-length'] = String(file.body.byteLength);
      return new Response(request.method === 'HEAD' ? null : file.body, { status: 200, headers });
    },
  };
}

function staticFile(body: Buffer, name: string): StaticFile {
  const contentType = CONTENT_TYPES[extname(name)];
  if (!contentType) throw new Error(`dashboard: no content type for ${name}`);
  return {
    body: new Uint8Array(body),
    contentType,
    version: createHash('sha256').update(body).digest('base64url').slice(0, 16),
  };
}
