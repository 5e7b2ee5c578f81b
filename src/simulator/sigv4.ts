// Verifies AWS Signature Version 4 (header form, AWS4-HMAC-SHA256) on incoming requests, the way
// AWS's front door does, so a client that signs wrongly fails here as it would against AWS.
// It recomputes the signature with node:crypto using the same canonicalisation as the SDK's
// @smithy/signature-v4 (double-encoded path, sorted query and headers).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SimulatorError } from './errors.ts';

export interface SignedRequest {
  method: string;
  /** The path exactly as received (still percent-encoded), without the query. */
  rawPath: string;
  /** Decoded query parameters in the order received. */
  query: readonly (readonly [string, string])[];
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SigV4VerifierOptions {
  /** The signing name requests must be scoped to, e.g. `bedrock`. */
  service: string;
  /** The secret for an access key id, or undefined when the key is unknown. */
  secretFor(accessKeyId: string): string | undefined;
  /** Largest accepted difference between the request's x-amz-date and now. @default 15 minutes (AWS's) */
  maxSkewMs?: number;
}

/** Throws a SimulatorError (403) unless the request carries a valid signature. */
export type SigV4Verifier = (request: SignedRequest) => void;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTH_PATTERN = /^AWS4-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]{64})$/;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export function createSigV4Verifier(options: SigV4VerifierOptions): SigV4Verifier {
  const maxSkewMs = options.maxSkewMs ?? 15 * 60_000;
  // Deriving the signing key costs four HMACs; it only changes per day, region and secret.
  const signingKeys = new Map<string, Buffer>();
  const signingKey = (secret: string, date: string, region: string, service: string): Buffer => {
    const cacheKey = `${secret}\n${date}\n${region}\n${service}`;
    let key = signingKeys.get(cacheKey);
    if (!key) {
      key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
      if (signingKeys.size >= 64) signingKeys.clear();
      signingKeys.set(cacheKey, key);
    }
    return key;
  };

  return (request) => {
    const authorization = request.headers.authorization;
    if (authorization === undefined || authorization === '') {
      throw new SimulatorError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    if (!authorization.startsWith(`${ALGORITHM} `)) {
      throw new SimulatorError('IncompleteSignatureException', `Unsupported authorization scheme; expected ${ALGORITHM}.`);
    }
    const match = AUTH_PATTERN.exec(authorization);
    if (!match) {
      throw new SimulatorError(
        'IncompleteSignatureException',
        "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
      );
    }
    const [, credential = '', signedHeaderList = '', signature = ''] = match;
    const scope = credential.split('/');
    const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = scope;
    if (scope.length !== 5 || terminator !== 'aws4_request') {
      throw new SimulatorError('IncompleteSignatureException', `Credential is malformed: ${credential}`);
    }
    const secret = options.secretFor(accessKeyId);
    if (secret === undefined) {
      throw new SimulatorError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (service !== options.service) {
      throw new SimulatorError('InvalidSignatureException', `Credential should be scoped to correct service: '${options.service}'.`);
    }

    const amzDate = headerValue(request.headers['x-amz-date']);
    const dateMatch = AMZ_DATE_PATTERN.exec(amzDate);
    if (!dateMatch) {
      throw new SimulatorError('IncompleteSignatureException', 'Authorization requires a valid X-Amz-Date header.');
    }
    if (!amzDate.startsWith(date)) {
      throw new SimulatorError('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}'.`);
    }
    const [, y, mo, d, h, mi, s] = dateMatch.map(Number);
    const signedAt = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
    if (Math.abs(Date.now() - signedAt) > maxSkewMs) {
      throw new SimulatorError('InvalidSignatureException', `Signature expired: ${amzDate} is out of the allowed clock skew.`);
    }

    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host')) {
      throw new SimulatorError('InvalidSignatureException', "'Host' must be a signed header.");
    }
    const canonicalHeaders = signedHeaders
      .map((name) => `${name}:${headerValue(request.headers[name]).replace(/\s+/g, ' ').trim()}\n`)
      .join('');
    // The SDK's signer sends the payload hash as a header; trusting it unchecked would leave
    // the body unsigned.
    const payloadHash = sha256Hex(request.body);
    const claimedHash = request.headers['x-amz-content-sha256'];
    if (claimedHash !== undefined && claimedHash !== payloadHash) {
      throw new SimulatorError('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    const canonicalRequest = [
      request.method,
      canonicalPath(request.rawPath),
      canonicalQuery(request.query),
      canonicalHeaders,
      signedHeaderList,
      payloadHash,
    ].join('\n');
    const stringToSign = [ALGORITHM, amzDate, `${date}/${region}/${service}/aws4_request`, sha256Hex(canonicalRequest)].join('\n');
    const expected = createHmac('sha256', signingKey(secret, date, region, service)).update(stringToSign).digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw new SimulatorError('InvalidSignatureException', MISMATCH);
    }
  };
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** RFC 3986 encoding as AWS uses it (encodeURIComponent leaves !'()* alone). */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// Non-S3 services sign the already-encoded path encoded once more, with dot segments resolved.
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(query: SignedRequest['query']): string {
  const pairs: [string, string][] = [];
  for (const [key, value] of query) {
    if (key.toLowerCase() === 'x-amz-signature') continue;
    pairs.push([escapeUri(key), escapeUri(value)]);
  }
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}
