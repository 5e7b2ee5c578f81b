// One line of a job's `.out` file as a record: `{recordId, modelInput, modelOutput}`, or
// `{recordId, modelInput, error: {errorCode, errorMessage}}` for a record Bedrock could not
// process. A line that is neither is still a record, one whose error says what is wrong with it
// (MALFORMED_RECORD), so that a bad line never stops anyone reading the lines after it.
import type { JsonlLine } from './jsonl-reader.ts';

/** Why a record has no output: Bedrock said so, or its line could not be read. */
export type RecordErrorKind = 'MODEL_INVOCATION_ERROR' | 'MALFORMED_RECORD';

export interface OutputRecordError {
  /** `MODEL_INVOCATION_ERROR`: Bedrock's error; `MALFORMED_RECORD`: the line is not a record. */
  code: RecordErrorKind;
  /** Bedrock's numeric error code (an HTTP status such as 400); null when it gave none, and for a malformed line. */
  errorCode: number | null;
  errorMessage: string | null;
}

export interface OutputRecord {
  /** The input record's id; for a malformed line whatever id could be read from it, else "". */
  recordId: string;
  /** The request sent to the model, as in the input; undefined when the line does not have it. */
  modelInput: unknown;
  /** The model's answer; undefined for a failed or malformed record. */
  modelOutput: unknown;
  error: OutputRecordError | null;
  /** The name of the `.out` object the record is in (the key's last part). */
  file: string;
}

/** The record on a line of `file`. Never throws. */
export function parseOutputRecord(line: JsonlLine, file: string): OutputRecord {
  if (line.text === undefined) {
    return malformed(recordIdIn(line.head ?? ''), file, `the line at bytes ${line.start}–${line.end} is longer than the gateway reads (${line.end - line.start} bytes)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (error) {
    return malformed(recordIdIn(line.text), file, `the line at bytes ${line.start}–${line.end} is not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return malformed('', file, `the line at bytes ${line.start}–${line.end} is not a JSON object`);
  }
  const { recordId, modelInput, modelOutput, error } = value as Record<string, unknown>;
  if (typeof recordId !== 'string') {
    return malformed('', file, `the line at bytes ${line.start}–${line.end} has no string recordId`, modelInput);
  }
  if (error !== undefined && error !== null) {
    if (typeof error !== 'object' || Array.isArray(error)) {
      return malformed(recordId, file, `the record's error is not an object`, modelInput);
    }
    const { errorCode, errorMessage } = error as Record<string, unknown>;
    return {
      recordId,
      modelInput,
      modelOutput: undefined,
      error: {
        code: 'MODEL_INVOCATION_ERROR',
        errorCode: toErrorCode(errorCode),
        errorMessage: typeof errorMessage === 'string' ? errorMessage : errorMessage === undefined || errorMessage === null ? null : JSON.stringify(errorMessage),
      },
      file,
    };
  }
  if (modelOutput === undefined) {
    return malformed(recordId, file, 'the record has neither modelOutput nor error', modelInput);
  }
  return { recordId, modelInput, modelOutput, error: null, file };
}

function malformed(recordId: string, file: string, why: string, modelInput?: unknown): OutputRecord {
  return {
    recordId,
    modelInput,
    modelOutput: undefined,
    error: { code: 'MALFORMED_RECORD', errorCode: null, errorMessage: `MALFORMED_RECORD: ${why}` },
    file,
  };
}

/** Bedrock's code is a number; a numeric string is read as one, anything else is no code. */
function toErrorCode(value: unknown): number | null {
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && Math.abs(number) <= 0x7fffffff ? number : null;
}

/** The recordId of a line that does not parse, when its text still shows one. */
function recordIdIn(text: string): string {
  const match = /"recordId"\s*:\s*"((?:[^"\\]|\\.){0,256})"/.exec(text);
  if (!match) return '';
  try {
    return JSON.parse(`"${match[1]}"`) as string;
  } catch {
    return '';
  }
}
