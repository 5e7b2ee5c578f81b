// A job's input as Bedrock reads it: the JSONL object at `inputDataConfig.s3InputDataConfig.s3Uri`,
// or every `.jsonl` object directly in that folder; one record per non-blank line,
// `{"recordId"?, "modelInput"}`. Inspected when a job is created (count, JSON validity), read
// again when its outputs are generated. When nothing exists at the URI, the simulator makes the
// records up, the same ones every time for the same URI.
import type { InputInspection } from '../lifecycle.ts';
import type { ObjectStore, S3Object } from '../s3/object-store.ts';
import type { InputDataConfig } from '../simulated-job.ts';
import { asFolder, parseS3Uri } from './s3-uri.ts';

/** One input file as it was when the job read it. */
export interface InputFile {
  /** Its name under the input folder; the output file is `<name>.out`. */
  name: string;
  object: S3Object;
}

/** One record of an input file, the line it came from counted from 1. */
export interface InputRecord {
  /** Undefined when the line has none (Bedrock then makes one up). */
  recordId: string | undefined;
  modelInput: unknown;
  line: number;
}

/** The input files at `config`'s URI, or undefined when none exists. */
export function locateInput(store: ObjectStore, config: InputDataConfig | undefined): InputFile[] | undefined {
  const location = parseS3Uri(config?.s3InputDataConfig?.s3Uri ?? '');
  if (!location) return undefined;
  const { bucket, key } = location;
  const single = key === '' || key.endsWith('/') ? undefined : store.get(bucket, key);
  if (single) return [{ name: key.slice(key.lastIndexOf('/') + 1), object: single }];
  const folder = asFolder(key);
  const page = store.list(bucket, { prefix: folder, delimiter: '/', maxKeys: 1000 });
  const files = (page?.objects ?? [])
    .filter((object) => object.key.endsWith('.jsonl'))
    .map((object) => ({ name: object.key.slice(folder.length), object }));
  return files.length > 0 ? files : undefined;
}

/** What is at a job's input location: its record count, the first line that is not a record, or undefined for nothing. */
export function inspectInput(store: ObjectStore, config: InputDataConfig): InputInspection | undefined {
  const files = locateInput(store, config);
  return files && countRecords(files);
}

/** Counts the records of `files`, or names the first line that is not a record. */
function countRecords(files: readonly InputFile[]): InputInspection {
  let records = 0;
  for (const file of files) {
    try {
      for (const _record of readRecords(file)) records += 1;
    } catch (error) {
      return { problem: (error as Error).message };
    }
  }
  return { records };
}

/** The records of a file in order, blank lines skipped; throws at the first line that is not a record. */
export function* readRecords(file: InputFile): Generator<InputRecord> {
  const text = file.object.body().toString('utf8');
  let line = 0;
  // A byte order mark is not part of the first record.
  for (let start = text.startsWith('\ufeff') ? 1 : 0; start < text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    line += 1;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(`The input file ${file.name} contains records that are not valid JSON (first at line ${line}).`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !('modelInput' in value)) {
      throw new Error(`The input file ${file.name} contains records without a modelInput (first at line ${line}).`);
    }
    const { recordId, modelInput } = value as { recordId?: unknown; modelInput: unknown };
    yield { recordId: typeof recordId === 'string' && recordId !== '' ? recordId : undefined, modelInput, line };
  }
}
