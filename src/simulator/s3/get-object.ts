// GetObject and HeadObject: conditional requests (If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since, in S3's order of precedence), one byte range (`bytes=a-b`, `a-`, `-n`;
// 206 with Content-Range, 416 InvalidRange when it starts past the end), the response-*
// overrides presigned download links use, and the full-object checksum when asked for.
import type { ObjectStore, S3Object } from './object-store.ts';
import { checksumHeader } from './checksums.ts';
import { noSuchBucket, noSuchKey, S3Error } from './s3-error.ts';
import { header, type S3Request, type S3Response } from './s3-request.ts';
import { httpDate } from './s3-xml.ts';

/** Query parameters that override a GetObject response header. */
const RESPONSE_OVERRIDES: Readonly<Record<string, string>> = {
  'response-content-type': 'content-type',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
  'response-content-language': 'content-language',
  'response-cache-control': 'cache-control',
  'response-expires': 'expires',
};

/** GetObject, or HeadObject when the request is a HEAD (same headers, no body). */
export function getObject(store: ObjectStore, request: S3Request): S3Response {
  const object = store.get(request.bucket, request.key);
  if (!object) throw store.hasBucket(request.bucket) ? noSuchKey(request.key) : noSuchBucket(request.bucket);
  const notModified = checkConditions(object, request);
  const headers: Record<string, string> = {
    'last-modified': httpDate(object.lastModified),
    etag: object.etag,
    'accept-ranges': 'bytes',
    'content-type': object.contentType,
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  if (notModified) return { status: 304, headers };

  const size = object.size;
  const range = parseRange(header(request, 'range'), size);
  for (const [parameter, name] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = request.query.get(parameter);
    if (value !== undefined) headers[name] = value;
  }
  const head = request.method === 'HEAD';
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    return { status: 206, headers, ...(head ? {} : { body: object.body().subarray(range.start, range.end + 1) }) };
  }
  // Only a whole object has a checksum to give; S3 leaves it out of ranged answers.
  if (header(request, 'x-amz-checksum-mode').toUpperCase() === 'ENABLED' || request.query.get('x-amz-checksum-mode') === 'ENABLED') {
    const checksum = object.checksum();
    headers[checksumHeader(checksum.algorithm)] = checksum.value;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  headers['content-length'] = String(size);
  return { status: 200, headers, ...(head ? {} : { body: object.body() }) };
}

/** Throws PreconditionFailed, or returns true for a 304, as S3 evaluates the four conditions. */
function checkConditions(object: S3Object, request: S3Request): boolean {
  const ifMatch = header(request, 'if-match');
  const ifNoneMatch = header(request, 'if-none-match');
  const ifModifiedSince = parseHttpDate(header(request, 'if-modified-since'));
  const ifUnmodifiedSince = parseHttpDate(header(request, 'if-unmodified-since'));
  const modified = Math.floor(object.lastModified.getTime() / 1000) * 1000;
  if (ifMatch !== '') {
    if (!etagListMatches(ifMatch, object.etag)) throw preconditionFailed('If-Match');
  } else if (ifUnmodifiedSince !== undefined && modified > ifUnmodifiedSince) {
    throw preconditionFailed('If-Unmodified-Since');
  }
  if (ifNoneMatch !== '') return etagListMatches(ifNoneMatch, object.etag);
  return ifModifiedSince !== undefined && modified <= ifModifiedSince;
}

function etagListMatches(list: string, etag: string): boolean {
  return list.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag || `"${tag}"` === etag;
  });
}

function parseHttpDate(value: string): number | undefined {
  if (value === '') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

function preconditionFailed(condition: string): S3Error {
  return new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: condition });
}

/**
 * The one range asked for, clamped to the object; undefined to answer the whole object (no
 * Range, a malformed one, or several, which S3 does not serve). Throws InvalidRange when it
 * starts at or past the end.
 */
export function parseRange(value: string, size: number): { start: number; end: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw invalidRange(value, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return undefined;
    if (start >= size) throw invalidRange(value, size);
  }
  return { start, end };
}

function invalidRange(value: string, size: number): S3Error {
  return new S3Error(
    'InvalidRange',
    'The requested range is not satisfiable',
    { RangeRequested: value, ActualObjectSize: size },
    { 'content-range': `bytes */${size}` },
  );
}
