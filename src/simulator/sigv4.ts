// Verifies AWS Signature Version 4 (header form, AWS4-HMAC-SHA256) on incoming Bedrock requests,
// the way AWS's front door does, so a client that signs wrongly fails here as it would against AWS.
// S3's front door (other error codes, presigned URLs, unsigned payloads) is s3/s3-auth.ts, built on
// the helpers exported here.
// The front door's checks (scheme, credential, key, service, date, skew, payload hash) are ours;
// the signature itself is recomputed by the SDK's own signer, @smithy/signature-v4, from the
// request as received, and compared in constant time.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Hash, SourceData } from '@smithy/types';
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

/** Rejects with a SimulatorError (403) unless the request carries a valid signature. */
export type SigV4Verifier = (request: SignedRequest) => Promise<void>;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTH_PATTERN = /^AWS4-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]{64})$/;
const SIGNATURE_PATTERN = /Signature=([0-9a-f]{64})$/;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** More than any Bedrock operation takes (ListModelInvocationJobs has 8). */
export const MAX_QUERY_PARAMETERS = 100;
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** The parts of the Authorization header, checked against what the front door requires. */
interface Authorization {
  accessKeyId: string;
  secret: string;
  region: string;
  signedHeaders: string[];
  signature: string;
  signedAt: Date;
}

export function createSigV4Verifier(options: SigV4VerifierOptions): SigV4Verifier {
  const maxSkewMs = options.maxSkewMs ?? 15 * 60_000;
  return async (request) => {
    const auth = readAuthorization(request, options, maxSkewMs);
    // The signer signs a claimed payload hash without checking it; trusting it unchecked would
    // leave the body unsigned.
    const claimedHash = request.headers['x-amz-content-sha256'];
    if (claimedHash !== undefined && claimedHash !== createHash('sha256').update(request.body).digest('hex')) {
      throw new SimulatorError('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    // The signer copies the query once per parameter while cloning the request: 3,000 parameters
    // (what fits in Node's 16 KiB of request head) took 1.3 s of CPU, 100 take under a millisecond.
    if (request.query.length > MAX_QUERY_PARAMETERS) {
      throw new SimulatorError('ValidationException', `The request has ${request.query.length} query parameters; at most ${MAX_QUERY_PARAMETERS} are accepted.`);
    }
    const signer = new SignatureV4({
      service: options.service,
      region: auth.region,
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: auth.secret },
      sha256: Sha256,
      // Hash the body as received; a client that sent x-amz-content-sha256 signed that header.
      applyChecksum: false,
      // uriEscapePath keeps its default: Bedrock, unlike S3, signs the already-encoded path encoded again.
    });
    const resigned = await signer.sign(
      {
        method: request.method,
        // Protocol and hostname are not signed; the host header is.
        protocol: 'http:',
        hostname: headerValue(request.headers.host),
        path: request.rawPath,
        query: queryBag(request.query),
        headers: signedHeaderValues(request.headers, auth.signedHeaders),
        body: request.body,
      },
      {
        signingDate: auth.signedAt,
        // The client chose what to sign; the signer would otherwise leave out e.g. user-agent.
        signableHeaders: new Set(auth.signedHeaders),
      },
    );
    const expected = Buffer.from(SIGNATURE_PATTERN.exec(headerValue(resigned.headers.authorization))?.[1] ?? '', 'hex');
    const given = Buffer.from(auth.signature, 'hex');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new SimulatorError('InvalidSignatureException', MISMATCH);
    }
  };
}

/** The Authorization header and x-amz-date, read and checked before anything is hashed. */
function readAuthorization(request: SignedRequest, options: SigV4VerifierOptions, maxSkewMs: number): Authorization {
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
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) {
    throw new SimulatorError('IncompleteSignatureException', 'Authorization requires a valid X-Amz-Date header.');
  }
  if (!amzDate.startsWith(date)) {
    throw new SimulatorError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}'.`,
    );
  }
  if (Math.abs(Date.now() - signedAt.getTime()) > maxSkewMs) {
    throw new SimulatorError('InvalidSignatureException', `Signature expired: ${amzDate} is out of the allowed clock skew.`);
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) {
    throw new SimulatorError('InvalidSignatureException', "'Host' must be a signed header.");
  }
  // The signer always signs the x-amz-date it is given; AWS requires x-amz-* headers signed too.
  if (!signedHeaders.includes('x-amz-date')) {
    throw new SimulatorError('InvalidSignatureException', "'X-Amz-Date' must be a signed header.");
  }
  return { accessKeyId, secret, region, signedHeaders, signature, signedAt };
}

/** The instant of a basic-format ISO-8601 date (20240828T224753Z), or undefined when it is not a real one. */
export function parseAmzDate(value: string): Date | undefined {
  const match = AMZ_DATE_PATTERN.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
  // Date.UTC rolls 20240230 over to March; the signer would then sign a different date.
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '') === value ? date : undefined;
}

/**
 * Just the headers the client signed, as single strings. The signer drops `date` and writes
 * `x-amz-date` itself from the signing date, so a client that signed `date` does not verify.
 */
export function signedHeaderValues(headers: IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, headerValue(headers[name])]));
}

/** Query parameters as the signer takes them: repeated names as one list. */
export function queryBag(query: SignedRequest['query']): Record<string, string | string[]> {
  const bag = new Map<string, string[]>();
  for (const [key, value] of query) {
    const values = bag.get(key);
    if (values) values.push(value);
    else bag.set(key, [value]);
  }
  return Object.fromEntries(Array.from(bag, ([key, values]) => [key, values.length === 1 ? (values[0] as string) : values]));
}

// Typed loosely on purpose: a header named e.g. `__proto__` reads as the object's prototype.
export function headerValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' ? value : '';
}

/** SHA-256, or HMAC-SHA256 when given a secret, for the signer (which takes no hash of its own). */
export class Sha256 implements Hash {
  private readonly hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
