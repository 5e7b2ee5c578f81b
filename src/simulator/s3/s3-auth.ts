// S3's front door: SigV4 in the Authorization header or in the query string (presigned URLs),
// checked the way S3 checks it and refused with S3's error codes. What the payload hash header
// claims is returned for the operation to hold the body to (a hash, unsigned, or aws-chunked).
// As for Bedrock, the signature is recomputed by the SDK's own signer from the request as
// received; S3 signs the path as sent, without the second encoding other services use.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { SIMULATOR_REGION } from '../simulated-job.ts';
import { headerValue, MAX_QUERY_PARAMETERS, parseAmzDate, queryBag, Sha256, signedHeaderValues, type SignedRequest } from '../sigv4.ts';
import { accessDenied, S3Error } from './s3-error.ts';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTH_PATTERN = /^AWS4-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]{64})$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;
/** The longest a presigned URL may live (a week), as SigV4 allows. */
const MAX_EXPIRES_S = 604_800;
const MAX_SKEW_MS = 15 * 60_000;
const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
const PRESIGN_PARAMETERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'];

/** How the body is carried, as x-amz-content-sha256 says. */
export type PayloadMode =
  /** The body's SHA-256 was signed, and matched. */
  | { kind: 'signed' }
  | { kind: 'unsigned' }
  /** aws-chunked; `chunkSigning` is set when each chunk carries a signature, `trailer` when a trailer follows. */
  | { kind: 'chunked'; trailer: boolean; chunkSigning?: ChunkSigning };

/** What verifying chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) needs from the request's signature. */
export interface ChunkSigning {
  signingKey: Buffer;
  longDate: string;
  scope: string;
  seedSignature: string;
}

export interface S3AuthOptions {
  /** The secret for an access key id, or undefined when the key is unknown. */
  secretFor(accessKeyId: string): string | undefined;
}

/** Resolves with how the payload is carried, or rejects with the S3Error S3 would answer. */
export type S3Authenticator = (request: SignedRequest) => Promise<PayloadMode>;

interface Credential {
  accessKeyId: string;
  secret: string;
  date: string;
  region: string;
  scope: string;
}

export function createS3Authenticator(options: S3AuthOptions): S3Authenticator {
  return async (request) => {
    const authorization = headerValue(request.headers.authorization);
    const presigned = request.query.some(([name]) => name === 'X-Amz-Algorithm' || name === 'X-Amz-Credential');
    if (authorization !== '' && presigned) {
      throw new S3Error(
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        { ArgumentName: 'Authorization', ArgumentValue: authorization },
      );
    }
    if (request.query.length > MAX_QUERY_PARAMETERS) {
      throw new S3Error('InvalidArgument', `The request has ${request.query.length} query parameters; at most ${MAX_QUERY_PARAMETERS} are accepted.`);
    }
    if (presigned) return verifyPresigned(request, options);
    if (authorization === '') throw accessDenied();
    return verifyHeader(request, authorization, options);
  };
}

async function verifyHeader(request: SignedRequest, authorization: string, options: S3AuthOptions): Promise<PayloadMode> {
  if (!authorization.startsWith(`${ALGORITHM} `)) throw new S3Error('InvalidArgument', 'Unsupported Authorization Type', { ArgumentName: 'Authorization', ArgumentValue: authorization });
  const match = AUTH_PATTERN.exec(authorization);
  if (!match) {
    throw new S3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed; it must name Credential, SignedHeaders and Signature.');
  }
  const [, credentialText = '', signedHeaderList = '', signature = ''] = match;
  const malformed = (reason: string, details: Record<string, string> = {}) =>
    new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; ${reason}`, details);
  const credential = readCredential(credentialText, options, malformed);
  const amzDate = headerValue(request.headers['x-amz-date']);
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  if (!amzDate.startsWith(credential.date)) throw malformed('Invalid credential date. Date is not the same as X-Amz-Date.');
  if (Math.abs(Date.now() - signedAt.getTime()) > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
      RequestTime: amzDate,
      ServerTime: new Date().toISOString(),
      MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
    });
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) throw malformed("'Host' must be a signed header.");
  requireSigned(request, signedHeaders);

  const contentSha = headerValue(request.headers['x-amz-content-sha256']);
  if (contentSha === '') throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  const claim = payloadClaimOf(contentSha);

  const headers = signedHeaderValues(request.headers, signedHeaders);
  // S3 takes the canonical payload hash from this header whether or not it was signed.
  const unsignable = new Set<string>();
  if (!signedHeaders.includes('x-amz-content-sha256')) {
    headers['x-amz-content-sha256'] = contentSha;
    unsignable.add('x-amz-content-sha256');
  }
  const resigned = await signerFor(credential).sign(
    { method: request.method, protocol: 'http:', hostname: headerValue(request.headers.host), path: request.rawPath, query: queryBag(request.query), headers },
    { signingDate: signedAt, signableHeaders: new Set(signedHeaders), unsignableHeaders: unsignable },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(headerValue(resigned.headers.authorization))?.[1] ?? '';
  if (!sameHex(expected, signature)) throw signatureMismatch(credential, signature);

  if (claim.kind === 'signed') {
    const computed = createHash('sha256').update(request.body).digest('hex');
    if (computed !== contentSha) {
      throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", {
        ClientComputedContentSHA256: contentSha,
        S3ComputedContentSHA256: computed,
      });
    }
  }
  if (claim.kind === 'chunked' && claim.signedChunks) {
    const chunkSigning = { signingKey: signingKey(credential), longDate: amzDate, scope: credential.scope, seedSignature: signature };
    return { kind: 'chunked', trailer: claim.trailer, chunkSigning };
  }
  return claim.kind === 'chunked' ? { kind: 'chunked', trailer: claim.trailer } : claim;
}

async function verifyPresigned(request: SignedRequest, options: S3AuthOptions): Promise<PayloadMode> {
  const params = new Map<string, string>();
  for (const [name, value] of request.query) if (!params.has(name)) params.set(name, value);
  const queryError = (message: string) => new S3Error('AuthorizationQueryParametersError', message);
  if (PRESIGN_PARAMETERS.some((name) => !params.has(name))) {
    throw queryError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const get = (name: string): string => params.get(name) as string;
  if (get('X-Amz-Algorithm') !== ALGORITHM) throw queryError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const credential = readCredential(get('X-Amz-Credential'), options, (reason) => queryError(`Error parsing the X-Amz-Credential parameter; ${reason}`));
  const amzDate = get('X-Amz-Date');
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) throw queryError('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  if (!amzDate.startsWith(credential.date)) {
    throw queryError('Error parsing the X-Amz-Credential parameter; Invalid credential date. Date is not the same as X-Amz-Date.');
  }
  const expiresText = get('X-Amz-Expires');
  if (!/^\d+$/.test(expiresText)) throw queryError('X-Amz-Expires should be a number');
  const expiresS = Number(expiresText);
  if (expiresS > MAX_EXPIRES_S) throw queryError(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_S}`);
  const signature = get('X-Amz-Signature');
  if (!SIGNATURE_PATTERN.test(signature)) throw signatureMismatch(credential, signature);
  const signedHeaders = get('X-Amz-SignedHeaders').split(';');
  if (!signedHeaders.includes('host')) throw queryError("Query-string authentication requires the Host header to be signed.");
  requireSigned(request, signedHeaders);
  const now = Date.now();
  if (signedAt.getTime() - now > MAX_SKEW_MS) throw new S3Error('AccessDenied', 'Request is not valid yet');

  const query = request.query.filter(([name]) => name !== 'X-Amz-Signature');
  const headers = signedHeaderValues(request.headers, signedHeaders);
  // A presigned URL's payload is unsigned; the signer takes that claim from this header.
  headers['x-amz-content-sha256'] = params.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
  const resigned = await signerFor(credential).presign(
    { method: request.method, protocol: 'http:', hostname: headerValue(request.headers.host), path: request.rawPath, query: queryBag(query), headers },
    {
      signingDate: signedAt,
      expiresIn: expiresS,
      signableHeaders: new Set(signedHeaders),
      unsignableHeaders: new Set(['x-amz-content-sha256']),
      // The signed headers stay headers; the client hoisted what it hoisted already.
      unhoistableHeaders: new Set([...signedHeaders, 'x-amz-content-sha256']),
    },
  );
  if (!sameHex(headerValue(resigned.query?.['X-Amz-Signature']), signature)) throw signatureMismatch(credential, signature);
  // Expiry is checked once the signature holds, so a forged URL learns nothing from it.
  const expires = signedAt.getTime() + expiresS * 1000;
  if (now > expires) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expiresText,
      Expires: new Date(expires).toISOString(),
      ServerTime: new Date(now).toISOString(),
    });
  }
  return { kind: 'unsigned' };
}

/** The parts of `<key>/<date>/<region>/s3/aws4_request`, refused through `fail` unless they are this simulator's. */
function readCredential(text: string, options: S3AuthOptions, fail: (reason: string, details?: Record<string, string>) => S3Error): Credential {
  const parts = text.split('/');
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts;
  if (parts.length !== 5 || terminator !== 'aws4_request' || !/^\d{8}$/.test(date)) {
    throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const secret = options.secretFor(accessKeyId);
  if (secret === undefined) {
    throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId });
  }
  if (region !== SIMULATOR_REGION) throw fail(`the region '${region}' is wrong; expecting '${SIMULATOR_REGION}'`, { Region: SIMULATOR_REGION });
  if (service !== 's3') throw fail(`incorrect service '${service}'. This endpoint belongs to 's3'.`);
  return { accessKeyId, secret, date, region, scope: `${date}/${region}/s3/aws4_request` };
}

/** S3 refuses x-amz-* headers that were sent but not signed. */
function requireSigned(request: SignedRequest, signedHeaders: readonly string[]): void {
  const unsigned = Object.keys(request.headers).filter((name) => name.startsWith('x-amz-') && !signedHeaders.includes(name));
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', { HeadersNotSigned: unsigned.join(', ') });
  }
}

/** What x-amz-content-sha256 claims about the body. */
type PayloadClaim = { kind: 'signed' } | { kind: 'unsigned' } | { kind: 'chunked'; trailer: boolean; signedChunks: boolean };

function payloadClaimOf(contentSha: string): PayloadClaim {
  switch (contentSha) {
    case 'UNSIGNED-PAYLOAD':
      return { kind: 'unsigned' };
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
      return { kind: 'chunked', trailer: true, signedChunks: false };
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER':
      return { kind: 'chunked', trailer: contentSha.endsWith('-TRAILER'), signedChunks: true };
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER':
      throw new S3Error('NotImplemented', 'SigV4a streaming payloads are not implemented by the simulator.');
  }
  if (SHA256_PATTERN.test(contentSha)) return { kind: 'signed' };
  throw new S3Error(
    'InvalidArgument',
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
    { ArgumentName: 'x-amz-content-sha256', ArgumentValue: contentSha },
  );
}

function signerFor(credential: Credential): SignatureV4 {
  return new SignatureV4({
    service: 's3',
    region: credential.region,
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secret },
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: false,
  });
}

/** SigV4's derived key: HMAC of "aws4_request" under HMAC(service, HMAC(region, HMAC(date, "AWS4" + secret))). */
function signingKey(credential: Credential): Buffer {
  let key: Buffer = Buffer.from(`AWS4${credential.secret}`, 'utf8');
  for (const part of [credential.date, credential.region, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return key;
}

function signatureMismatch(credential: Credential, signature: string): S3Error {
  return new S3Error('SignatureDoesNotMatch', MISMATCH, { AWSAccessKeyId: credential.accessKeyId, SignatureProvided: signature });
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === 32 && a.length === b.length && timingSafeEqual(a, b);
}
