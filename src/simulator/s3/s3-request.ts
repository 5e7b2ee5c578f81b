// One S3 request as the operations see it (already authenticated and routed), and the response
// they describe for the handler to write.
import type { IncomingHttpHeaders } from 'node:http';
import type { PayloadMode } from './s3-auth.ts';

export interface S3Request {
  method: string;
  bucket: string;
  /** The decoded key, or '' for a request on the bucket. */
  key: string;
  /** Decoded query parameters, first value of each name. */
  query: ReadonlyMap<string, string>;
  headers: IncomingHttpHeaders;
  /** The body as received (still aws-chunked if it was sent so). */
  body: Buffer;
  payload: PayloadMode;
}

export interface S3Response {
  status: number;
  headers: Record<string, string>;
  /** Omitted for HEAD, 304 and empty answers. */
  body?: Buffer | string;
}

/** A header's single value ('' when absent). */
export function header(request: Pick<S3Request, 'headers'>, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}
