// ListObjectsV2 (GET /<bucket>?list-type=2): prefix, delimiter, max-keys (at most 1000),
// continuation-token, start-after, encoding-type=url, fetch-owner; answered as S3's
// ListBucketResult XML. The continuation token is opaque to clients: here, the last entry listed.
import { SIMULATOR_ACCOUNT_ID } from '../simulated-job.ts';
import type { ObjectStore } from './object-store.ts';
import { noSuchBucket, S3Error } from './s3-error.ts';
import type { S3Request, S3Response } from './s3-request.ts';
import { xmlElement, xmlTimestamp } from './s3-xml.ts';

const MAX_KEYS = 1000;
/** The canonical user id S3 shows as the owner of every object here. */
const OWNER_ID = Buffer.from(SIMULATOR_ACCOUNT_ID).toString('hex').padEnd(64, '0');

export function listObjectsV2(store: ObjectStore, request: S3Request): S3Response {
  const { query } = request;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const startAfter = query.get('start-after');
  const encodingType = query.get('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: encodingType });
  }
  const maxKeysText = query.get('max-keys');
  let maxKeys = MAX_KEYS;
  if (maxKeysText !== undefined) {
    if (!/^\d{1,10}$/.test(maxKeysText) || Number(maxKeysText) > 2 ** 31 - 1) {
      throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys', ArgumentValue: maxKeysText });
    }
    maxKeys = Math.min(MAX_KEYS, Number(maxKeysText));
  }
  const token = query.get('continuation-token');
  const resume = token === undefined ? undefined : decodeToken(token);

  const page = store.list(request.bucket, { prefix, delimiter, startAfter, after: resume?.after, afterPrefix: resume?.afterPrefix, maxKeys });
  if (!page) throw noSuchBucket(request.bucket);
  const encode = encodingType === 'url' ? urlEncode : (text: string) => text;
  const owner = query.get('fetch-owner') === 'true' ? `<Owner>${xmlElement('ID', OWNER_ID)}</Owner>` : '';
  const parts = [
    xmlElement('Name', request.bucket),
    xmlElement('Prefix', encode(prefix)),
    ...(delimiter === '' ? [] : [xmlElement('Delimiter', encode(delimiter))]),
    xmlElement('MaxKeys', String(maxKeys)),
    xmlElement('KeyCount', String(page.objects.length + page.commonPrefixes.length)),
    xmlElement('IsTruncated', String(page.next !== undefined)),
    ...(token === undefined ? [] : [xmlElement('ContinuationToken', token)]),
    ...(page.next ? [xmlElement('NextContinuationToken', encodeToken(page.next))] : []),
    ...(startAfter === undefined ? [] : [xmlElement('StartAfter', encode(startAfter))]),
    ...(encodingType === undefined ? [] : [xmlElement('EncodingType', encodingType)]),
    ...page.objects.map(
      (object) =>
        `<Contents>${[
          xmlElement('Key', encode(object.key)),
          xmlElement('LastModified', xmlTimestamp(object.lastModified)),
          xmlElement('ETag', object.etag),
          xmlElement('ChecksumAlgorithm', object.checksumAlgorithm),
          xmlElement('ChecksumType', 'FULL_OBJECT'),
          xmlElement('Size', String(object.size)),
          owner,
          xmlElement('StorageClass', 'STANDARD'),
        ].join('')}</Contents>`,
    ),
    ...page.commonPrefixes.map((common) => `<CommonPrefixes>${xmlElement('Prefix', encode(common))}</CommonPrefixes>`),
  ];
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</ListBucketResult>`;
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

/** S3's encoding-type=url: form-style percent-encoding that leaves '/' alone. */
function urlEncode(text: string): string {
  return encodeURIComponent(text).replace(/%2F/g, '/').replace(/%20/g, '+');
}

function encodeToken(next: { after: string; afterPrefix: boolean }): string {
  return Buffer.from(JSON.stringify([next.after, next.afterPrefix ? 1 : 0])).toString('base64');
}

function decodeToken(token: string): { after: string; afterPrefix: boolean } {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && (value[1] === 0 || value[1] === 1)) {
      return { after: value[0], afterPrefix: value[1] === 1 };
    }
  } catch {
    // fall through: any undecodable token is the caller's error
  }
  throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token', ArgumentValue: token });
}
