// What the ModelInvocationJob.results tests (results-records.test.ts, results-metadata.test.ts)
// share: a gateway that requires API keys and prices one model, and finished jobs whose outputs are
// written into the simulator's S3 the way Bedrock writes them.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startTestGateway, type TestGateway } from './test-gateway.ts';

export const KEYS = {
  none: 'results-test-scopeless-key-0123456789',
  reader: 'results-test-reader-key-0123456789',
  full: 'results-test-full-key-0123456789',
};
export const PRICED_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
export const UNPRICED_MODEL = 'meta.llama3-1-70b-instruct-v1:0';
export const BUCKET = 'results-test-output';

export const as = (key: string) => ({ headers: { 'x-api-key': key } });

/**
 * Starts the gateway before the file's tests (handing it to `onStart`), forgets its S3 counters
 * and refusals after each test, and closes it after the last.
 */
export function useResultsGateway(onStart: (t: TestGateway) => void): void {
  let t: TestGateway | undefined;
  beforeAll(async () => {
    t = await startTestGateway({
      AUTH_REQUIRED: 'true',
      GATEWAY_API_KEYS: JSON.stringify({ [KEYS.none]: ['results:read'], [KEYS.reader]: ['jobs:read'], [KEYS.full]: ['jobs:read', 'results:read'] }),
      MODEL_PRICES: JSON.stringify({ [PRICED_MODEL]: { input: 0.125, output: 0.625 } }),
      RATE_LIMIT_RPS: '0',
      // Pages of 1000 records are large answers; every page must be answered, not cached.
      RESPONSE_CACHE_SIZE: '0',
    });
    onStart(t);
  });
  afterEach(() => t?.simulator.s3.reset());
  afterAll(() => t?.close());
}

// ---- Outputs written the way Bedrock writes them ----------------------------------------------

export interface SeededRecord {
  recordId: string;
  failed: boolean;
  malformed?: boolean;
}

export interface SeededJob {
  jobId: string;
  /** The .out files as put, by name. */
  files: Map<string, Buffer>;
  records: SeededRecord[];
  /** Bytes of all .out files. */
  outputBytes: number;
}

export interface SeedOptions {
  /** Record counts per `.out` file, by name. */
  files: Record<string, number>;
  /** Every `failEvery`-th record failed. */
  failEvery?: number;
  recordBytes?: number;
  modelId?: string;
  /** The manifest is written unless false. */
  manifest?: boolean;
  trailingSlash?: boolean;
  /** Lines to put in place of some records' lines, by record index. */
  replace?: Record<number, string>;
}

/** A line of ~`size` bytes (some non-ASCII), as Bedrock writes it for a record that succeeded or failed. */
function recordLine(recordId: string, failed: boolean, size: number): string {
  const modelInput = { messages: [{ role: 'user', content: `Résumé ${recordId} 😀 ${'x'.repeat(Math.max(0, size - 300))}` }], max_tokens: 200 };
  const line = failed
    ? { recordId, modelInput, error: { errorCode: 400, errorMessage: `Malformed input request for ${recordId}` } }
    : { recordId, modelInput, modelOutput: { content: [{ type: 'text', text: `ok ${recordId}` }], usage: { input_tokens: 12, output_tokens: 3 } } };
  return JSON.stringify(line);
}

/**
 * A finished job whose output folder, under `run-<run>/` in BUCKET, holds `files` (record counts
 * per `.out` file), every `failEvery`-th record failed, plus the manifest unless `manifest: false`.
 */
export function seedOutput(t: TestGateway, run: number, options: SeedOptions): SeededJob {
  const prefix = `run-${run}${options.trailingSlash === false ? '' : '/'}`;
  const job = t.simulator.engine.createJob(
    {
      status: 'PartiallyCompleted',
      modelId: options.modelId ?? PRICED_MODEL,
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${BUCKET}/${prefix}` } },
    },
    { paused: true },
  );
  const folder = `run-${run}/${job.jobId}/`;
  // The counts are the output's own; the simulator writes outputs of its own when a job
  // finishes, which are replaced by these.
  t.simulator.engine.setStatus(job.jobId, 'PartiallyCompleted', countsOf(options.files, options.failEvery, options.replace));
  for (const key of t.simulator.s3.listKeys(BUCKET, folder)) t.simulator.s3.deleteObject(BUCKET, key);
  const records: SeededRecord[] = [];
  const files = new Map<string, Buffer>();
  let index = 0;
  for (const [name, count] of Object.entries(options.files)) {
    const lines: string[] = [];
    for (let i = 0; i < count; i++, index++) {
      const recordId = `REC${String(index).padStart(8, '0')}`;
      const failed = options.failEvery !== undefined && index % options.failEvery === options.failEvery - 1;
      const replaced = options.replace?.[index];
      // Sizes vary around recordBytes, so a page cannot know its bytes in advance.
      lines.push(replaced ?? recordLine(recordId, failed, (options.recordBytes ?? 1000) - 100 + ((index * 37) % 200)));
      records.push({ recordId, failed: replaced !== undefined || failed, malformed: replaced !== undefined });
    }
    const body = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    files.set(name, body);
    t.simulator.s3.putObject(BUCKET, `${folder}${name}`, body);
  }
  const failedCount = records.filter((r) => r.failed).length;
  if (options.manifest !== false) {
    t.simulator.s3.putObject(
      BUCKET,
      `${folder}manifest.json.out`,
      JSON.stringify({
        totalRecordCount: records.length,
        processedRecordCount: records.length,
        successRecordCount: records.length - failedCount,
        errorRecordCount: failedCount,
        inputTokenCount: 2_000_000,
        outputTokenCount: 400_000,
      }),
    );
  }
  const outputBytes = [...files.values()].reduce((sum, body) => sum + body.length, 0);
  return { jobId: job.jobId, files, records, outputBytes };
}

/** The record counts seedOutput's output will have. */
function countsOf(files: Record<string, number>, failEvery: number | undefined, replace: Record<number, string> = {}) {
  const total = Object.values(files).reduce((sum, count) => sum + count, 0);
  let failed = 0;
  for (let index = 0; index < total; index++) {
    if (index in replace || (failEvery !== undefined && index % failEvery === failEvery - 1)) failed++;
  }
  return { totalRecordCount: total, processedRecordCount: total, successRecordCount: total - failed, errorRecordCount: failed };
}
