// Compressed static content: the coding chosen from Accept-Encoding (q-values honoured), each
// compressed form made once and kept, and over HTTP the GraphiQL page (9 MB inline) and the
// dashboard's files in brotli, gzip or identity, with Vary, ETag, 304 and HEAD. Bytes are read
// with node:http, which, unlike fetch, does not decompress them.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiateContentCoding } from '../src/http/accept-encoding.ts';
import { createStaticContent } from '../src/http/static-content.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request whose answer is read as sent: compressed bytes stay compressed. */
function rawRequest(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const decode = { br: brotliDecompressSync, gzip: gunzipSync } as const;

describe('negotiateContentCoding', () => {
  it.each([
    [null, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['deflate', 'identity'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0.8, gzip;q=0.9', 'gzip'],
    ['br;q=1.0, gzip;q=1', 'br'],
    ['gzip;q=0.5', 'gzip'],
    ['gzip;q=0.5, identity', 'identity'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0.1', 'gzip'],
    ['identity;q=0, *', 'br'],
    ['*;q=0', 'identity'],
    ['br;q=2, gzip', 'gzip'],
    ['br;q=abc, gzip;q=0.1', 'gzip'],
    [' br ; q = 0.3 , gzip ; q=0.2 ', 'br'],
    ['identity', 'identity'],
  ] as const)('should choose for %j: %s', (header, coding) => {
    expect(negotiateContentCoding(header)).toBe(coding);
  });
});

describe('createStaticContent', () => {
  const text = new TextEncoder().encode('<p>bedrock batch jobs</p>\n'.repeat(500));

  it('should compress each coding once and keep it, concurrent first requests included', async () => {
    const content = createStaticContent(text, { contentType: 'text/html' });
    const [first, concurrent] = await Promise.all([content.encoded('br'), content.encoded('br')]);
    expect(concurrent).toBe(first);
    expect(await content.encoded('br')).toBe(first);
    expect(await content.encoded('gzip')).toBe(await content.encoded('gzip'));
    expect(await content.encoded('identity')).toBe(text);
    expect(Buffer.from(brotliDecompressSync(first))).toEqual(Buffer.from(text));
  });

  it('should answer with identity bytes when compressing would not make them smaller', async () => {
    const tiny = createStaticContent(new TextEncoder().encode('{}'), { contentType: 'application/json' });
    const response = await tiny.respond(new Request('http://gateway/x', { headers: { 'accept-encoding': 'br, gzip' } }));
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('vary')).toBe('accept-encoding');
    expect(await response.text()).toBe('{}');
  });
});

describe('over HTTP', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({}, { seed: true });
  });
  afterAll(() => t?.close());

  describe('the GraphiQL page', () => {
    const page = (headers: Record<string, string> = {}, method = 'GET') => rawRequest(`${t.url}/graphql`, { accept: 'text/html', ...headers }, method);
    let identity: RawResponse;
    beforeAll(async () => {
      identity = await page();
    });

    it('should send identity without Accept-Encoding, with Vary, an ETag and no-cache', () => {
      expect(identity.status).toBe(200);
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(identity.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(identity.headers.vary).toBe('accept-encoding');
      expect(identity.headers.etag).toMatch(/^"[\w-]{16}"$/);
      expect(identity.headers['cache-control']).toBe('no-cache');
      expect(Number(identity.headers['content-length'])).toBe(identity.body.byteLength);
      expect(identity.body.byteLength).toBeGreaterThan(5_000_000);
      expect(identity.body.toString('utf8')).toContain('Bedrock jobs gateway');
    });

    // Measured: identity 8.9 MB, gzip 2.4 MB (27%), brotli 1.9 MB (21%).
    it.each([
      ['br', 'br', 0.25],
      ['gzip', 'gzip', 0.3],
      ['gzip, deflate, br', 'br', 0.25],
      ['br;q=0.5, gzip;q=0.9', 'gzip', 0.3],
    ] as const)('should answer Accept-Encoding %j with %s, the same page in at most %d of its size', async (acceptEncoding, coding, ratio) => {
      const response = await page({ 'accept-encoding': acceptEncoding });
      expect(response.status).toBe(200);
      expect(response.headers['content-encoding']).toBe(coding);
      expect(response.headers.vary).toBe('accept-encoding');
      expect(response.headers.etag).toBe(identity.headers.etag);
      expect(Number(response.headers['content-length'])).toBe(response.body.byteLength);
      expect(response.body.byteLength).toBeLessThanOrEqual(identity.body.byteLength * ratio);
      expect(decode[coding](response.body).equals(identity.body)).toBe(true);
      expect((await page({ 'accept-encoding': acceptEncoding })).body.equals(response.body)).toBe(true);
    });

    it.each(['identity', 'deflate', 'br;q=0, gzip;q=0'])('should send identity for Accept-Encoding %j', async (acceptEncoding) => {
      const response = await page({ 'accept-encoding': acceptEncoding });
      expect(response.headers['content-encoding']).toBeUndefined();
      expect(response.body.equals(identity.body)).toBe(true);
    });

    it('should answer HEAD with the headers of the GET and no body', async () => {
      const get = await page({ 'accept-encoding': 'br' });
      const head = await page({ 'accept-encoding': 'br' }, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.headers['content-encoding']).toBe('br');
      expect(head.headers['content-length']).toBe(get.headers['content-length']);
      expect(head.headers.etag).toBe(get.headers.etag);
      expect(head.body.byteLength).toBe(0);
    });

    it('should answer a revalidation with 304, whatever the coding', async () => {
      const etag = identity.headers.etag!;
      for (const acceptEncoding of ['br', 'gzip', 'identity']) {
        const again = await page({ 'accept-encoding': acceptEncoding, 'if-none-match': `W/${etag}, "other"` });
        expect(again.status).toBe(304);
        expect(again.headers.etag).toBe(etag);
        expect(again.headers.vary).toBe('accept-encoding');
        expect(again.body.byteLength).toBe(0);
      }
      expect((await page({ 'if-none-match': '"stale"' })).status).toBe(200);
    });

    it('should leave GraphQL requests to /graphql alone', async () => {
      const response = await rawRequest(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
        accept: 'application/graphql-response+json',
        'accept-encoding': 'br',
        'x-graphql-yoga-csrf': '1',
      });
      expect(response.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(response.body.toString('utf8'))).toEqual({ data: { __typename: 'Query' } });
    });
  });

  describe("the dashboard's files", () => {
    it.each(['br', 'gzip'] as const)('should send the page and every asset it links in %s, caching kept', async (coding) => {
      const page = await rawRequest(`${t.url}/`, { 'accept-encoding': coding });
      expect(page.headers['content-encoding']).toBe(coding);
      expect(page.headers.vary).toBe('accept-encoding');
      expect(page.headers['cache-control']).toBe('no-cache');
      const html = decode[coding](page.body).toString('utf8');
      expect(html).toBe((await rawRequest(`${t.url}/`)).body.toString('utf8'));

      const links = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((match) => match[1]!);
      expect(links.length).toBeGreaterThan(2);
      for (const link of links) {
        const [compressed, plain] = await Promise.all([rawRequest(`${t.url}/${link}`, { 'accept-encoding': coding }), rawRequest(`${t.url}/${link}`)]);
        expect(compressed.headers['cache-control'], link).toBe('public, max-age=31536000, immutable');
        expect(compressed.headers.vary, link).toBe('accept-encoding');
        expect(compressed.headers.etag, link).toBe(plain.headers.etag);
        const body = compressed.headers['content-encoding'] === coding ? decode[coding](compressed.body) : compressed.body;
        expect(body.equals(plain.body), link).toBe(true);
        if (plain.body.byteLength > 1024) expect(compressed.body.byteLength, link).toBeLessThan(plain.body.byteLength * 0.6);
      }
    });

    it('should answer HEAD and 304 for a compressed asset', async () => {
      const get = await rawRequest(`${t.url}/assets/graphql-ws.js`, { 'accept-encoding': 'br' });
      expect(get.headers['content-encoding']).toBe('br');
      const head = await rawRequest(`${t.url}/assets/graphql-ws.js`, { 'accept-encoding': 'br' }, 'HEAD');
      expect(head.headers['content-length']).toBe(get.headers['content-length']);
      expect(head.body.byteLength).toBe(0);
      const again = await rawRequest(`${t.url}/assets/graphql-ws.js`, { 'accept-encoding': 'br', 'if-none-match': get.headers.etag! });
      expect(again.status).toBe(304);
    });
  });
});
