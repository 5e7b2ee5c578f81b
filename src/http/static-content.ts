// A body that never changes while the gateway runs (a dashboard file, the GraphiQL page), served
// in the coding the request accepts best (accept-encoding.ts), with an ETag, 304s and HEAD. Each
// compressed form is made once, on first use, off the event loop (zlib's thread pool), and kept:
// no request ever pays for compression but the first of its coding, and a gateway whose page is
// never opened never compresses it.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { negotiateContentCoding, type ContentCoding } from './accept-encoding.ts';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Brotli's best quality (11) takes 15 s for GraphiQL's 9 MB page on one core, which its first
 * visitor would wait for; quality 6 takes 0.3 s for a result 11% larger (21% of the page instead
 * of 19%; gzip: 27%). Files up to this size get the best (a dashboard module: milliseconds).
 */
const BROTLI_BEST_QUALITY_MAX_BYTES = 1024 * 1024;
const BROTLI_LARGE_BODY_QUALITY = 6;

export interface StaticContentOptions {
  /** The Content-Type of every answer, e.g. `text/html; charset=utf-8`. */
  contentType: string;
}

export interface StaticContent {
  /** A short hash of the body: its ETag (quoted), and what makes a `?v=` URL immutable. */
  readonly version: string;
  /**
   * 200 with the body in the best coding `request` accepts, or 304 when its If-None-Match holds
   * the ETag; HEAD gets the headers of the GET without the body. `headers` (cache-control,
   * security headers) are added to every answer. Rejects only if zlib fails.
   */
  respond(request: Request, headers?: Record<string, string>): Promise<Response>;
  /** The body in `coding`: the identity bytes when compressing would not make them smaller. */
  encoded(coding: ContentCoding): Promise<Uint8Array<ArrayBuffer>>;
}

export function createStaticContent(body: Uint8Array<ArrayBuffer>, { contentType }: StaticContentOptions): StaticContent {
  const version = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  // One ETag for every coding: it names the content, not its transfer form. `Vary:
  // accept-encoding` keeps caches' copies of each coding apart, and with no Range support there
  // are no byte ranges of one coding to mix with another's.
  const etag = `"${version}"`;
  const encodings = new Map<CompressedCoding, Promise<Uint8Array<ArrayBuffer>>>();
  const encoded = (coding: ContentCoding) => {
    if (coding === 'identity') return Promise.resolve(body);
    let bytes = encodings.get(coding);
    if (!bytes) {
      bytes = compress(body, coding).then((compressed) => (compressed.byteLength < body.byteLength ? compressed : body));
      // A failure is not kept: the next request tries again.
      bytes.catch(() => encodings.delete(coding));
      encodings.set(coding, bytes);
    }
    return bytes;
  };

  return {
    version,
    encoded,
    async respond(request, headers = {}) {
      const common = { ...headers, 'content-type': contentType, etag, vary: 'accept-encoding' };
      if (matchesEtag(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers: common });
      const coding = negotiateContentCoding(request.headers.get('accept-encoding'));
      const bytes = await encoded(coding);
      const answer: Record<string, string> = { ...common, 'content-length': String(bytes.byteLength) };
      if (bytes !== body) answer['content-encoding'] = coding;
      return new Response(request.method === 'HEAD' ? null : bytes, { status: 200, headers: answer });
    },
  };
}

type CompressedCoding = Exclude<ContentCoding, 'identity'>;

async function compress(body: Uint8Array, coding: CompressedCoding): Promise<Uint8Array<ArrayBuffer>> {
  switch (coding) {
    case 'gzip':
      return new Uint8Array(await gzipAsync(body, { level: constants.Z_BEST_COMPRESSION }));
    case 'br':
      return new Uint8Array(
        await brotli(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: body.byteLength <= BROTLI_BEST_QUALITY_MAX_BYTES ? constants.BROTLI_MAX_QUALITY : BROTLI_LARGE_BODY_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
          },
        }),
      );
  }
}

/** If-None-Match's weak comparison (RFC 9110 §13.1.2): `*`, or the tag with or without `W/`. */
function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}
