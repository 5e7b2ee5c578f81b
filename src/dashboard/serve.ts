// The live jobs dashboard over HTTP: GET `/` is the page, GET `/assets/<name>` its files. Every
// file is read once, when the gateway is created, into a fixed table (the files of ./public, the
// page's ES modules with versioned imports, and the graphql-ws browser client from node_modules);
// a request path is only ever a key into that table, never a path on disk, so there is nothing to
// traverse. Files go out compressed as the browser accepts (../http/static-content.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticContent, type StaticContent } from '../http/static-content.ts';

const DASHBOARD_PATH = '/';
const ASSETS_PREFIX = '/assets/';

export interface Dashboard {
  /**
   * The answer for `/` and `/assets/*`; undefined for every other path (left to Yoga). Rejects
   * only if compressing a file fails.
   */
  respond(request: Request, url: URL): Promise<Response> | undefined;
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
  const sources = new Map<string, Buffer>();
  for (const name of readdirSync(PUBLIC_DIR)) {
    if (name !== 'index.html') sources.set(name, readFileSync(join(PUBLIC_DIR, name)));
  }
  const modules = versionModules(sources);
  const assets = new Map<string, StaticContent>();
  for (const [name, body] of sources) assets.set(name, modules.get(name) ?? staticFile(body, name));
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
        return Promise.resolve(new Response('Method Not Allowed\n', { status: 405, headers: { allow: 'GET, HEAD' } }));
      }
      const file = isPage ? page : assets.get(url.pathname.slice(ASSETS_PREFIX.length));
      if (!file) {
        return Promise.resolve(new Response('Not Found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } }));
      }
      return file.respond(request, {
        // The page and unversioned asset URLs (e.g. /assets/graphql-ws.js) are revalidated on
        // every use, which costs a 304; versioned ones never change.
        'cache-control':
          !isPage && url.searchParams.get('v') === file.version ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
        ...(isPage ? PAGE_SECURITY_HEADERS : {}),
      });
    },
  };
}

// A static import or re-export of the page's modules: `from './x.js'`, `import './x.js'`.
const IMPORT_SPECIFIER = /\b(from|import)(\s*)(['"])([^'"]*)\3/g;
const LOCAL_MODULE = /^\.\/([\w.-]+\.js)$/;

/**
 * The page's scripts are ES modules that import each other as `./name.js`. Each such specifier is
 * rewritten to `./name.js?v=<version>`, and a module's version is the hash of its rewritten text,
 * so a change to one module changes the URL of every module that imports it, directly or not, and
 * every module URL can be cached as immutable. Throws when a module imports anything but another
 * file of ./public, or when imports form a cycle (whose versions would depend on each other).
 */
function versionModules(sources: ReadonlyMap<string, Buffer>): Map<string, StaticContent> {
  const modules = new Map<string, StaticContent>();
  const visiting = new Set<string>();
  const visit = (name: string): StaticContent => {
    const done = modules.get(name);
    if (done) return done;
    if (visiting.has(name)) throw new Error(`dashboard: public/${name} is part of an import cycle`);
    visiting.add(name);
    const text = sources
      .get(name)!
      .toString('utf8')
      .replace(IMPORT_SPECIFIER, (_match, keyword: string, space: string, quote: string, specifier: string) => {
        const target = LOCAL_MODULE.exec(specifier)?.[1];
        if (!target || !sources.has(target)) {
          throw new Error(`dashboard: public/${name} imports '${specifier}', which is not a module in public/`);
        }
        return `${keyword}${space}${quote}./${target}?v=${visit(target).version}${quote}`;
      });
    const file = staticFile(Buffer.from(text), name);
    visiting.delete(name);
    modules.set(name, file);
    return file;
  };
  for (const name of sources.keys()) if (extname(name) === '.js') visit(name);
  return modules;
}

function staticFile(body: Buffer, name: string): StaticContent {
  const contentType = CONTENT_TYPES[extname(name)];
  if (!contentType) throw new Error(`dashboard: no content type for ${name}`);
  return createStaticContent(new Uint8Array(body), { contentType });
}
