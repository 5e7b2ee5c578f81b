// PutObject: the body as sent (plain, or aws-chunked with a trailing checksum, as SDK v3 streams
// it), checked against Content-MD5, x-amz-checksum-* and x-amz-decoded-content-length the way S3
// checks them, with conditional writes (If-None-Match: *, If-Match), then stored whole.
import { algorithmOfHeader, checksumHeader, computeChecksum, md5Base64, type ChecksumAlgorithm, type ObjectChecksum } from './checksums.ts';
import { decodeAwsChunked } from './aws-chunked.ts';
import type { ObjectStore } from './object-store.ts';
import { noSuchBucket, noSuchKey, S3Error } from './s3-error.ts';
import { header, type S3Request, type S3Response } from './s3-request.ts';

/** Digest sizes in bytes, to tell a malformed checksum from a wrong one. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export function putObject(store: ObjectStore, request: S3Request): { response: S3Response; storedBytes: number } {
  if (!store.hasBucket(request.bucket)) throw noSuchBucket(request.bucket);
  if (header(request, 'x-amz-copy-source') !== '') throw notImplemented('x-amz-copy-source');
  const body = decodeBody(request);
  const checksum = checkIntegrity(request, body.bytes, body.trailers);
  checkWriteConditions(store, request);

  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice('x-amz-meta-'.length)] = value;
  }
  const object = store.put(request.bucket, request.key, body.bytes, {
    // S3's type for an object stored without one.
    contentType: header(request, 'content-type') || 'binary/octet-stream',
    metadata,
    checksum,
  });
  const headers: Record<string, string> = { etag: object.etag, 'content-length': '0' };
  if (checksum) {
    headers[checksumHeader(checksum.algorithm)] = checksum.value;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return { response: { status: 200, headers }, storedBytes: body.bytes.length };
}

/** The object's bytes: the body, or what an aws-chunked body carries, with its trailing headers. */
function decodeBody(request: S3Request): { bytes: Buffer; trailers: Map<string, string> } {
  const { payload } = request;
  if (payload.kind !== 'chunked') {
    if (request.headers['content-length'] === undefined) {
      throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.');
    }
    return { bytes: request.body, trailers: new Map() };
  }
  const declared = header(request, 'x-amz-decoded-content-length');
  if (!/^\d+$/.test(declared)) throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.');
  const decoded = decodeAwsChunked(request.body, { trailer: payload.trailer, chunkSigning: payload.chunkSigning });
  if (decoded.body.length !== Number(declared)) {
    throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', {
      NumberBytesExpected: declared,
      NumberBytesProvided: decoded.body.length,
    });
  }
  return { bytes: decoded.body, trailers: decoded.trailers };
}

/** Checks Content-MD5 and the one flexible checksum (header or trailer); returns the checksum to store. */
function checkIntegrity(request: S3Request, bytes: Buffer, trailers: Map<string, string>): ObjectChecksum | undefined {
  const md5 = header(request, 'content-md5');
  if (md5 !== '') {
    if (Buffer.from(md5, 'base64').length !== 16) throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.', { 'Content-MD5': md5 });
    const computed = md5Base64(bytes);
    if (computed !== md5) {
      throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', { ExpectedDigest: md5, CalculatedDigest: computed });
    }
  }

  const given: { algorithm: ChecksumAlgorithm; value: string }[] = [];
  for (const name of Object.keys(request.headers)) {
    const algorithm = algorithmOfHeader(name);
    if (algorithm) given.push({ algorithm, value: header(request, name) });
  }
  const trailer = header(request, 'x-amz-trailer').toLowerCase();
  if (trailer !== '') {
    const algorithm = algorithmOfHeader(trailer);
    if (!algorithm || request.payload.kind !== 'chunked' || !request.payload.trailer) {
      throw new S3Error('InvalidRequest', `The value specified in the x-amz-trailer header is not supported: ${trailer}`);
    }
    const value = trailers.get(trailer);
    if (value === undefined) throw new S3Error('InvalidRequest', `The x-amz-trailer header names ${trailer}, but the body has no such trailer.`);
    given.push({ algorithm, value });
  }
  if (given.length > 1) throw new S3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const sdkAlgorithm = header(request, 'x-amz-sdk-checksum-algorithm').toUpperCase();
  const [checksum] = given;
  if (sdkAlgorithm !== '' && checksum?.algorithm !== sdkAlgorithm) {
    throw new S3Error(
      'InvalidRequest',
      'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    );
  }
  if (!checksum) return undefined;
  const name = checksumHeader(checksum.algorithm);
  if (Buffer.from(checksum.value, 'base64').length !== DIGEST_BYTES[checksum.algorithm]) {
    throw new S3Error('InvalidRequest', `Value for ${name} header is invalid.`);
  }
  if (computeChecksum(checksum.algorithm, bytes) !== checksum.value) {
    throw new S3Error('BadDigest', `The ${checksum.algorithm} you specified did not match the calculated checksum.`);
  }
  return checksum;
}

/** If-None-Match: * refuses to overwrite; If-Match: <etag> refuses unless the current object has it. */
function checkWriteConditions(store: ObjectStore, request: S3Request): void {
  const existing = store.get(request.bucket, request.key);
  const ifNoneMatch = header(request, 'if-none-match');
  if (ifNoneMatch !== '') {
    if (ifNoneMatch.trim() !== '*') throw notImplemented('If-None-Match');
    if (existing) throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
  }
  const ifMatch = header(request, 'if-match');
  if (ifMatch !== '') {
    if (!existing) throw noSuchKey(request.key);
    const tag = ifMatch.trim();
    if (tag !== existing.etag && `"${tag}"` !== existing.etag) {
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
    }
  }
}

function notImplemented(headerName: string): S3Error {
  return new S3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', { Header: headerName });
}
