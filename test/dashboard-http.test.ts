// The dashboard's HTTP surface: the page at `/`, its assets at `/assets/*` with content types and
// cache headers (versioned imports between its modules too), nothing else reachable through those
// paths, and DASHBOARD=false turning it off.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

let on: TestGateway;
let off: TestGateway;
beforeAll(async () => {
  [on, off] = await Promise.all([startTestGateway(), startTestGateway({ DASHBOARD: 'false' })]);
});
afterAll(() => Promise.all([on.close(), off.close()]));

/** A GET with the path sent exactly as given (fetch would normalise `..` before sending). */
function rawGet(baseUrl: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard page', () => {
  it('should serve the page at / with a strict content security policy', async () => {
    const response = await fetch(`${on.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).toContain('<table');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('should link every asset with its content hash', async () => {
    const html = await (await fetch(`${on.url}/`)).text();
    const links = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(links.map((link) => link.replace(/\?v=.*/, ''))).toEqual(
      expect.arrayContaining(['assets/graphql-ws.js', 'assets/dashboard.js', 'assets/dashboard.css', 'assets/favicon.svg']),
    );
    for (const link of links) {
      const response = await fetch(`${on.url}/${link}`);
      expect(response.status, link).toBe(200);
      expect(response.headers.get('cache-control'), link).toBe('public, max-age=31536000, immutable');
      expect(`"${new URL(link, on.url).searchParams.get('v')}"`).toBe(response.headers.get('etag'));
    }
  });

  it('should version the imports between the page modules, so that every module is immutable', async () => {
    const html = await (await fetch(`${on.url}/`)).text();
    const entry = /<script type="module" src="(assets\/dashboard\.js\?v=[^"]+)"/.exec(html)?.[1];
    expect(entry).toBeDefined();
    const queue = [new URL(entry!, `${on.url}/`).href];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toBe('text/javascript; charset=utf-8');
      expect(response.headers.get('cache-control'), url).toBe('public, max-age=31536000, immutable');
      for (const [, specifier] of (await response.text()).matchAll(/\bfrom\s*'([^']*)'/g)) {
        expect(specifier, url).toMatch(/^\.\/[\w-]+\.js\?v=[\w-]{16}$/);
        queue.push(new URL(specifier!, url).href);
      }
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('should answer a revalidation with 304 and HEAD without a body', async () => {
    const first = await fetch(`${on.url}/`);
    const etag = first.headers.get('etag')!;
    const again = await fetch(`${on.url}/`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const head = await fetch(`${on.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(first.headers.get('content-length'));
    expect(await head.text()).toBe('');
  });

  it('should refuse methods other than GET and HEAD', async () => {
    const response = await fetch(`${on.url}/`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('dashboard assets', () => {
  it('should serve the graphql-ws browser client from the installed package', async () => {
    const response = await fetch(`${on.url}/assets/graphql-ws.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // Unversioned URL: stable for anyone who links it, revalidated on every use.
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('graphqlWs');
  });

  it.each([
    ['dashboard.css', 'text/css; charset=utf-8'],
    ['dashboard.js', 'text/javascript; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
  ])('should serve %s as %s', async (name, contentType) => {
    const response = await fetch(`${on.url}/assets/${name}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(contentType);
  });

  it('should answer 404 for an unknown asset', async () => {
    expect((await fetch(`${on.url}/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${on.url}/assets/`)).status).toBe(404);
    expect((await fetch(`${on.url}/assets/index.html`)).status).toBe(404);
  });

  it.each([
    '/assets/../package.json',
    '/assets/%2e%2e/package.json',
    '/assets/..%2fpackage.json',
    '/assets/..%2F..%2Fpackage.json',
    '/assets/%2e%2e%2fserve.ts',
    '/assets/..\\serve.ts',
    '/assets/./../src/config.ts',
    '/assets//etc/passwd',
    '/assets/%2Fetc%2Fpasswd',
    '/assets/dashboard.js/../../package.json',
  ])('should not let %s reach any file', async (path) => {
    const { status, body } = await rawGet(on.url, path);
    expect(status).toBe(404);
    expect(body).not.toMatch(/"name": "bedrock-jobs-gateway"|root:|loadConfig|createDashboard/);
  });
});

describe('DASHBOARD=false', () => {
  it('should serve neither the page nor its assets, and leave the other endpoints alone', async () => {
    expect((await fetch(`${off.url}/`)).status).toBe(404);
    expect((await fetch(`${off.url}/assets/graphql-ws.js`)).status).toBe(404);
    expect((await fetch(`${off.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${off.url}/readyz`)).status).toBe(200);
    expect(await off.graphql('{ modelInvocationJobs(first: 1) { nodes { jobId } } }')).toEqual({
      data: { modelInvocationJobs: { nodes: [] } },
    });
  });

  it('should leave /graphql, /healthz and /readyz alone when on', async () => {
    expect((await fetch(`${on.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${on.url}/readyz`)).status).toBe(200);
    const graphiql = await fetch(`${on.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await graphiql.text()).toContain('Bedrock jobs gateway');
  });
});
