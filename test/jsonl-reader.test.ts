// The JSONL reader over ranged reads: lines and UTF-8 characters cut by range boundaries, CRLF,
// blank lines, a last line without a newline, resuming at an offset, and what it fetches.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotALineStartError, readJsonlLines, type JsonlLine, type ReadRange } from '../src/results/jsonl-reader.ts';

/** An object in memory read through ranges, with every read recorded as [start, length]. */
function objectOf(text: string | Buffer) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const reads: Array<[number, number]> = [];
  const read: ReadRange = async (start, length) => {
    reads.push([start, length]);
    return bytes.subarray(start, start + length);
  };
  return { bytes, size: bytes.length, read, reads };
}

async function collect(lines: AsyncIterable<JsonlLine>): Promise<JsonlLine[]> {
  const all: JsonlLine[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

describe('splitting lines across ranged reads', () => {
  it('should yield whole lines whatever the range size', async () => {
    const text = '{"recordId":"a"}\n{"recordId":"bb"}\n{"recordId":"ccc"}\n';
    for (const rangeBytes of [1, 2, 3, 5, 7, 16, 17, 18, 1024]) {
      const object = objectOf(text);
      const lines = await collect(readJsonlLines(object.read, { size: object.size, rangeBytes }));
      expect(lines.map((line) => line.text), `range ${rangeBytes}`).toEqual(['{"recordId":"a"}', '{"recordId":"bb"}', '{"recordId":"ccc"}']);
      expect(lines.map((line) => [line.start, line.end])).toEqual([[0, 17], [17, 35], [35, 54]]);
    }
  });

  it('should decode a UTF-8 character cut by a range boundary', async () => {
    // "é" is 2 bytes, "€" 3 and "😀" 4: ranges of 1 to 5 bytes cut each of them somewhere.
    const text = '{"t":"é€😀"}\n{"t":"😀😀"}\n';
    for (let rangeBytes = 1; rangeBytes <= 5; rangeBytes++) {
      const object = objectOf(text);
      const lines = await collect(readJsonlLines(object.read, { size: object.size, rangeBytes }));
      expect(lines.map((line) => line.text)).toEqual(['{"t":"é€😀"}', '{"t":"😀😀"}']);
    }
  });

  it('should yield a last line that has no newline', async () => {
    const object = objectOf('{"a":1}\n{"b":2}');
    const lines = await collect(readJsonlLines(object.read, { size: object.size, rangeBytes: 3 }));
    expect(lines.map((line) => [line.text, line.start, line.end])).toEqual([
      ['{"a":1}', 0, 8],
      ['{"b":2}', 8, 15],
    ]);
  });

  it('should drop the CR of CRLF endings, even when the CR and LF are in different ranges', async () => {
    const text = '{"a":1}\r\n{"b":2}\r\n{"c":3}\r';
    for (const rangeBytes of [1, 8, 9, 10, 100]) {
      const object = objectOf(text);
      const lines = await collect(readJsonlLines(object.read, { size: object.size, rangeBytes }));
      expect(lines.map((line) => line.text)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
      expect(lines.map((line) => line.end)).toEqual([9, 18, 26]);
    }
  });

  it('should skip empty and blank lines but count their bytes', async () => {
    const object = objectOf('\n\n{"a":1}\n  \n\r\n{"b":2}\n\n');
    const lines = await collect(readJsonlLines(object.read, { size: object.size, rangeBytes: 4 }));
    expect(lines.map((line) => [line.text, line.start, line.end])).toEqual([
      ['{"a":1}', 2, 10],
      ['{"b":2}', 15, 23],
    ]);
  });

  it('should yield nothing for an empty object, and read nothing', async () => {
    const object = objectOf('');
    expect(await collect(readJsonlLines(object.read, { size: 0, rangeBytes: 10 }))).toEqual([]);
    expect(object.reads).toEqual([]);
  });

  it('should drop a byte order mark at the start of the object', async () => {
    const object = objectOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n')]));
    const lines = await collect(readJsonlLines(object.read, { size: object.size, rangeBytes: 2 }));
    expect(lines.map((line) => [line.text, line.start, line.end])).toEqual([['{"a":1}', 0, 11]]);
  });

  it('should hold any text split at any ranges to the lines of a plain split (property)', async () => {
    const lineText = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ''));
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineText, { maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
        async (texts, ending, trailing, sizes) => {
          const text = texts.join(ending) + (trailing ? ending : '');
          const object = objectOf(text);
          let n = 0;
          const lines = await collect(readJsonlLines(object.read, { size: object.size, rangeBytes: () => sizes[n++ % sizes.length]! }));
          expect(lines.map((line) => line.text)).toEqual(texts.filter((t) => t.trim() !== ''));
          // Each line's bytes are exactly the text between its offsets.
          for (const line of lines) {
            expect(object.bytes.subarray(line.start, line.end).toString('utf8').replace(/\r?\n$/, '')).toBe(line.text);
          }
        },
      ),
    );
  });
});

describe('resuming and stopping', () => {
  const text = '{"a":1}\n{"b":2}\n{"c":3}\n';

  it('should resume at a line start, checking the byte before it is a newline', async () => {
    const object = objectOf(text);
    const lines = await collect(readJsonlLines(object.read, { size: object.size, start: 8, rangeBytes: 100, checkLineStart: true }));
    expect(lines.map((line) => line.text)).toEqual(['{"b":2}', '{"c":3}']);
    expect(object.reads).toEqual([[7, 17]]);
  });

  it('should refuse to resume in the middle of a line', async () => {
    const object = objectOf(text);
    await expect(collect(readJsonlLines(object.read, { size: object.size, start: 9, rangeBytes: 100, checkLineStart: true }))).rejects.toBeInstanceOf(
      NotALineStartError,
    );
  });

  it('should fetch nothing more once the consumer stops', async () => {
    const object = objectOf(text.repeat(100));
    const lines = readJsonlLines(object.read, { size: object.size, rangeBytes: 16 });
    const first = await lines.next();
    expect(first.value?.text).toBe('{"a":1}');
    await lines.return(undefined);
    expect(object.reads).toEqual([[0, 16]]);
  });

  it('should ask each read for what rangeBytes says, within what is left', async () => {
    const object = objectOf(text);
    const sizes = [5, 10, 100];
    await collect(readJsonlLines(object.read, { size: object.size, rangeBytes: () => sizes.shift() ?? 1 }));
    expect(object.reads).toEqual([[0, 5], [5, 10], [15, 9]]);
  });

  it('should stop at an object shorter than its listed size', async () => {
    const object = objectOf('{"a":1}\n{"b"');
    const lines = await collect(readJsonlLines(object.read, { size: 1000, rangeBytes: 4 }));
    expect(lines.map((line) => [line.text, line.end])).toEqual([['{"a":1}', 8], ['{"b"', 12]]);
  });
});

describe('long lines', () => {
  it('should yield a line longer than maxLineBytes without its text, keeping its head, and go on', async () => {
    const long = `{"recordId":"big","modelInput":"${'x'.repeat(5000)}"}`;
    const object = objectOf(`${long}\n{"recordId":"small"}\n`);
    const lines = await collect(readJsonlLines(object.read, { size: object.size, rangeBytes: 300, maxLineBytes: 2000 }));
    expect(lines).toHaveLength(2);
    expect(lines[0]!.text).toBeUndefined();
    expect(lines[0]!.head).toMatch(/^\{"recordId":"big"/);
    expect(lines[0]!.head!.length).toBe(1024);
    expect([lines[0]!.start, lines[0]!.end]).toEqual([0, long.length + 1]);
    expect(lines[1]!.text).toBe('{"recordId":"small"}');
  });
});
