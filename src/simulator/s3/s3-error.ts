// The errors the simulator's S3 answers with: S3's error codes and their HTTP statuses (from the
// S3 API reference's error code list), and the XML body S3 sends with them.
import { xmlElement } from './s3-xml.ts';

const S3_ERROR_STATUS = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  EntityTooLarge: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidChunkSizeError: 403,
  InvalidDigest: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
} as const;

export type S3ErrorCode = keyof typeof S3_ERROR_STATUS;

/** An error answered as S3 answers it: the status, and `<Error><Code>…` with `details` as extra elements. */
export class S3Error extends Error {
  override readonly name = 'S3Error';
  readonly statusCode: number;

  constructor(
    readonly code: S3ErrorCode,
    message: string,
    /** Extra elements S3 adds for this error (Key, BucketName, ActualObjectSize, …), in order. */
    readonly details: Readonly<Record<string, string | number>> = {},
    /** Extra response headers (e.g. Content-Range for InvalidRange). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.statusCode = S3_ERROR_STATUS[code];
  }

  /** The XML body; HEAD requests and 304s get none. */
  toXml(requestId: string, hostId: string): string {
    const fields = [
      xmlElement('Code', this.code),
      xmlElement('Message', this.message),
      ...Object.entries(this.details).map(([name, value]) => xmlElement(name, String(value))),
      xmlElement('RequestId', requestId),
      xmlElement('HostId', hostId),
    ];
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${fields.join('')}</Error>`;
  }
}

export const noSuchBucket = (bucket: string): S3Error =>
  new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });

export const noSuchKey = (key: string): S3Error => new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });

export const accessDenied = (): S3Error => new S3Error('AccessDenied', 'Access Denied');
