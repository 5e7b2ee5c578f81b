// `simulator.s3`: what tests do to and see of the simulator's S3 without going through HTTP —
// put and read objects, list keys, refuse access, read the counters.
import type { ObjectStore } from './object-store.ts';
import type { S3Access } from './s3-access.ts';
import type { S3Stats, S3StatsRecorder } from './s3-stats.ts';

export interface S3ObjectSummary {
  key: string;
  size: number;
  /** Quoted, as S3 sends it. */
  etag: string;
  lastModified: Date;
}

export interface SimulatorS3 {
  /** Creates a bucket (PutObject over HTTP answers NoSuchBucket for one that does not exist). */
  createBucket(bucket: string): void;
  /** Stores an object, creating its bucket; a string is stored as UTF-8. */
  putObject(bucket: string, key: string, body: string | Uint8Array, options?: { contentType?: string; lastModified?: Date }): S3ObjectSummary;
  /** An object's bytes (generated now for a job output not yet read), or undefined. */
  getObject(bucket: string, key: string): Buffer | undefined;
  /** An object's size, ETag and date, or undefined. */
  headObject(bucket: string, key: string): S3ObjectSummary | undefined;
  deleteObject(bucket: string, key: string): boolean;
  /** Every key under `prefix`, in S3's order; [] for a bucket that does not exist. */
  listKeys(bucket: string, prefix?: string): string[];
  /**
   * From now on, answer AccessDenied to every request on `bucket`, or on keys under `prefix`
   * (and to listings of that prefix or longer ones), as an IAM Deny would. Until `reset()`.
   */
  deny(bucket: string, prefix?: string): void;
  stats(): S3Stats;
  /** Lift every deny and zero the stats; objects stay. */
  reset(): void;
}

export function createS3Controls(store: ObjectStore, access: S3Access, stats: S3StatsRecorder): SimulatorS3 {
  const summary = (object: { key: string; size: number; etag: string; lastModified: Date }): S3ObjectSummary => ({
    key: object.key,
    size: object.size,
    etag: object.etag,
    lastModified: object.lastModified,
  });
  return {
    createBucket: (bucket) => store.ensureBucket(bucket),
    putObject(bucket, key, body, options = {}) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
      return summary(store.put(bucket, key, bytes, { contentType: options.contentType, lastModified: options.lastModified }));
    },
    getObject: (bucket, key) => store.get(bucket, key)?.body(),
    headObject(bucket, key) {
      const object = store.get(bucket, key);
      return object && summary(object);
    },
    deleteObject: (bucket, key) => store.delete(bucket, key),
    listKeys(bucket, prefix = '') {
      const keys: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = store.list(bucket, { prefix, after, maxKeys: 1000 });
        if (!page) return keys;
        for (const object of page.objects) keys.push(object.key);
        if (!page.next) return keys;
        after = page.next.after;
      }
    },
    deny: (bucket, prefix) => access.deny(bucket, prefix),
    stats: () => stats.snapshot(),
    reset() {
      access.reset();
      stats.reset();
    },
  };
}
