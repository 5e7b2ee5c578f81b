// Which S3 requests are refused with AccessDenied, as an IAM policy with a Deny statement on a
// bucket (or a prefix of it) would refuse them: object requests by key, listings by the prefix
// they ask for.

export interface S3Access {
  /** Refuse every request to `bucket`, or to keys under `prefix` there (and listings of such prefixes). */
  deny(bucket: string, prefix?: string): void;
  /** Whether an object request for `key` is refused. */
  deniesKey(bucket: string, key: string): boolean;
  /** Whether a listing of `prefix` is refused: only a deny of that prefix or of a shorter one refuses it. */
  deniesList(bucket: string, prefix: string): boolean;
  /** Lift every deny. */
  reset(): void;
}

export function createS3Access(): S3Access {
  const denied = new Map<string, Set<string>>();
  const covered = (bucket: string, path: string): boolean => {
    for (const prefix of denied.get(bucket) ?? []) if (path.startsWith(prefix)) return true;
    return false;
  };
  return {
    deny(bucket, prefix = '') {
      let prefixes = denied.get(bucket);
      if (!prefixes) denied.set(bucket, (prefixes = new Set()));
      prefixes.add(prefix);
    },
    deniesKey: covered,
    deniesList: covered,
    reset: () => denied.clear(),
  };
}
