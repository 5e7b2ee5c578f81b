// Relay-style pages over a job's output records, streamed from S3 with ranged reads. A cursor is
// a position in the output, the `.out` file and the byte offset where the next line starts, bound
// to the job and filter it was issued for. A page continues from that offset and asks S3 for about
// the bytes it still needs (its records times the bytes a record takes so far), so paging through
// the whole output reads about the output's size once, not a file or a range per page.
import { ErrorCode, createGatewayError } from '../errors.ts';
import { NotALineStartError, readJsonlLines, type JsonlLine } from './jsonl-reader.ts';
import type { OutputListing } from './output-files.ts';
import { parseOutputRecord, type OutputRecord } from './output-record.ts';
import type { ResultsStorage } from './storage.ts';

export const MAX_RECORD_PAGE_SIZE = 1000;
export const MAX_RECORD_IDS = 100;
/** The largest ranged read; a page that needs more reads several. */
export const MAX_RANGE_BYTES = 1024 * 1024;
/** The smallest ranged read (a page's last few records). */
const MIN_RANGE_BYTES = 8 * 1024;
/** Bytes a record is guessed to take before anything is known. */
const GUESSED_RECORD_BYTES = 1024;
/** A page stops scanning past this many bytes (see RecordPageOptions.scanBudgetBytes). */
export const DEFAULT_SCAN_BUDGET_BYTES = 64 * 1024 * 1024;

/** Where a line starts in the output: a `.out` file (its name in the folder) and a byte offset. */
export interface RecordPosition {
  file: string;
  offset: number;
}

export interface RecordFilter {
  /** Only records with an error (Bedrock's, or MALFORMED_RECORD). */
  errorsOnly?: boolean;
  /** Only records with these ids (the first record found for each). */
  recordIds?: readonly string[];
}

export interface RecordPageRequest {
  /** 1 to MAX_RECORD_PAGE_SIZE. */
  first: number;
  after?: string;
  filter?: RecordFilter;
}

export interface RecordEdge {
  node: OutputRecord;
  cursor: string;
}

export interface RecordConnection {
  edges: RecordEdge[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** The output to page through. */
export interface RecordSource {
  storage: ResultsStorage;
  listing: OutputListing;
  /** Bound into cursors, so that one job's cursor is refused by another's records. */
  jobId: string;
  /** Records in the output (the job's processed count), to size a page's first read; unknown: 1 KiB each is guessed. */
  recordCount?: number;
  /** Failed records among them, to size the reads of an `errorsOnly` page. */
  errorRecordCount?: number;
}

export interface RecordPageOptions {
  /**
   * Bytes one page scans at most before it returns what it has (fewer than `first`, maybe none)
   * with `hasNextPage` and an `endCursor` where it stopped: a filter matching nothing in a large
   * output costs several requests rather than one unbounded one. A page holds at least one record
   * when there is one. @default 64 MiB
   */
  scanBudgetBytes?: number;
}

export interface ScannedRecord {
  record: OutputRecord;
  line: JsonlLine;
  /** Where the line after this record starts: the cursor position that continues after it. */
  after: RecordPosition;
}

export interface ScanOptions {
  /** Where to start; the first file's start by default. */
  from?: RecordPosition;
  /** Check that `from` is where a line starts (a position from a client). @default false */
  checkFrom?: boolean;
  /** How many bytes each ranged read asks for. @default MAX_RANGE_BYTES */
  rangeBytes?: number | (() => number);
}

/**
 * Every record of the output from a position on, file after file in key order, read with ranged
 * GETs as the consumer pulls. Stopping the iteration stops the reading. Rejects with a plain Error
 * when `from` names no file of the listing or lies past its end, and with a NotALineStartError
 * when `checkFrom` finds it in the middle of a line.
 */
export async function* scanRecords(storage: ResultsStorage, listing: OutputListing, options: ScanOptions = {}): AsyncGenerator<ScannedRecord, void, undefined> {
  const { files, folder } = listing;
  const { from, rangeBytes = MAX_RANGE_BYTES } = options;
  const first = from ? files.findIndex((file) => file.name === from.file) : 0;
  if (from && (first === -1 || from.offset > files[first]!.size)) throw new Error(`${from.file}@${from.offset} is not in the output`);
  for (let index = first; index < files.length; index++) {
    const file = files[index]!;
    const start = from && index === first ? from.offset : 0;
    const read = (offset: number, length: number) => storage.getRange(folder.bucket, file.key, offset, length);
    const lines = readJsonlLines(read, { size: file.size, start, rangeBytes, checkLineStart: options.checkFrom === true && start > 0 });
    for await (const line of lines) {
      yield { record: parseOutputRecord(line, file.name), line, after: { file: file.name, offset: line.end } };
    }
  }
}

/** One page of records, from `after` on, that match the filter. */
export async function readRecordPage(source: RecordSource, request: RecordPageRequest, options: RecordPageOptions = {}): Promise<RecordConnection> {
  const { first } = request;
  const filter = request.filter ?? {};
  if (!Number.isInteger(first) || first < 1 || first > MAX_RECORD_PAGE_SIZE) {
    throw createGatewayError(ErrorCode.BAD_USER_INPUT, `first must be from 1 to ${MAX_RECORD_PAGE_SIZE} (got ${first})`, { argument: 'first' });
  }
  const ids = filter.recordIds && new Set(filter.recordIds);
  if (filter.recordIds && filter.recordIds.length > MAX_RECORD_IDS) {
    throw createGatewayError(
      ErrorCode.BAD_USER_INPUT,
      `filter.recordIds accepts at most ${MAX_RECORD_IDS} ids (got ${filter.recordIds.length})`,
      { argument: 'filter' },
    );
  }
  const scope = scopeOf(source.jobId, filter);
  const from = request.after === undefined ? undefined : decodeCursor(request.after, scope, source.listing);
  const budget = options.scanBudgetBytes ?? DEFAULT_SCAN_BUDGET_BYTES;

  const edges: RecordEdge[] = [];
  const unfound = new Set(ids);
  // Scanned so far, and where the scan stands.
  let lines = 0;
  let bytes = 0;
  let at = from;
  let stoppedEarly = false;
  const perRecord = () => (lines >= 8 ? bytes / lines : bytesPerRecord(source));
  const rangeBytes = () => {
    const needed = first - edges.length;
    let estimate: number;
    if (ids) estimate = MAX_RANGE_BYTES;
    else if (filter.errorsOnly) estimate = errorDensity(source) > 0 ? (needed / errorDensity(source)) * perRecord() * 1.1 : MAX_RANGE_BYTES;
    // A little more than the records still needed: one short read more costs a request, one long
    // read more costs bytes read again by the next page.
    else estimate = needed * perRecord() * 1.02 + 256;
    return Math.min(MAX_RANGE_BYTES, Math.max(MIN_RANGE_BYTES, Math.ceil(estimate)));
  };

  // `recordIds: []` asks for nothing: nothing is read.
  if (ids?.size !== 0) {
    try {
      for await (const { record, line, after } of scanRecords(source.storage, source.listing, { from, checkFrom: true, rangeBytes })) {
        lines++;
        bytes += line.end - line.start;
        at = after;
        const match = (!filter.errorsOnly || record.error !== null) && (!ids || unfound.delete(record.recordId));
        if (match) edges.push({ node: record, cursor: encodeCursor(scope, after) });
        if (edges.length === first || (ids && unfound.size === 0)) break;
        // Past the budget, even with no record (an unfiltered page has one by then).
        if (bytes >= budget) {
          stoppedEarly = true;
          break;
        }
      }
    } catch (error) {
      if (error instanceof NotALineStartError) throw notIssued();
      throw error;
    }
  }

  const full = edges.length === first;
  const hasNextPage = stoppedEarly || (full && !(ids && unfound.size === 0) && at !== undefined && hasBytesAfter(source.listing, at));
  const endCursor = stoppedEarly && at ? encodeCursor(scope, at) : (edges.at(-1)?.cursor ?? null);
  return {
    edges,
    pageInfo: { hasNextPage, hasPreviousPage: request.after !== undefined, startCursor: edges[0]?.cursor ?? null, endCursor },
  };
}

/** Average bytes of a record of the output, from its size and record count. */
function bytesPerRecord({ listing, recordCount }: RecordSource): number {
  const total = listing.files.reduce((sum, file) => sum + file.size, 0);
  return recordCount && recordCount > 0 && total > 0 ? total / recordCount : GUESSED_RECORD_BYTES;
}

/** The share of failed records, 0 when unknown. */
function errorDensity({ recordCount, errorRecordCount }: RecordSource): number {
  return recordCount && errorRecordCount ? Math.min(1, errorRecordCount / recordCount) : 0;
}

/** Whether any byte of the output lies past `position`. */
function hasBytesAfter({ files }: OutputListing, position: RecordPosition): boolean {
  const index = files.findIndex((file) => file.name === position.file);
  if (index === -1) return false;
  return position.offset < files[index]!.size || files.slice(index + 1).some((file) => file.size > 0);
}

/** A cursor is `[scope, file, offset]` as JSON in base64url. */
function encodeCursor(scope: string, { file, offset }: RecordPosition): string {
  return Buffer.from(JSON.stringify([scope, file, offset])).toString('base64url');
}

const notIssued = () => createGatewayError(ErrorCode.BAD_USER_INPUT, 'after is not a cursor this API issued', { argument: 'after' });

// As in bedrock/job-pages.ts: cursors carry no signature, every field is checked and a cursor
// must encode back to the very text given. The offset must also be where a line starts, which
// the page's first read checks for one byte more. A forged cursor can only choose where in an
// output the caller may read anyway a page starts.
function decodeCursor(value: string, scope: string, listing: OutputListing): RecordPosition {
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    fields = undefined;
  }
  const [issuedFor, file, offset] = Array.isArray(fields) && fields.length === 3 ? fields : [];
  const valid =
    typeof issuedFor === 'string' &&
    typeof file === 'string' &&
    Number.isSafeInteger(offset) &&
    offset >= 0 &&
    encodeCursor(issuedFor, { file, offset }) === value;
  if (!valid) throw notIssued();
  if (issuedFor !== scope) {
    throw createGatewayError(
      ErrorCode.BAD_USER_INPUT,
      "after belongs to another job's records or another filter; page with the arguments that issued it",
      { argument: 'after' },
    );
  }
  const known = listing.files.find((f) => f.name === file);
  if (!known || offset > known.size) throw notIssued();
  return { file, offset };
}

/** What a cursor is bound to: the job and the filter (ids in any order). */
function scopeOf(jobId: string, filter: RecordFilter): string {
  const ids = filter.recordIds ? [...new Set(filter.recordIds)].sort() : null;
  const text = JSON.stringify([jobId, filter.errorsOnly === true, ids]);
  // FNV-1a: a short fingerprint is enough to catch a cursor reused with other arguments.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}
