// The simulator's S3 storage: buckets of objects in memory, keys kept in S3's order (UTF-8
// bytes) for listing. An object is either bytes someone put, or generated: a deterministic
// function of its job that is run when the object is first read, then kept in a bounded cache
// and run again if evicted — so a simulator that finished hundreds of jobs holds their outputs
// as a few closures, not as hundreds of megabytes.
import { LRUCache } from 'lru-cache';
import { computeChecksum, md5Hex, type ObjectChecksum } from './checksums.ts';

export interface ObjectOptions {
  /** @default 'application/octet-stream' */
  contentType?: string;
  /** x-amz-meta-* values, by lower-case name without the prefix. */
  metadata?: Readonly<Record<string, string>>;
  /** The checksum the writer sent; otherwise S3's default, CRC64NVME, computed when first asked for. */
  checksum?: ObjectChecksum;
  /** @default now */
  lastModified?: Date;
}

/** What a HEAD tells: everything about an object but its bytes. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** Quoted, as in the ETag header. */
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Sizes, ETags and checksums of an object's bytes, worked out once. */
interface Digest {
  size: number;
  etag: string;
}

export class S3Object implements ObjectInfo {
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly lastModified: Date;
  private digest: Digest | undefined;
  private storedChecksum: ObjectChecksum | undefined;

  constructor(
    readonly key: string,
    private readonly source: Buffer | (() => Buffer),
    private readonly cache: LRUCache<S3Object, Buffer>,
    options: ObjectOptions,
  ) {
    this.contentType = options.contentType ?? 'application/octet-stream';
    this.metadata = options.metadata ?? {};
    this.lastModified = options.lastModified ?? new Date();
    this.storedChecksum = options.checksum;
    if (Buffer.isBuffer(source)) this.digest = digestOf(source);
  }

  /** Whether the bytes are generated on demand rather than held. */
  get generated(): boolean {
    return !Buffer.isBuffer(this.source);
  }

  get size(): number {
    return this.described().size;
  }

  get etag(): string {
    return this.described().etag;
  }

  /** The algorithm of `checksum()`, known without computing it. */
  get checksumAlgorithm(): ObjectChecksum['algorithm'] {
    return this.storedChecksum?.algorithm ?? 'CRC64NVME';
  }

  /** The full-object checksum S3 returns with `x-amz-checksum-mode: ENABLED`. */
  checksum(): ObjectChecksum {
    this.storedChecksum ??= { algorithm: 'CRC64NVME', value: computeChecksum('CRC64NVME', this.body()) };
    return this.storedChecksum;
  }

  /** The object's bytes (generated now, or from the cache, for a generated object). Never modify them. */
  body(): Buffer {
    if (Buffer.isBuffer(this.source)) return this.source;
    const cached = this.cache.get(this);
    if (cached) return cached;
    const bytes = this.source();
    this.digest ??= digestOf(bytes);
    this.cache.set(this, bytes);
    return bytes;
  }

  private described(): Digest {
    if (!this.digest) this.body();
    return this.digest as Digest;
  }
}

function digestOf(bytes: Buffer): Digest {
  return { size: bytes.length, etag: `"${md5Hex(bytes)}"` };
}

export interface ListQuery {
  prefix?: string;
  delimiter?: string;
  /** List keys after this one (StartAfter). */
  startAfter?: string;
  /** Resume after this entry (a key, or a common prefix when `afterPrefix`). */
  after?: string;
  afterPrefix?: boolean;
  /** 0..1000 entries (keys and common prefixes together). */
  maxKeys: number;
}

export interface ListResult {
  objects: S3Object[];
  commonPrefixes: string[];
  /** Where the next page starts, when there are more entries. */
  next?: { after: string; afterPrefix: boolean };
}

export interface ObjectStoreOptions {
  /** Most bytes of generated objects kept at once; others are generated again when read. @default 64 MiB */
  generatedCacheBytes?: number;
}

export interface ObjectStore {
  hasBucket(bucket: string): boolean;
  /** Creates the bucket unless it exists. */
  ensureBucket(bucket: string): void;
  get(bucket: string, key: string): S3Object | undefined;
  /** Stores bytes (creating the bucket). The buffer is kept as is: the caller must not change it later. */
  put(bucket: string, key: string, body: Buffer, options?: ObjectOptions): S3Object;
  /** Stores an object whose bytes `generate` returns, the same on every call (creating the bucket). */
  putGenerated(bucket: string, key: string, generate: () => Buffer, options?: ObjectOptions): S3Object;
  delete(bucket: string, key: string): boolean;
  /** One page of a bucket's keys in S3's order; undefined for a bucket that does not exist. */
  list(bucket: string, query: ListQuery): ListResult | undefined;
}

interface Bucket {
  objects: Map<string, S3Object>;
  /** Every key, in UTF-8 byte order once `sorted`. */
  keys: string[];
  /** Keys are sorted on the next read, so that storing thousands of job outputs is one sort, not thousands of inserts. */
  sorted: boolean;
}

export function createObjectStore(options: ObjectStoreOptions = {}): ObjectStore {
  const buckets = new Map<string, Bucket>();
  const cache = new LRUCache<S3Object, Buffer>({
    maxSize: options.generatedCacheBytes ?? 64 * 1024 * 1024,
    sizeCalculation: (bytes) => Math.max(1, bytes.length),
  });

  const bucketOf = (name: string): Bucket => {
    let bucket = buckets.get(name);
    if (!bucket) {
      bucket = { objects: new Map(), keys: [], sorted: true };
      buckets.set(name, bucket);
    }
    return bucket;
  };

  const store = (bucketName: string, object: S3Object): S3Object => {
    const bucket = bucketOf(bucketName);
    const previous = bucket.objects.get(object.key);
    if (previous) cache.delete(previous);
    else {
      const last = bucket.keys[bucket.keys.length - 1];
      if (last !== undefined && compareKeys(last, object.key) > 0) bucket.sorted = false;
      bucket.keys.push(object.key);
    }
    bucket.objects.set(object.key, object);
    return object;
  };

  return {
    hasBucket: (bucket) => buckets.has(bucket),
    ensureBucket: (bucket) => void bucketOf(bucket),
    get: (bucket, key) => buckets.get(bucket)?.objects.get(key),
    put: (bucket, key, body, objectOptions = {}) => store(bucket, new S3Object(key, body, cache, objectOptions)),
    putGenerated: (bucket, key, generate, objectOptions = {}) => store(bucket, new S3Object(key, generate, cache, objectOptions)),
    delete(bucketName, key) {
      const bucket = buckets.get(bucketName);
      const object = bucket?.objects.get(key);
      if (!bucket || !object) return false;
      cache.delete(object);
      bucket.objects.delete(key);
      bucket.keys.splice(lowerBound(sortedKeys(bucket), key), 1);
      return true;
    },
    list(bucketName, query) {
      const bucket = buckets.get(bucketName);
      return bucket && listPage(bucket, query);
    },
  };
}

function sortedKeys(bucket: Bucket): string[] {
  if (!bucket.sorted) bucket.keys.sort(compareKeys);
  bucket.sorted = true;
  return bucket.keys;
}

function listPage(bucket: Bucket, query: ListQuery): ListResult {
  const keys = sortedKeys(bucket);
  const prefix = query.prefix ?? '';
  const delimiter = query.delimiter || undefined;
  const objects: S3Object[] = [];
  const commonPrefixes: string[] = [];
  // Start at the first key at or after the prefix, past StartAfter and the previous page.
  let i = lowerBound(keys, prefix);
  for (const after of [query.startAfter, query.after]) {
    if (after !== undefined) i = Math.max(i, upperBound(keys, after));
  }
  if (query.after !== undefined && query.afterPrefix) {
    while (i < keys.length && (keys[i] as string).startsWith(query.after)) i++;
  }
  let last: { after: string; afterPrefix: boolean } | undefined;
  while (i < keys.length) {
    const key = keys[i] as string;
    if (!key.startsWith(prefix)) break;
    if (objects.length + commonPrefixes.length === query.maxKeys) return { objects, commonPrefixes, next: last };
    const cut = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
    if (cut < 0) {
      objects.push(bucket.objects.get(key) as S3Object);
      last = { after: key, afterPrefix: false };
      i++;
      continue;
    }
    const common = key.slice(0, cut + (delimiter as string).length);
    commonPrefixes.push(common);
    last = { after: common, afterPrefix: true };
    while (i < keys.length && (keys[i] as string).startsWith(common)) i++;
  }
  return { objects, commonPrefixes };
}

/** S3 orders keys by their UTF-8 bytes; UTF-16 order differs only once surrogates are involved. */
export function compareKeys(a: string, b: string): number {
  if (!/[\ud800-\uffff]/.test(a) && !/[\ud800-\uffff]/.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Index of the first key not before `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid] as string, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first key after `key`. */
function upperBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid] as string, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
