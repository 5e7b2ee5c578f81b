// The jobs' S3 input and output as the rest of the gateway reaches it: list, head, ranged and
// whole reads, writes and presigned GET URLs, with S3's failures turned into the gateway's error
// codes. The only module that imports the S3 SDK, and only on first use: importing
// @aws-sdk/client-s3 costs ~270 ms, which start-up does not pay.
import type { GetObjectCommandOutput, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { credentialFailureOf, describeCredentialFailure, logCause } from '../bedrock/credential-failure.ts';
import { ErrorCode, createGatewayError } from '../errors.ts';
import { formatS3Uri } from './s3-uri.ts';

/** An object as a listing or HEAD describes it. */
export interface StoredObject {
  key: string;
  /** Bytes. */
  size: number;
  lastModified: Date;
}

/**
 * S3 as results, retries and the schema use it. Every method rejects with a GraphQL error whose
 * `extensions.code` is FORBIDDEN (S3 refused access), THROTTLED (SlowDown) or UPSTREAM_UNAVAILABLE
 * (S3 failed, timed out or answered something unexpected); a missing object or bucket is not an
 * error but `undefined` (or an empty list).
 */
export interface ResultsStorage {
  /** Every object whose key starts with `prefix`, in key order (all pages of ListObjectsV2). */
  list(bucket: string, prefix: string): Promise<StoredObject[]>;
  /** The object's size and time (HeadObject); undefined when it does not exist. */
  head(bucket: string, key: string): Promise<StoredObject | undefined>;
  /**
   * Bytes `[start, start + length)` (GetObject with Range); fewer at the object's end, none past
   * it or when the object does not exist.
   */
  getRange(bucket: string, key: string, start: number, length: number): Promise<Uint8Array>;
  /**
   * A whole small object (GetObject); undefined when it does not exist. Refuses (UPSTREAM_UNAVAILABLE)
   * one larger than `maxBytes` instead of holding it in memory.
   */
  get(bucket: string, key: string, options: { maxBytes: number }): Promise<Uint8Array | undefined>;
  /** Writes an object (PutObject). */
  put(bucket: string, key: string, body: string | Uint8Array, options?: { contentType?: string }): Promise<void>;
  /** A URL anyone holding it can GET the object with, for `expiresInSeconds` (presigned, no call to S3). */
  presignGet(bucket: string, key: string, expiresInSeconds: number): Promise<string>;
  /** Closes the client's connections (if it was ever created). */
  close(): void;
}

/** How the client reaches S3: the SDK's own resolution in aws mode, the simulator otherwise. */
export interface S3Target {
  /** Overrides the SDK's endpoint resolution (the simulator's URL). */
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** `http://host/bucket/key` instead of `http://bucket.host/key` (the simulator). @default false */
  forcePathStyle?: boolean;
}

/** How calls to S3 are made and bounded (the UPSTREAM_* variables, as for Bedrock). */
export interface ResultsStorageOptions {
  target: S3Target;
  /** Per-attempt HTTP timeout. */
  attemptTimeoutMs: number;
  /** SDK attempts per call (first try plus retries). */
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
  /** Ceiling for one call, retries included. */
  deadlineMs: number;
  /** Failed calls are logged here (a missing object is not a failure). */
  logger: Logger;
}

type S3Module = typeof import('@aws-sdk/client-s3');

export function createResultsStorage(options: ResultsStorageOptions): ResultsStorage {
  const { target, deadlineMs, logger } = options;
  let loading: Promise<{ s3: S3Module; client: S3Client }> | undefined;
  let created: S3Client | undefined;
  const load = () =>
    (loading ??= import('@aws-sdk/client-s3').then((s3) => {
      created = new s3.S3Client(clientConfig(options));
      return { s3, client: created };
    }));

  /**
   * Runs one S3 call under the deadline. S3's failures become gateway errors, except a missing
   * object, bucket or range, which rejects with `ObjectMissing` for the caller to decide.
   */
  const call = async <T>(
    operation: string,
    location: { bucket: string; key: string },
    run: (s3: S3Module, client: S3Client, abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    const { s3, client } = await load();
    try {
      return await run(s3, client, AbortSignal.timeout(deadlineMs));
    } catch (error) {
      if (isMissing(error)) throw new ObjectMissing();
      const mapped = toGatewayError(error, operation, location, deadlineMs);
      logger.warn({ operation, ...logCause(error), code: mapped.extensions.code }, 'S3 call failed');
      throw mapped;
    }
  };
  /** Like `call`, but what is missing resolves to `fallback`. */
  const callOr = async <T, F>(
    operation: string,
    location: { bucket: string; key: string },
    fallback: F,
    run: (s3: S3Module, client: S3Client, abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T | F> => {
    try {
      return await call(operation, location, run);
    } catch (error) {
      if (error instanceof ObjectMissing) return fallback;
      throw error;
    }
  };

  return {
    list: (bucket, prefix) =>
      callOr('ListObjectsV2', { bucket, key: prefix }, [], async (s3, client, abortSignal) => {
        const objects: StoredObject[] = [];
        let ContinuationToken: string | undefined;
        do {
          const page = await client.send(new s3.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }), { abortSignal });
          for (const { Key, Size, LastModified } of page.Contents ?? []) {
            if (Key !== undefined) objects.push({ key: Key, size: Size ?? 0, lastModified: LastModified ?? new Date(0) });
          }
          ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (ContinuationToken);
        return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      }),

    head: (bucket, key) =>
      callOr('HeadObject', { bucket, key }, undefined, async (s3, client, abortSignal) => {
        const head = await client.send(new s3.HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
        return { key, size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date(0) };
      }),

    getRange: (bucket, key, start, length) =>
      length <= 0
        ? Promise.resolve(new Uint8Array(0))
        : callOr('GetObject', { bucket, key }, new Uint8Array(0), async (s3, client, abortSignal) => {
            const object = await client.send(
              new s3.GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${start + length - 1}` }),
              { abortSignal },
            );
            return bodyOf(object, length);
          }),

    get: (bucket, key, { maxBytes }) =>
      callOr('GetObject', { bucket, key }, undefined, async (s3, client, abortSignal) => {
        const object = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
        if ((object.ContentLength ?? 0) > maxBytes) {
          await object.Body?.transformToWebStream().cancel();
          throw createGatewayError(
            ErrorCode.UPSTREAM_UNAVAILABLE,
            `${formatS3Uri({ bucket, key })} is ${object.ContentLength} bytes, more than the ${maxBytes} expected of it`,
          );
        }
        return bodyOf(object, maxBytes);
      }),

    put: (bucket, key, body, { contentType } = {}) =>
      callOr('PutObject', { bucket, key }, MISSING_BUCKET, async (s3, client, abortSignal) => {
        await client.send(new s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }), { abortSignal });
      }).then((outcome) => {
        if (outcome === MISSING_BUCKET) {
          throw createGatewayError(ErrorCode.BAD_USER_INPUT, `Cannot write ${formatS3Uri({ bucket, key })}: the bucket does not exist`);
        }
      }),

    async presignGet(bucket, key, expiresInSeconds) {
      const [{ s3, client }, { getSignedUrl }] = await Promise.all([load(), import('@aws-sdk/s3-request-presigner')]);
      try {
        return await getSignedUrl(client, new s3.GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresInSeconds });
      } catch (error) {
        // Signing needs the credentials, and nothing else here fails: the only failure to map.
        const credentials = credentialFailureOf(error);
        if (!credentials) throw error;
        logger.warn({ operation: 'presign GetObject', ...logCause(error), code: ErrorCode.UPSTREAM_UNAVAILABLE }, 'S3 call failed');
        throw createGatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, describeCredentialFailure(credentials, `a download URL of ${formatS3Uri({ bucket, key })}`));
      }
    },

    close() {
      created?.destroy();
    },
  };
}

function clientConfig({ target, maxAttempts, retryMode, attemptTimeoutMs }: ResultsStorageOptions): S3ClientConfig {
  return {
    ...target,
    maxAttempts,
    retryMode,
    // A bucket in another region than the client's answers 301 unless the client follows it.
    followRegionRedirects: true,
    // Ranged reads carry no checksum of their bytes; validating whole-object checksums is not
    // what a range needs (and PutObject still sends its own).
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: Math.min(attemptTimeoutMs, 3000),
      requestTimeout: attemptTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

/** The body's bytes; more than `maxBytes` is a broken promise of S3's (a range ignored), refused. */
async function bodyOf(object: GetObjectCommandOutput, maxBytes: number): Promise<Uint8Array> {
  if (!object.Body) return new Uint8Array(0);
  const bytes = await object.Body.transformToByteArray();
  if (bytes.length > maxBytes) {
    throw createGatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `S3 answered ${bytes.length} bytes where at most ${maxBytes} were asked for`);
  }
  return bytes;
}

/** The object, bucket or range asked for does not exist: not an error for the caller of `list`, `head`, `get`. */
class ObjectMissing extends Error {
  override name = 'ObjectMissing';
}
const MISSING_BUCKET = Symbol('missing bucket');

const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'InvalidRange']);

function isMissing(error: unknown): boolean {
  const failure = error as S3Failure;
  if (failure?.extensions?.code !== undefined) return false;
  const status = failure?.$metadata?.httpStatusCode;
  return NOT_FOUND_NAMES.has(failure?.name ?? '') || status === 404 || status === 416;
}

interface S3Failure {
  name?: string;
  message?: string;
  extensions?: { code?: unknown };
  $metadata?: { httpStatusCode?: number };
}

function toGatewayError(error: unknown, operation: string, location: { bucket: string; key: string }, deadlineMs: number): GraphQLError {
  const failure = error as S3Failure;
  if (failure?.extensions?.code !== undefined) return error as GraphQLError;
  const status = failure?.$metadata?.httpStatusCode;
  const name = failure?.name ?? 'Error';
  const where = formatS3Uri(location);
  // Before access denied: S3 answers 403 to expired or unknown credentials too.
  const credentials = credentialFailureOf(error);
  if (credentials) return createGatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, describeCredentialFailure(credentials, `S3 ${operation} on ${where}`), { s3Error: name });
  if (status === 403 || name === 'AccessDenied' || name === 'Forbidden') {
    // Without S3's own word (a HEAD answer has no body), expired or unknown credentials look the same.
    const orInvalid = name === 'AccessDenied' ? '' : ', or are expired or not valid';
    return createGatewayError(
      ErrorCode.FORBIDDEN,
      `S3 refused the gateway access to ${where} (${operation}: ${name}): its credentials need s3:ListBucket and s3:GetObject on the job's output${orInvalid}`,
      { s3Error: name },
    );
  }
  if (status === 429 || status === 503 || name === 'SlowDown') {
    return createGatewayError(ErrorCode.THROTTLED, `S3 kept throttling ${operation} on ${where} (${name}); retry later`, { s3Error: name });
  }
  if (name === 'AbortError' || name === 'TimeoutError') {
    return createGatewayError(ErrorCode.UPSTREAM_UNAVAILABLE, `S3 did not answer ${operation} on ${where} within ${deadlineMs} ms`);
  }
  return createGatewayError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    status === undefined
      ? `S3 could not be reached for ${operation} on ${where} (${name})`
      : `S3 answered ${operation} on ${where} with ${status} ${name}`,
    { s3Error: name },
  );
}
