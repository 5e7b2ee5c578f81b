// aws-chunked request bodies (Content-Encoding: aws-chunked), as the SDK sends a streamed
// PutObject: `<hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n` per chunk, a zero-size chunk, then
// trailing headers (the checksum; with signed chunks, a trailer signature) and an empty line.
// Decoded here with S3's rules: every chunk but the last at least 8 KiB, each chunk signature
// chained from the previous one when the payload is signed.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ChunkSigning } from './s3-auth.ts';
import { S3Error } from './s3-error.ts';

/** Smallest chunk S3 accepts, but for the last one. */
const MIN_CHUNK_BYTES = 8192;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CHUNK_HEADER = /^([0-9a-fA-F]{1,16})(?:;chunk-signature=([0-9a-f]{64}))?$/;

export interface DecodedChunkedBody {
  body: Buffer;
  /** Trailing headers by lower-case name (the trailer signature left out). */
  trailers: Map<string, string>;
}

export interface DecodeOptions {
  /** Set when chunks are signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD…). */
  chunkSigning?: ChunkSigning;
  /** Whether trailing headers may follow the last chunk. */
  trailer: boolean;
}

export function decodeAwsChunked(raw: Buffer, options: DecodeOptions): DecodedChunkedBody {
  const chunks: Buffer[] = [];
  let at = 0;
  let previousSignature = options.chunkSigning?.seedSignature;
  const line = (): string => {
    const end = raw.indexOf('\r\n', at);
    if (end < 0) throw incomplete();
    const text = raw.toString('latin1', at, end);
    at = end + 2;
    return text;
  };

  for (let number = 1; ; number++) {
    const header = CHUNK_HEADER.exec(line());
    if (!header) throw new S3Error('InvalidRequest', `Chunk ${number} of the aws-chunked body has a malformed header.`);
    const size = Number.parseInt(header[1] as string, 16);
    const signature = header[2];
    if (options.chunkSigning && signature === undefined) throw new S3Error('InvalidRequest', `Chunk ${number} of the aws-chunked body has no chunk-signature.`);
    if (!options.chunkSigning && signature !== undefined) throw new S3Error('InvalidRequest', `Chunk ${number} is signed, but x-amz-content-sha256 says the payload is unsigned.`);
    if (at + size + 2 > raw.length) throw incomplete();
    const data = raw.subarray(at, at + size);
    if (raw.toString('latin1', at + size, at + size + 2) !== '\r\n' && size > 0) throw incomplete();
    if (options.chunkSigning && signature !== undefined) {
      const expected = sign(options.chunkSigning, ['AWS4-HMAC-SHA256-PAYLOAD', previousSignature as string, EMPTY_SHA256, sha256Hex(data)]);
      if (!sameHex(expected, signature)) throw chunkSignatureMismatch();
      previousSignature = signature;
    }
    if (size === 0) break;
    at += size + 2;
    const previous = chunks[chunks.length - 1];
    if (previous && previous.length < MIN_CHUNK_BYTES) {
      throw new S3Error('InvalidChunkSizeError', `Only the last chunk is allowed to have a size less than ${MIN_CHUNK_BYTES} bytes`, {
        Chunk: number - 1,
        BadChunkSize: previous.length,
      });
    }
    chunks.push(data);
  }

  const trailers = new Map<string, string>();
  let trailerSignature: string | undefined;
  const trailerLines: string[] = [];
  for (;;) {
    const text = line();
    if (text === '') break;
    if (!options.trailer) throw new S3Error('InvalidRequest', 'The aws-chunked body has trailing headers, but none were declared.');
    const colon = text.indexOf(':');
    if (colon < 1) throw new S3Error('InvalidRequest', `Malformed trailing header: ${text.slice(0, 100)}`);
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') trailerSignature = value;
    else {
      trailers.set(name, value);
      trailerLines.push(`${name}:${value}\n`);
    }
  }
  if (at !== raw.length) throw new S3Error('InvalidRequest', 'The aws-chunked body continues after its end.');
  if (options.chunkSigning && options.trailer) {
    if (trailerSignature === undefined) throw new S3Error('InvalidRequest', 'The aws-chunked body has no x-amz-trailer-signature.');
    const expected = sign(options.chunkSigning, ['AWS4-HMAC-SHA256-TRAILER', previousSignature as string, sha256Hex(Buffer.from(trailerLines.join(''), 'utf8'))]);
    if (!sameHex(expected, trailerSignature)) throw chunkSignatureMismatch();
  }
  return { body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), trailers };
}

/** The signature of `algorithm \n date \n scope \n ...rest` under the request's signing key. */
function sign(signing: ChunkSigning, [algorithm, ...rest]: string[]): string {
  const stringToSign = [algorithm, signing.longDate, signing.scope, ...rest].join('\n');
  return createHmac('sha256', signing.signingKey).update(stringToSign).digest('hex');
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

function incomplete(): S3Error {
  return new S3Error('IncompleteBody', 'The request body terminated unexpectedly');
}

function chunkSignatureMismatch(): S3Error {
  return new S3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
}
