// A job's output folder as Bedrock leaves it: one `<input file>.out` per input file and
// `manifest.json.out` with the record and token counts, under `<output s3Uri>/<jobId>/`.
import { ErrorCode, createGatewayError } from '../errors.ts';
import { formatS3Uri, type S3Location } from './s3-uri.ts';
import type { ResultsStorage, StoredObject } from './storage.ts';

export const MANIFEST_NAME = 'manifest.json.out';
/** A manifest is a few hundred bytes; anything near this is not one. */
const MAX_MANIFEST_BYTES = 64 * 1024;

/** A `.out` file of records. */
export interface OutputFile extends StoredObject {
  /** The key after the job's folder: the input file's name plus `.out`. */
  name: string;
}

/** What the output folder holds, from one listing. */
export interface OutputListing {
  folder: S3Location;
  /** The `.out` record files in key order; the manifest is not one of them. Empty when the folder is missing. */
  files: OutputFile[];
  /** The manifest object, when it exists. */
  manifest: StoredObject | undefined;
}

/** `manifest.json.out`. Token counts are null in a manifest that does not have them. */
export interface OutputManifest {
  totalRecordCount: number;
  processedRecordCount: number;
  successRecordCount: number;
  errorRecordCount: number;
  inputTokenCount: number | null;
  outputTokenCount: number | null;
}

/** Lists the folder (one ListObjectsV2 call for up to 1000 objects). */
export async function listOutput(storage: ResultsStorage, folder: S3Location): Promise<OutputListing> {
  const objects = await storage.list(folder.bucket, folder.key);
  const files: OutputFile[] = [];
  let manifest: StoredObject | undefined;
  for (const object of objects) {
    const name = object.key.slice(folder.key.length);
    if (name === MANIFEST_NAME) manifest = object;
    else if (name.endsWith('.out')) files.push({ ...object, name });
  }
  return { folder, files, manifest };
}

/** The manifest's counts; null while it does not exist. Rejects with UPSTREAM_UNAVAILABLE when it is not a manifest. */
export async function readManifest(storage: ResultsStorage, listing: OutputListing): Promise<OutputManifest | null> {
  if (!listing.manifest) return null;
  const { bucket } = listing.folder;
  const bytes = await storage.get(bucket, listing.manifest.key, { maxBytes: MAX_MANIFEST_BYTES });
  if (bytes === undefined) return null;
  try {
    return parseManifest(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw createGatewayError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      `${formatS3Uri({ bucket, key: listing.manifest.key })} is not a manifest Bedrock writes: ${(error as Error).message}`,
    );
  }
}

const RECORD_COUNTS = ['totalRecordCount', 'processedRecordCount', 'successRecordCount', 'errorRecordCount'] as const;
const TOKEN_COUNTS = ['inputTokenCount', 'outputTokenCount'] as const;

/** The manifest's text → counts; throws an Error saying what is wrong with it. */
export function parseManifest(text: string): OutputManifest {
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
  const fields = value as Record<string, unknown>;
  const count = (name: string): number | null => {
    const n = fields[name];
    if (n === undefined || n === null) return null;
    if (!Number.isSafeInteger(n) || (n as number) < 0) throw new Error(`${name} is not a count (${JSON.stringify(n)})`);
    return n as number;
  };
  const manifest = {} as Record<string, number | null>;
  for (const name of RECORD_COUNTS) {
    manifest[name] = count(name);
    if (manifest[name] === null) throw new Error(`${name} is missing`);
  }
  for (const name of TOKEN_COUNTS) manifest[name] = count(name);
  return manifest as unknown as OutputManifest;
}
