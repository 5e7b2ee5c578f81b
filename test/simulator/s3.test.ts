// The simulator's S3 through the real @aws-sdk/client-s3 (path-style, as the gateway uses it):
// PutObject with the SDK's default checksums (header and aws-chunked trailer), ranged and
// conditional GetObject, HeadObject, ListObjectsV2 paging, presigned GETs fetched with plain
// fetch, access denials, and SigV4 as S3 checks it.
import { createHash, createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  paginateListObjectsV2,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, type Simulator } from '../../src/simulator/index.ts';
import { errorOf, s3ClientFor, Sha256, useSimulator } from './harness.ts';

const BUCKET = 'test-bucket';

let sim: Simulator;
let s3: S3Client;
beforeAll(async () => {
  sim = await useSimulator();
  s3 = s3ClientFor(sim);
  sim.s3.createBucket(BUCKET);
});
beforeEach(() => sim.s3.reset());

const text = async (body: { transformToString(): Promise<string> } | undefined) => (await body?.transformToString()) ?? '';
const bytes = async (body: { transformToByteArray(): Promise<Uint8Array> } | undefined) => Buffer.from((await body?.transformToByteArray()) ?? []);
const md5 = (data: string | Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;

describe('PutObject', () => {
  it('should store a body sent with the SDK default CRC32 header and give its checksum back on a full GET', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'put/plain.jsonl', Body: '{"a":1}\n' }));
    expect(put.ETag).toBe(md5('{"a":1}\n'));
    expect(put.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    expect(sim.s3.getObject(BUCKET, 'put/plain.jsonl')?.toString()).toBe('{"a":1}\n');
    // The SDK asks for checksum mode and validates the body against what comes back.
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'put/plain.jsonl' }));
    expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
    expect(await text(got.Body)).toBe('{"a":1}\n');
    expect(sim.s3.stats().bytesReceived).toBe(8);
  });

  it('should decode an aws-chunked stream with a trailing checksum, for every algorithm the SDK offers', async () => {
    const payload = Buffer.from('é'.repeat(9000) + 'tail', 'utf8');
    const parts = [payload.subarray(0, 8192), payload.subarray(8192, 16384), payload.subarray(16384)];
    for (const algorithm of [undefined, 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
      const key = `put/streamed-${algorithm ?? 'default'}`;
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Readable.from(parts), ContentLength: payload.length, ChecksumAlgorithm: algorithm }),
      );
      expect(sim.s3.getObject(BUCKET, key)?.equals(payload), key).toBe(true);
    }
  });

  it('should answer BadDigest when the checksum does not match the body', async () => {
    const error = await errorOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'put/bad', Body: 'hello', ChecksumCRC32: 'AAAAAA==' })));
    expect(error.name).toBe('BadDigest');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(sim.s3.getObject(BUCKET, 'put/bad')).toBeUndefined();
  });

  it('should refuse a streamed chunk under 8 KiB that is not the last one, as S3 does', async () => {
    const body = Readable.from([Buffer.alloc(100, 'a'), Buffer.alloc(100, 'b')]);
    // The SDK logs a warning of its own for a failed streaming request; this one is expected.
    const quiet = s3ClientFor(sim, { logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const error = await errorOf(quiet.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'put/small-chunks', Body: body, ContentLength: 200 })));
    expect(error.name).toBe('InvalidChunkSizeError');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('should answer NoSuchBucket for a bucket that does not exist, and honour If-None-Match: *', async () => {
    const missing = await errorOf(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })));
    expect(missing).toBeInstanceOf(NoSuchBucket);
    expect(missing.$metadata.httpStatusCode).toBe(404);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'put/once', Body: 'first', IfNoneMatch: '*' }));
    const again = await errorOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'put/once', Body: 'second', IfNoneMatch: '*' })));
    expect(again.name).toBe('PreconditionFailed');
    expect(again.$metadata.httpStatusCode).toBe(412);
    expect(sim.s3.getObject(BUCKET, 'put/once')?.toString()).toBe('first');
  });
});

describe('GetObject and HeadObject', () => {
  // "a€b😀c": € is 3 bytes (E2 82 AC), 😀 is 4 (F0 9F 98 80).
  const content = 'a€b😀c';
  const whole = Buffer.from(content, 'utf8');
  beforeAll(() => {
    sim.s3.putObject(BUCKET, 'get/utf8.txt', content, { contentType: 'text/plain; charset=utf-8' });
  });

  it('should answer a range with 206, Content-Range and exactly those bytes, even across a UTF-8 character', async () => {
    sim.s3.reset();
    const first = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'get/utf8.txt', Range: 'bytes=0-1' }));
    expect(first.$metadata.httpStatusCode).toBe(206);
    expect(first.ContentRange).toBe(`bytes 0-1/${whole.length}`);
    expect(first.ContentLength).toBe(2);
    const head = await bytes(first.Body);
    expect(head).toEqual(Buffer.from([0x61, 0xe2]));
    const rest = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'get/utf8.txt', Range: 'bytes=2-' }));
    expect(rest.ContentRange).toBe(`bytes 2-${whole.length - 1}/${whole.length}`);
    const tail = await bytes(rest.Body);
    expect(Buffer.concat([head, tail]).toString('utf8')).toBe(content);
    const suffix = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'get/utf8.txt', Range: 'bytes=-5' }));
    expect((await bytes(suffix.Body)).toString('utf8')).toBe('😀c');
    // A range is answered without the whole object's checksum.
    expect(suffix.ChecksumCRC64NVME).toBeUndefined();
    expect(sim.s3.stats()).toMatchObject({ bytesServed: 2 + (whole.length - 2) + 5, requests: { GetObject: 3 } });
  });

  it('should answer 416 InvalidRange for a range that starts past the end', async () => {
    const error = await errorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'get/utf8.txt', Range: `bytes=${whole.length}-` })));
    expect(error.name).toBe('InvalidRange');
    expect(error.$metadata.httpStatusCode).toBe(416);
    expect((error as S3ServiceException & { ActualObjectSize?: string }).ActualObjectSize).toBe(String(whole.length));
  });

  it('should send ETag, Last-Modified, Content-Length and Content-Type, and the full-object checksum S3 computed', async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'get/utf8.txt' }));
    expect(got.ETag).toBe(md5(whole));
    expect(got.ContentLength).toBe(whole.length);
    expect(got.ContentType).toBe('text/plain; charset=utf-8');
    expect(got.AcceptRanges).toBe('bytes');
    expect(got.LastModified).toBeInstanceOf(Date);
    expect(got.ChecksumCRC64NVME).toMatch(/^[A-Za-z0-9+/]{11}=$/);
    expect(await text(got.Body)).toBe(content);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'get/utf8.txt' }));
    expect(head).toMatchObject({ ETag: got.ETag, ContentLength: whole.length, ContentType: 'text/plain; charset=utf-8' });
    expect(head.LastModified?.getTime()).toBe(got.LastModified?.getTime());
  });

  it('should answer NoSuchKey (404) to GetObject and a bodiless 404 to HeadObject for a missing key', async () => {
    const error = await errorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'get/missing' })));
    expect(error).toBeInstanceOf(NoSuchKey);
    expect(error.$metadata.httpStatusCode).toBe(404);
    const head = await errorOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'get/missing' })));
    expect(head.name).toBe('NotFound');
    expect(head.$metadata.httpStatusCode).toBe(404);
  });

  it('should answer 304 to If-None-Match with the current ETag and 412 to If-Match with another', async () => {
    const etag = md5(whole);
    const notModified = await errorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'get/utf8.txt', IfNoneMatch: etag })));
    expect(notModified.$metadata.httpStatusCode).toBe(304);
    const failed = await errorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'get/utf8.txt', IfMatch: '"0123"' })));
    expect(failed.name).toBe('PreconditionFailed');
    expect(failed.$metadata.httpStatusCode).toBe(412);
  });
});

describe('ListObjectsV2', () => {
  beforeAll(() => {
    for (let i = 0; i < 25; i++) sim.s3.putObject(BUCKET, `list/records-${String(i).padStart(2, '0')}.jsonl`, `${i}\n`);
    sim.s3.putObject(BUCKET, 'list/sub/a.jsonl', 'a');
    sim.s3.putObject(BUCKET, 'list/sub/b.jsonl', 'b');
    sim.s3.putObject(BUCKET, 'list/zz/c.jsonl', 'c');
  });

  it('should page with max-keys and continuation tokens, in key order, every key once', async () => {
    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 10 }, { Bucket: BUCKET, Prefix: 'list/records-' })) {
      expect(page.KeyCount).toBe(page.Contents?.length);
      pages.push((page.Contents ?? []).map((object) => object.Key as string));
    }
    expect(pages.map((keys) => keys.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, i) => `list/records-${String(i).padStart(2, '0')}.jsonl`));
    const first = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/records-', MaxKeys: 1 }));
    expect(first).toMatchObject({ IsTruncated: true, MaxKeys: 1, KeyCount: 1, Prefix: 'list/records-' });
    expect(first.Contents?.[0]).toMatchObject({ Key: 'list/records-00.jsonl', Size: 2, ETag: md5('0\n'), StorageClass: 'STANDARD' });
  });

  it('should group by delimiter into common prefixes, each counted once across pages', async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/', Delimiter: '/' }));
    expect(listed.Contents).toHaveLength(25);
    expect(listed.CommonPrefixes?.map((common) => common.Prefix)).toEqual(['list/sub/', 'list/zz/']);
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: BUCKET, Prefix: 'list/s', Delimiter: '/', StartAfter: 'list/records-99' })) {
      keys.push(...(page.Contents ?? []).map((object) => object.Key as string), ...(page.CommonPrefixes ?? []).map((common) => common.Prefix as string));
    }
    expect(keys).toEqual(['list/sub/']);
  });

  it('should order keys by their UTF-8 bytes, as S3 does', async () => {
    for (const key of ['order/😀', 'order/\uffff', 'order/z']) sim.s3.putObject(BUCKET, key, key);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'order/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['order/z', 'order/\uffff', 'order/😀']);
  });

  it('should answer InvalidArgument to a continuation token it did not give, and NoSuchBucket to a missing bucket', async () => {
    const error = await errorOf(s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: 'not-a-token' })));
    expect(error.name).toBe('InvalidArgument');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(await errorOf(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })))).toBeInstanceOf(NoSuchBucket);
  });
});

describe('presigned GET', () => {
  beforeAll(() => {
    sim.s3.putObject(BUCKET, 'presigned/out put+1.jsonl.out', 'line one\nline two\n');
  });
  const command = (key = 'presigned/out put+1.jsonl.out', extra = {}) => new GetObjectCommand({ Bucket: BUCKET, Key: key, ...extra });

  it('should serve a presigned URL to plain fetch, with response header overrides', async () => {
    const url = await getSignedUrl(s3, command(undefined, { ResponseContentDisposition: 'attachment; filename="out.jsonl"' }), { expiresIn: 900 });
    expect(url).toContain('X-Amz-Expires=900');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="out.jsonl"');
    expect(await response.text()).toBe('line one\nline two\n');
    const ranged = await fetch(url, { headers: { range: 'bytes=5-7' } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('one');
  });

  it('should answer SignatureDoesNotMatch to a URL changed after signing, and AccessDenied once it expired', async () => {
    const url = await getSignedUrl(s3, command(), { expiresIn: 900 });
    const tampered = await fetch(url.replace('out%20put', 'in%20put'));
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get('content-type')).toBe('application/xml');
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');

    const stale = await getSignedUrl(s3, command(), { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
    const expired = await fetch(stale);
    expect(expired.status).toBe(403);
    const body = await expired.text();
    expect(body).toContain('<Code>AccessDenied</Code>');
    expect(body).toContain('<Message>Request has expired</Message>');

    const tooLong = await fetch(url.replace('X-Amz-Expires=900', 'X-Amz-Expires=604801'));
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('<Code>AuthorizationQueryParametersError</Code>');
  });
});

describe('access', () => {
  beforeAll(() => {
    sim.s3.createBucket('denied-bucket');
    sim.s3.putObject('denied-bucket', 'output/job/records.jsonl.out', 'x');
    sim.s3.putObject('denied-bucket', 'input/records.jsonl', 'y');
  });

  it('should answer AccessDenied to every operation on a denied bucket, until reset()', async () => {
    sim.s3.deny('denied-bucket');
    const attempts = [
      () => s3.send(new GetObjectCommand({ Bucket: 'denied-bucket', Key: 'output/job/records.jsonl.out' })),
      () => s3.send(new ListObjectsV2Command({ Bucket: 'denied-bucket', Prefix: 'output/' })),
      () => s3.send(new PutObjectCommand({ Bucket: 'denied-bucket', Key: 'input/retries/r.jsonl', Body: 'z' })),
      // Also for keys that do not exist: S3 checks access first.
      () => s3.send(new GetObjectCommand({ Bucket: 'denied-bucket', Key: 'nothing-here' })),
    ];
    for (const attempt of attempts) {
      const error = await errorOf(attempt());
      expect(error.name).toBe('AccessDenied');
      expect(error.$metadata.httpStatusCode).toBe(403);
    }
    const head = await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'denied-bucket', Key: 'input/records.jsonl' })));
    expect(head.$metadata.httpStatusCode).toBe(403);
    expect(sim.s3.stats().denied).toBe(5);
    sim.s3.reset();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'denied-bucket', Key: 'output/job/records.jsonl.out' }));
    expect(await text(got.Body)).toBe('x');
  });

  it('should deny only under a prefix when given one', async () => {
    sim.s3.deny('denied-bucket', 'output/');
    expect((await errorOf(s3.send(new GetObjectCommand({ Bucket: 'denied-bucket', Key: 'output/job/records.jsonl.out' })))).name).toBe('AccessDenied');
    expect((await errorOf(s3.send(new ListObjectsV2Command({ Bucket: 'denied-bucket', Prefix: 'output/job/' })))).name).toBe('AccessDenied');
    expect(await text((await s3.send(new GetObjectCommand({ Bucket: 'denied-bucket', Key: 'input/records.jsonl' }))).Body)).toBe('y');
    // Listing the whole bucket is not listing the denied prefix.
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'denied-bucket' }))).KeyCount).toBe(2);
  });
});

describe('SigV4', () => {
  it('should answer SignatureDoesNotMatch (403) to a wrong secret and InvalidAccessKeyId to an unknown key', async () => {
    const impostor = s3ClientFor(sim, { credentials: { accessKeyId: SIMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: 'guess' } });
    const wrong = await errorOf(impostor.send(new ListObjectsV2Command({ Bucket: BUCKET })));
    expect(wrong.name).toBe('SignatureDoesNotMatch');
    expect(wrong.$metadata.httpStatusCode).toBe(403);
    const stranger = s3ClientFor(sim, { credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' } });
    const unknown = await errorOf(stranger.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'get/utf8.txt' })));
    expect(unknown.name).toBe('InvalidAccessKeyId');
    expect(unknown.$metadata.httpStatusCode).toBe(403);
  });

  it('should answer AuthorizationHeaderMalformed to another region and AccessDenied to an unsigned request', async () => {
    const elsewhere = s3ClientFor(sim, { region: 'eu-west-1' });
    const error = await errorOf(elsewhere.send(new ListObjectsV2Command({ Bucket: BUCKET })));
    expect(error.name).toBe('AuthorizationHeaderMalformed');
    expect(error.$metadata.httpStatusCode).toBe(400);
    const anonymous = await fetch(`${sim.url}/${BUCKET}/get/utf8.txt`);
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
    expect(await anonymous.text()).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message><RequestId>/);
  });

  it('should answer XAmzContentSHA256Mismatch to a body other than the one signed', async () => {
    const signed = await signS3('PUT', `/${BUCKET}/sig/tampered`, { body: 'signed body' });
    const response = await fetch(`${sim.url}/${BUCKET}/sig/tampered`, { method: 'PUT', headers: signed.headers, body: 'other body!' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(sim.s3.getObject(BUCKET, 'sig/tampered')).toBeUndefined();
  });

  it('should answer BadDigest to an aws-chunked body whose trailing checksum does not match', async () => {
    const { headers } = await signS3('PUT', `/${BUCKET}/sig/trailer`, {
      contentSha: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5', 'x-amz-trailer': 'x-amz-checksum-crc32' },
    });
    const send = (checksum: string) =>
      fetch(`${sim.url}/${BUCKET}/sig/trailer`, { method: 'PUT', headers, body: `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${checksum}\r\n\r\n` });
    const wrong = await send('AAAAAA==');
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('<Code>BadDigest</Code>');
    expect(sim.s3.getObject(BUCKET, 'sig/trailer')).toBeUndefined();
    // CRC32("hello") = 0x3610a686.
    const right = await send(Buffer.from([0x36, 0x10, 0xa6, 0x86]).toString('base64'));
    expect(right.status).toBe(200);
    expect(right.headers.get('x-amz-checksum-crc32')).toBe('NhCmhg==');
    expect(sim.s3.getObject(BUCKET, 'sig/trailer')?.toString()).toBe('hello');
  });

  it('should check each chunk signature of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body', async () => {
    const chunks = [Buffer.alloc(8192, 'a'), Buffer.from('the last chunk')];
    const good = await signedChunkedPut(`/${BUCKET}/sig/chunked`, chunks);
    expect(good.status).toBe(200);
    expect(sim.s3.getObject(BUCKET, 'sig/chunked')?.equals(Buffer.concat(chunks))).toBe(true);
    const bad = await signedChunkedPut(`/${BUCKET}/sig/chunked-tampered`, chunks, (body) => body.toString('latin1').replace('the last', 'THE LAST'));
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

/** Headers for a request signed as the S3 client signs it (path as sent, x-amz-content-sha256 given). */
async function signS3(method: string, path: string, options: { body?: string; contentSha?: string; headers?: Record<string, string> } = {}) {
  const url = new URL(sim.url);
  const signer = new SignatureV4({ service: 's3', region: SIMULATOR_REGION, credentials: SIMULATOR_CREDENTIALS, sha256: Sha256, uriEscapePath: false });
  const contentSha = options.contentSha ?? createHash('sha256').update(options.body ?? '').digest('hex');
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path,
    headers: { host: url.host, 'x-amz-content-sha256': contentSha, ...options.headers },
    body: options.body,
  });
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host'));
  const date = signed.headers['x-amz-date'] as string;
  const seed = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization as string)?.[1] as string;
  return { headers, date, seed };
}

/** A PutObject whose body is aws-chunked with chunk signatures, built by hand as the S3 streaming guide describes. */
async function signedChunkedPut(path: string, chunks: Buffer[], tamper?: (body: Buffer) => string): Promise<Response> {
  const decoded = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  // Every chunk header carries a 64-hex signature, so the encoded length is known before signing.
  const encodedLength = [...chunks, Buffer.alloc(0)].reduce((sum, chunk) => sum + `${chunk.length.toString(16)};chunk-signature=`.length + 64 + 2 + chunk.length + 2, 0);
  const { headers, date, seed } = await signS3('PUT', path, {
    contentSha: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(decoded), 'content-length': String(encodedLength) },
  });
  let key: Buffer = Buffer.from(`AWS4${SIMULATOR_CREDENTIALS.secretAccessKey}`);
  for (const part of [date.slice(0, 8), SIMULATOR_REGION, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const scope = `${date.slice(0, 8)}/${SIMULATOR_REGION}/s3/aws4_request`;
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  let previous = seed;
  const parts: Buffer[] = [];
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', date, scope, previous, sha(Buffer.alloc(0)), sha(chunk)].join('\n');
    previous = createHmac('sha256', key).update(stringToSign).digest('hex');
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), chunk, Buffer.from('\r\n'));
  }
  const body = Buffer.concat(parts);
  expect(body.length).toBe(encodedLength);
  return fetch(`${sim.url}${path}`, { method: 'PUT', headers, body: tamper ? tamper(body) : body });
}
