// The simulator's S3 face on the Bedrock simulator's port, path-style (`/<bucket>/<key>`):
// read the body, authenticate (SigV4 header or presigned query), route to ListObjectsV2,
// GetObject, HeadObject or PutObject, apply `deny()`, and write the answer the way S3 does —
// XML errors with S3's codes, no body for HEAD and 304, GetObject bodies streamed with
// backpressure and counted as they are handed to the network.
import { readBody } from '../read-body.ts';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { SignedRequest } from '../sigv4.ts';
import { getObject } from './get-object.ts';
import { listObjectsV2 } from './list-objects-v2.ts';
import type { ObjectStore } from './object-store.ts';
import { putObject } from './put-object.ts';
import type { S3Access } from './s3-access.ts';
import type { S3Authenticator } from './s3-auth.ts';
import { accessDenied, S3Error } from './s3-error.ts';
import type { S3Request, S3Response } from './s3-request.ts';
import type { S3Operation, S3StatsRecorder } from './s3-stats.ts';

/** Largest PutObject body accepted (S3 takes 5 GB in one PUT; the simulator holds objects in memory). */
export const MAX_PUT_BYTES = 64 * 1024 * 1024;
/** Size of the writes a GetObject body is streamed in. */
const WRITE_CHUNK_BYTES = 64 * 1024;
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Query parameters naming S3 features the simulator does not have (ACLs, versions, multipart, …). */
const UNSUPPORTED_SUBRESOURCES = new Set([
  'acl', 'attributes', 'cors', 'delete', 'legal-hold', 'lifecycle', 'location', 'object-lock', 'partNumber', 'policy',
  'restore', 'retention', 'select', 'tagging', 'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website',
]);

export interface S3HandlerParts {
  store: ObjectStore;
  access: S3Access;
  stats: S3StatsRecorder;
  authenticate: S3Authenticator;
  logger?: Logger;
}

/** The request as the server parsed it before telling S3 from Bedrock. */
export interface RoutedRequest {
  rawPath: string;
  query: [string, string][];
}

export type S3Handler = (req: IncomingMessage, res: ServerResponse, routed: RoutedRequest) => Promise<void>;

export function createS3Handler({ store, access, stats, authenticate, logger }: S3HandlerParts): S3Handler {
  return async (req, res, { rawPath, query }) => {
    const started = performance.now();
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const hostId = randomBytes(48).toString('base64');
    const method = req.method ?? 'GET';
    let operation: S3Operation | undefined;
    try {
      const body = await readBody(
        req,
        MAX_PUT_BYTES,
        (size) => new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: size, MaxSizeAllowed: MAX_PUT_BYTES }),
      );
      const signed: SignedRequest = { method, rawPath, query, headers: req.headers, body };
      const payload = await authenticate(signed);
      const { bucket, key } = parsePath(rawPath);
      const params = new Map<string, string>();
      for (const [name, value] of query) if (!params.has(name)) params.set(name, value);
      operation = route(method, key, params);
      stats.request(operation);
      const request: S3Request = { method, bucket, key, query: params, headers: req.headers, body, payload };
      const denied = operation === 'ListObjectsV2' ? access.deniesList(bucket, params.get('prefix') ?? '') : access.deniesKey(bucket, key);
      if (denied) {
        stats.denied();
        throw accessDenied();
      }
      const response = run(operation, request);
      await send(res, response, requestId, hostId, operation === 'GetObject' ? stats.served : undefined);
    } catch (error) {
      const failure = error instanceof S3Error ? error : new S3Error('InternalError', 'We encountered an internal error. Please try again.');
      if (res.destroyed) return;
      if (!(error instanceof S3Error)) logger?.error({ err: error, operation }, 'simulator S3 request failed');
      const headless = method === 'HEAD' || failure.statusCode === 304;
      await send(
        res,
        { status: failure.statusCode, headers: { 'content-type': 'application/xml', ...failure.headers }, ...(headless ? {} : { body: failure.toXml(requestId, hostId) }) },
        requestId,
        hostId,
      );
    } finally {
      logger?.debug(
        { service: 's3', operation, method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'simulator request',
      );
    }

    function run(op: S3Operation, request: S3Request): S3Response {
      switch (op) {
        case 'ListObjectsV2':
          return listObjectsV2(store, request);
        case 'GetObject':
        case 'HeadObject':
          return getObject(store, request);
        case 'PutObject': {
          const { response, storedBytes } = putObject(store, request);
          stats.received(storedBytes);
          return response;
        }
      }
    }
  };
}

/** `/<bucket>[/<key>]`, both percent-decoded; the bucket name checked as S3 checks it. */
function parsePath(rawPath: string): { bucket: string; key: string } {
  const slash = rawPath.indexOf('/', 1);
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash));
    key = slash < 0 ? '' : decodeURIComponent(rawPath.slice(slash + 1));
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", { URI: rawPath });
  }
  if (bucket === '') throw new S3Error('NotImplemented', 'ListBuckets is not implemented by the simulator.');
  if (!BUCKET_PATTERN.test(bucket) || bucket.includes('..')) throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
  if (Buffer.byteLength(key) > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', { MaxSizeAllowed: 1024, Size: Buffer.byteLength(key) });
  return { bucket, key };
}

function route(method: string, key: string, query: ReadonlyMap<string, string>): S3Operation {
  for (const name of query.keys()) {
    if (UNSUPPORTED_SUBRESOURCES.has(name)) throw new S3Error('NotImplemented', `The simulator does not implement the ${name} subresource.`);
  }
  if (key === '') {
    if (method === 'GET' && query.get('list-type') === '2') return 'ListObjectsV2';
    if (method === 'GET') throw new S3Error('NotImplemented', 'Only ListObjectsV2 (list-type=2) is implemented by the simulator.');
    throw new S3Error('NotImplemented', `${method} on a bucket is not implemented by the simulator.`);
  }
  switch (method) {
    case 'GET':
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      return 'PutObject';
    case 'POST':
    case 'DELETE':
      throw new S3Error('NotImplemented', `${method} on an object is not implemented by the simulator.`);
    default:
      throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', { Method: method, ResourceType: 'OBJECT' });
  }
}


/** Writes the answer; a body in chunks that wait for the network, each counted once written. */
async function send(res: ServerResponse, response: S3Response, requestId: string, hostId: string, counted?: (bytes: number) => void): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.writeHead(response.status, {
    'x-amz-request-id': requestId,
    'x-amz-id-2': hostId,
    server: 'AmazonS3',
    ...(body && !('content-length' in response.headers) ? { 'content-length': String(body.length) } : {}),
    ...response.headers,
  });
  if (!body || body.length === 0) {
    res.end();
    return;
  }
  for (let at = 0; at < body.length && !res.destroyed; at += WRITE_CHUNK_BYTES) {
    const chunk = body.subarray(at, at + WRITE_CHUNK_BYTES);
    const flowing = res.write(chunk, (error) => {
      if (!error) counted?.(chunk.length);
    });
    if (!flowing) await drained(res);
  }
  if (!res.destroyed) res.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
