// The lines of a JSONL object, read from a byte offset on with ranged GETs: never the whole object
// in memory, only the range in hand and the part of a line it cut off. Lines are split on bytes
// and decoded only when whole, so a UTF-8 character cut by a range boundary is whole again before
// it is decoded. A reader stops fetching as soon as its consumer stops pulling lines.

/** Bytes `[start, start + length)` of the object; fewer (or none) past its end. */
export type ReadRange = (start: number, length: number) => Promise<Uint8Array>;

export interface JsonlLine {
  /** The line without its ending (LF or CRLF); undefined when it is longer than `maxLineBytes`. */
  text: string | undefined;
  /** Where the line starts: the offset of its first byte. */
  start: number;
  /** Where the next line starts: just past this line's LF, or the object's end for a last line without one. */
  end: number;
  /** For a line longer than `maxLineBytes`: its first kilobyte, decoded (enough to recover an id). */
  head?: string;
}

export interface JsonlReadOptions {
  /** The object's size in bytes (from its listing): reading stops there. */
  size: number;
  /** Where to start: 0, or where a line starts (`JsonlLine.end` of the line before). @default 0 */
  start?: number;
  /**
   * How many bytes the next ranged read asks for, called before each read (a page asks for about
   * what it still needs). Clamped to at least 1 and at most what is left of the object.
   */
  rangeBytes: number | (() => number);
  /**
   * Check that `start` is where a line starts, at the cost of one more byte in the first read (the
   * one before it must be a LF): a resumed read cannot begin in the middle of a line. Throws a
   * `NotALineStartError` when it is not. @default false
   */
  checkLineStart?: boolean;
  /** A line longer than this is yielded with `text` undefined, and its bytes are not kept. @default 32 MiB */
  maxLineBytes?: number;
}

/** `start` was not where a line starts (see `checkLineStart`). */
export class NotALineStartError extends Error {
  override name = 'NotALineStartError';
  constructor(readonly offset: number) {
    super(`byte ${offset} is not the start of a line`);
  }
}

export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const HEAD_BYTES = 1024;

/**
 * Yields every non-empty line from `start` to the object's end (blank and whitespace-only lines
 * are skipped, though offsets count their bytes). A last line without a LF ends at the object's
 * end. A UTF-8 byte order mark at offset 0 is dropped.
 */
export async function* readJsonlLines(read: ReadRange, options: JsonlReadOptions): AsyncGenerator<JsonlLine, void, undefined> {
  const { size, maxLineBytes = DEFAULT_MAX_LINE_BYTES } = options;
  const start = options.start ?? 0;
  const nextRangeBytes = typeof options.rangeBytes === 'number' ? () => options.rangeBytes as number : options.rangeBytes;
  const line = createLineBuffer(maxLineBytes);
  let position = start;
  let lineStart = start;
  // One byte before `start` is read with the first range to check it is a LF.
  let checking = options.checkLineStart === true && start > 0;

  while (position < size) {
    const asked = Math.max(1, Math.min(Math.floor(nextRangeBytes()), size - position));
    const bytes = checking ? await read(position - 1, asked + 1) : await read(position, asked);
    let chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (checking) {
      if (chunk[0] !== LF) throw new NotALineStartError(start);
      chunk = chunk.subarray(1);
      checking = false;
    }
    if (chunk.length === 0) break;
    let at = 0;
    for (;;) {
      const newline = chunk.indexOf(LF, at);
      if (newline === -1) {
        line.keep(chunk.subarray(at), true);
        break;
      }
      line.keep(chunk.subarray(at, newline), false);
      const end = position + newline + 1;
      const whole = line.take(lineStart, end);
      if (whole) yield whole;
      lineStart = end;
      at = newline + 1;
    }
    position += chunk.length;
    // Shorter than asked: the object is shorter than its listing said.
    if (chunk.length < asked) break;
  }
  const last = line.take(lineStart, position);
  if (last) yield last;
}

/** The bytes of the line being read, across ranges; past `maxLineBytes` only its head is kept. */
function createLineBuffer(maxLineBytes: number) {
  let parts: Buffer[] = [];
  let length = 0;
  let head: Buffer | undefined;
  return {
    /** `copy`: the bytes outlive their range (a line continued in the next one), so they are copied. */
    keep(bytes: Buffer, copy: boolean) {
      if (bytes.length === 0) return;
      length += bytes.length;
      if (head) return;
      if (length > maxLineBytes) {
        head = Buffer.concat([...parts, bytes]).subarray(0, HEAD_BYTES);
        parts = [];
        return;
      }
      parts.push(copy ? Buffer.from(bytes) : bytes);
    },
    /** The line that ends at `end`, or undefined when it is blank; empties the buffer. */
    take(start: number, end: number): JsonlLine | undefined {
      if (length === 0 && !head) return undefined;
      let result: JsonlLine | undefined;
      if (head) {
        result = { text: undefined, start, end, head: head.toString('utf8') };
      } else {
        let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
        if (bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
        let text = bytes.toString('utf8');
        if (start === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        result = text.trim() === '' ? undefined : { text, start, end };
      }
      parts = [];
      length = 0;
      head = undefined;
      return result;
    },
  };
}
