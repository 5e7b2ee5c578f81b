// The records a simulated job processed, as Bedrock writes them: for each processed input record
// a line `{"recordId","modelInput","modelOutput"}`, or `"error": {"errorCode","errorMessage"}` in
// place of modelOutput for the job's errorRecordCount failed ones (spread evenly through the
// output, from a per-job starting point), and the manifest that sums them up. Pure functions of
// the job and its input: the same call renders the same bytes, which is what lets the simulator
// regenerate an output instead of keeping it.
import type { SimulatedJob } from '../simulated-job.ts';
import { readRecords, type InputFile } from './job-input.ts';
import { formatFor, promptTextOf, type ModelFormat, type Usage } from './model-formats.ts';
import { hash32, madeUpAnswer, madeUpPrompt, randomFor, taskOf, tokensOf, type Task } from './record-text.ts';

/** The output of one input file: `<name>.out`. */
export interface OutputFile {
  name: string;
  /** The input file it answers, or undefined for made-up records. */
  input: InputFile | undefined;
}

export interface Manifest {
  totalRecordCount: number;
  processedRecordCount: number;
  successRecordCount: number;
  errorRecordCount: number;
  inputTokenCount: number;
  outputTokenCount: number;
}

/** Record-level errors, as batch inference reports them in the output. */
const RECORD_ERRORS = [
  { errorCode: 400, errorMessage: 'Malformed input request, please reformat your input and try again.' },
  { errorCode: 400, errorMessage: 'Input is too long for requested model.' },
  { errorCode: 424, errorMessage: 'The model returned an invalid response. Try the request again.' },
  { errorCode: 429, errorMessage: 'Too many tokens, please wait before trying again.' },
  { errorCode: 500, errorMessage: 'The system encountered an unexpected error during processing. Try your request again.' },
] as const;

/** Where a job's records come from and how they turn out. */
export class JobRecords {
  readonly files: readonly OutputFile[];
  private readonly format: ModelFormat;
  private readonly task: Task;
  private readonly seed: string;
  private readonly processed: number;
  private readonly errors: number;
  /** Where the even spread of failed records starts. */
  private readonly phase: number;
  /** Token totals, known once every record has been rendered (a few numbers, kept). */
  private tokens: { input: number; output: number } | undefined;

  /** `inputs` as they were when the job read them; undefined when its input does not exist. */
  constructor(
    private readonly job: SimulatedJob,
    inputs: readonly InputFile[] | undefined,
  ) {
    const uri = job.inputDataConfig.s3InputDataConfig?.s3Uri ?? '';
    this.seed = uri;
    this.format = formatFor(job.modelId, job.modelInvocationType);
    this.task = taskOf(job.jobName);
    this.processed = job.processedRecordCount ?? 0;
    this.errors = Math.min(this.processed, job.errorRecordCount ?? 0);
    this.phase = this.processed > 0 ? hash32(job.jobId) % this.processed : 0;
    this.files = inputs ? inputs.map((input) => ({ name: input.name, input })) : [{ name: madeUpFileName(uri), input: undefined }];
  }

  /** The bytes of `file`'s `.out`: one JSON line per processed record of it. */
  renderFile(file: OutputFile): Buffer {
    const lines: string[] = [];
    // Every record is walked (a file's records are numbered after those of the files before it),
    // so the token totals come for free; only this file's lines are rendered.
    const tokens = { input: 0, output: 0 };
    for (const record of this.outputRecords(file)) {
      if (record.line !== undefined) lines.push(record.line);
      tokens.input += record.usage?.inputTokens ?? 0;
      tokens.output += record.usage?.outputTokens ?? 0;
    }
    this.tokens ??= tokens;
    return Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}\n`, 'utf8');
  }

  /** `manifest.json.out`: the job's counts, and the tokens of its successful records. */
  manifest(): Manifest {
    if (!this.tokens) {
      const tokens = { input: 0, output: 0 };
      for (const { usage } of this.outputRecords(undefined)) {
        tokens.input += usage?.inputTokens ?? 0;
        tokens.output += usage?.outputTokens ?? 0;
      }
      this.tokens = tokens;
    }
    return {
      totalRecordCount: this.job.totalRecordCount ?? this.processed,
      processedRecordCount: this.processed,
      successRecordCount: this.job.successRecordCount ?? this.processed - this.errors,
      errorRecordCount: this.errors,
      inputTokenCount: this.tokens.input,
      outputTokenCount: this.tokens.output,
    };
  }

  /**
   * Every processed record's usage, and the output lines of `rendered`'s records, in input order;
   * made-up records fill in when the input is short of the job's count.
   */
  private *outputRecords(rendered: OutputFile | undefined): Generator<{ line: string | undefined; usage: Usage | undefined }> {
    let index = 0;
    for (const file of this.files) {
      if (index >= this.processed) return;
      if (file.input) {
        for (const record of readRecords(file.input)) {
          if (index >= this.processed) return;
          const recordId = record.recordId ?? recordIdFor(`${this.seed}/${file.name}`, record.line - 1);
          yield this.outputOf(index, recordId, record.modelInput, file === rendered);
          index += 1;
        }
      }
    }
    // Made-up records: the whole output when there is no input, else what the input lacks.
    const last = this.files[this.files.length - 1] as OutputFile;
    for (; index < this.processed; index++) {
      const record = madeUpRecord(this.seed, index, this.task, this.format);
      yield this.outputOf(index, record.recordId, record.modelInput, last === rendered);
    }
  }

  private outputOf(index: number, recordId: string, modelInput: unknown, render: boolean): { line: string | undefined; usage: Usage | undefined } {
    if (this.failed(index)) {
      if (!render) return { line: undefined, usage: undefined };
      const error = randomFor(`${this.job.jobId}:${index}:error`).pick(RECORD_ERRORS);
      return { line: JSON.stringify({ recordId, modelInput, error }), usage: undefined };
    }
    const rng = randomFor(`${this.job.jobId}:${index}`);
    const answer = madeUpAnswer(this.task, rng);
    const usage = { inputTokens: tokensOf(promptTextOf(modelInput)), outputTokens: this.format.embeddings ? 0 : tokensOf(answer) };
    if (!render) return { line: undefined, usage };
    return { line: JSON.stringify({ recordId, modelInput, modelOutput: this.format.output(answer, usage, rng) }), usage };
  }

  /** Exactly `errors` of the `processed` indexes fail, evenly spread. */
  private failed(index: number): boolean {
    const at = (index + this.phase) % this.processed;
    return Math.floor(((at + 1) * this.errors) / this.processed) > Math.floor((at * this.errors) / this.processed);
  }
}

/** The made-up record `index` of the input at `seed` (its URI), for a job on `format` doing `task`. */
export function madeUpRecord(seed: string, index: number, task: Task, format: ModelFormat): { recordId: string; modelInput: unknown } {
  const rng = randomFor(`${seed}#${index}`);
  return { recordId: recordIdFor(seed, index), modelInput: format.input(madeUpPrompt(task, rng)) };
}

/** A JSONL input of `count` made-up records, as a demo job's input holds them. */
export function madeUpInput(job: Pick<SimulatedJob, 'jobName' | 'modelId' | 'modelInvocationType' | 'inputDataConfig'>, count: number): Buffer {
  const seed = job.inputDataConfig.s3InputDataConfig?.s3Uri ?? '';
  const format = formatFor(job.modelId, job.modelInvocationType);
  const task = taskOf(job.jobName);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify(madeUpRecord(seed, i, task, format)));
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** 11 characters, as Bedrock's own record ids: four letters from the input, then the position. */
function recordIdFor(seed: string, index: number): string {
  const hash = hash32(seed);
  let letters = '';
  for (let i = 0; i < 4; i++) letters += String.fromCharCode(65 + ((hash >>> (i * 5)) % 26));
  return `${letters}${String(index + 1).padStart(7, '0')}`;
}

/** The input file a made-up output answers: the URI's file name, or records.jsonl for a folder. */
function madeUpFileName(uri: string): string {
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  return name === '' || !uri.slice('s3://'.length).includes('/') ? 'records.jsonl' : name;
}
