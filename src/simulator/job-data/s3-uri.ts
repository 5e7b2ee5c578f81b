// `s3://bucket/key` as the job configs carry it.

export interface S3Location {
  bucket: string;
  /** Everything after the bucket's slash; '' for the bucket itself. */
  key: string;
}

/** The bucket and key of an s3:// URI, or undefined when it is not one. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return match ? { bucket: match[1] as string, key: match[2] as string } : undefined;
}

/** A key prefix naming a folder: '' stays '', anything else ends in exactly one '/'. */
export function asFolder(key: string): string {
  return key === '' ? '' : `${key.replace(/\/+$/, '')}/`;
}
