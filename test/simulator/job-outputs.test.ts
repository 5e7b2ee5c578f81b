// What simulated jobs read and write in the simulator's S3, read back through the real S3 client:
// inputs counted at creation (and held to Bedrock's minimum of 100 records), `<input>.out` record
// files and `manifest.json.out` under `<output>/<jobId>/` when a job finishes, failed records for
// PartiallyCompleted, made-up records when the input does not exist, and the demo data.
import { CreateModelInvocationJobCommand, GetModelInvocationJobCommand, type BedrockClient } from '@aws-sdk/client-bedrock';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTerminalStatus, type SimulatedJob, type Simulator } from '../../src/simulator/index.ts';
import { clientFor, s3ClientFor, useSimulator } from './harness.ts';
import type { Manifest } from '../../src/simulator/job-data/job-records.ts';

interface OutputLine {
  recordId: string;
  modelInput: unknown;
  modelOutput?: Record<string, unknown>;
  error?: { errorCode: number; errorMessage: string };
}


const BUCKET = 'batch-data';

let sim: Simulator;
let s3: S3Client;
let bedrock: BedrockClient;
beforeAll(async () => {
  sim = await useSimulator();
  // Jobs move only when a test moves them.
  sim.engine.pause();
  s3 = s3ClientFor(sim);
  bedrock = clientFor(sim);
  sim.s3.createBucket(BUCKET);
});

const anthropicInput = (text: string) => ({
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 256,
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
});
const jsonl = (records: object[]) => `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
const inputRecords = (count: number, prefix = 'rec') =>
  Array.from({ length: count }, (_, i) => ({ recordId: `${prefix}-${String(i).padStart(5, '0')}`, modelInput: anthropicInput(`Summarise note ${i}: café — ok`) }));
const dataConfig = (input: string, output: string) => ({
  inputDataConfig: { s3InputDataConfig: { s3InputFormat: 'JSONL' as const, s3Uri: input } },
  outputDataConfig: { s3OutputDataConfig: { s3Uri: output } },
});

/** Moves a paused job step by step until it finishes. */
function runToEnd(job: SimulatedJob): SimulatedJob {
  let current = job;
  for (let step = 0; step < 100 && !isTerminalStatus(current.status); step++) current = sim.engine.advance(job.jobId);
  expect(isTerminalStatus(current.status)).toBe(true);
  return current;
}

/** The job's output folder read through the S3 client: record files by name, and the manifest. */
async function readOutputs(job: SimulatedJob): Promise<{ files: Map<string, OutputLine[]>; manifest: Manifest | undefined }> {
  const uri = /^s3:\/\/([^/]+)\/(.*)$/.exec(job.outputDataConfig.s3OutputDataConfig?.s3Uri ?? '')!;
  const bucket = uri[1]!;
  const prefix = `${uri[2]!.replace(/\/?$/, '/').replace(/^\/$/, '')}${job.jobId}/`;
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const files = new Map<string, OutputLine[]>();
  let manifest: Manifest | undefined;
  for (const { Key } of listed.Contents ?? []) {
    // A full GET: the SDK validates the body against the checksum S3 sends with it.
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToString();
    const name = Key!.slice(prefix.length);
    if (name === 'manifest.json.out') manifest = JSON.parse(body) as Manifest;
    else files.set(name, body === '' ? [] : body.trimEnd().split('\n').map((line) => JSON.parse(line) as OutputLine));
  }
  return { files, manifest };
}

/** Input and output tokens as the record reports them, for the families that report them. */
function usageOf(output: Record<string, any>): { input: number; output: number } {
  if (output.usage?.input_tokens !== undefined) return { input: output.usage.input_tokens, output: output.usage.output_tokens };
  if (output.usage?.inputTokens !== undefined) return { input: output.usage.inputTokens, output: output.usage.outputTokens };
  if (output.prompt_token_count !== undefined) return { input: output.prompt_token_count, output: output.generation_token_count };
  if (output.results) return { input: output.inputTextTokenCount, output: output.results[0].tokenCount };
  if (output.embedding) return { input: output.inputTextTokenCount, output: 0 };
  throw new Error(`no usage in ${JSON.stringify(output).slice(0, 100)}`);
}

describe('a job whose input exists', () => {
  it('should count an input a client put through S3 and, once finished, write an output line for each of its records', async () => {
    const records = inputRecords(150);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'input/retries/retry-1.jsonl', Body: jsonl(records) }));
    const { jobArn } = await bedrock.send(
      new CreateModelInvocationJobCommand({
        jobName: 'retry-1',
        roleArn: 'arn:aws:iam::123456789012:role/BatchRole',
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        ...dataConfig(`s3://${BUCKET}/input/retries/retry-1.jsonl`, `s3://${BUCKET}/output/`),
      }),
    );
    sim.engine.advance(jobArn!);
    sim.engine.advance(jobArn!);
    const scheduled = await bedrock.send(new GetModelInvocationJobCommand({ jobIdentifier: jobArn }));
    expect(scheduled).toMatchObject({ status: 'Scheduled', totalRecordCount: 150 });

    const job = sim.engine.setStatus(jobArn!, 'Completed');
    const { files, manifest } = await readOutputs(job);
    expect([...files.keys()]).toEqual(['retry-1.jsonl.out']);
    const lines = files.get('retry-1.jsonl.out')!;
    expect(lines.map((line) => line.recordId)).toEqual(records.map((record) => record.recordId));
    expect(lines.map((line) => line.modelInput)).toEqual(records.map((record) => record.modelInput));
    expect(lines.every((line) => line.modelOutput?.type === 'message' && line.error === undefined)).toBe(true);
    const usage = lines.map((line) => usageOf(line.modelOutput!));
    expect(manifest).toEqual({
      totalRecordCount: 150,
      processedRecordCount: 150,
      successRecordCount: 150,
      errorRecordCount: 0,
      inputTokenCount: usage.reduce((sum, u) => sum + u.input, 0),
      outputTokenCount: usage.reduce((sum, u) => sum + u.output, 0),
    });
  });

  it('should finish PartiallyCompleted with errorRecordCount failed records spread through the output, the manifest agreeing', async () => {
    const records = inputRecords(400, 'review');
    sim.s3.putObject(BUCKET, 'input/reviews.jsonl', jsonl(records));
    const created = sim.engine.createJob(
      { jobName: 'review-sentiment', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', ...dataConfig(`s3://${BUCKET}/input/reviews.jsonl`, `s3://${BUCKET}/output/reviews`) },
      { outcome: 'PartiallyCompleted', paused: true },
    );
    const job = runToEnd(created);
    expect(job).toMatchObject({ status: 'PartiallyCompleted', totalRecordCount: 400, processedRecordCount: 400 });
    expect(job.errorRecordCount).toBeGreaterThan(0);

    const { files, manifest } = await readOutputs(job);
    const lines = files.get('reviews.jsonl.out')!;
    expect(lines).toHaveLength(job.totalRecordCount!);
    const failed = lines.filter((line) => line.error);
    expect(failed).toHaveLength(job.errorRecordCount!);
    for (const line of failed) {
      expect(line.modelOutput).toBeUndefined();
      expect(line.error).toEqual({ errorCode: expect.any(Number), errorMessage: expect.any(String) });
    }
    // Spread, not bunched at one end.
    const positions = lines.flatMap((line, i) => (line.error ? [i] : []));
    expect(positions[0]).toBeLessThan(400 / 2);
    expect(positions[positions.length - 1]).toBeGreaterThanOrEqual(400 / 2);
    const usage = lines.filter((line) => line.modelOutput).map((line) => usageOf(line.modelOutput!));
    expect(manifest).toEqual({
      totalRecordCount: job.totalRecordCount,
      processedRecordCount: job.processedRecordCount,
      successRecordCount: job.successRecordCount,
      errorRecordCount: job.errorRecordCount,
      inputTokenCount: usage.reduce((sum, u) => sum + u.input, 0),
      outputTokenCount: usage.reduce((sum, u) => sum + u.output, 0),
    });
    expect(manifest!.successRecordCount + manifest!.errorRecordCount).toBe(manifest!.processedRecordCount);
  });

  it('should read every .jsonl file directly in an input folder and write one .out per file', async () => {
    sim.s3.putObject(BUCKET, 'input/folder/a.jsonl', jsonl(inputRecords(60, 'a')));
    sim.s3.putObject(BUCKET, 'input/folder/b.jsonl', jsonl(inputRecords(70, 'b')));
    sim.s3.putObject(BUCKET, 'input/folder/notes.txt', 'not an input');
    sim.s3.putObject(BUCKET, 'input/folder/nested/c.jsonl', jsonl(inputRecords(5, 'c')));
    const created = sim.engine.createJob(
      { jobName: 'folder-input', modelId: 'anthropic.claude-3-haiku-20240307-v1:0', ...dataConfig(`s3://${BUCKET}/input/folder/`, `s3://${BUCKET}/output/folder/`) },
      { outcome: 'Completed', paused: true },
    );
    const job = runToEnd(created);
    expect(job.totalRecordCount).toBe(130);
    const { files, manifest } = await readOutputs(job);
    expect([...files.keys()].sort()).toEqual(['a.jsonl.out', 'b.jsonl.out']);
    expect(files.get('a.jsonl.out')!.map((line) => line.recordId)).toEqual(inputRecords(60, 'a').map((record) => record.recordId));
    expect(files.get('b.jsonl.out')).toHaveLength(70);
    expect(manifest).toMatchObject({ totalRecordCount: 130, processedRecordCount: 130, errorRecordCount: 0 });
  });

  it('should write outputs for the records a stopped job processed', async () => {
    sim.s3.putObject(BUCKET, 'input/stopped.jsonl', jsonl(inputRecords(300, 's')));
    const created = sim.engine.createJob(
      { jobName: 'stopped-midway', modelId: 'meta.llama3-1-70b-instruct-v1:0', ...dataConfig(`s3://${BUCKET}/input/stopped.jsonl`, `s3://${BUCKET}/output/`) },
      { outcome: 'Completed', paused: true },
    );
    sim.engine.setStatus(created.jobId, 'InProgress');
    sim.engine.stop(created.jobId);
    const job = sim.engine.advance(created.jobId);
    expect(job.status).toBe('Stopped');
    const { files, manifest } = await readOutputs(job);
    expect(files.get('stopped.jsonl.out')).toHaveLength(job.processedRecordCount!);
    expect(manifest).toMatchObject({ totalRecordCount: 300, processedRecordCount: job.processedRecordCount });
    expect(job.processedRecordCount).toBeLessThan(300);
  });
});

describe('validation of an existing input', () => {
  const submit = async (name: string, key: string) => {
    const { jobArn } = await bedrock.send(
      new CreateModelInvocationJobCommand({
        jobName: name,
        roleArn: 'arn:aws:iam::123456789012:role/BatchRole',
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        ...dataConfig(`s3://${BUCKET}/${key}`, `s3://${BUCKET}/output/`),
      }),
    );
    return runToEnd(sim.engine.get(jobArn!)!);
  };

  it('should fail a job with fewer than 100 records at validation, saying how many against the minimum', async () => {
    sim.s3.putObject(BUCKET, 'input/too-small.jsonl', jsonl(inputRecords(42)));
    const job = await submit('too-small', 'input/too-small.jsonl');
    expect(job.status).toBe('Failed');
    expect(job.message).toMatch(/\b42\b.*\b100\b/);
    expect(job.processedRecordCount).toBeUndefined();
    expect((await readOutputs(job)).files.size).toBe(0);
  });

  it('should take another minimum when started with one', async () => {
    const lenient = await useSimulator({ minRecordsPerJob: 10 });
    lenient.engine.pause();
    lenient.s3.putObject('small-batches', 'input/twelve.jsonl', jsonl(inputRecords(12)));
    lenient.s3.putObject('small-batches', 'input/nine.jsonl', jsonl(inputRecords(9)));
    const config = (name: string) => dataConfig(`s3://small-batches/input/${name}.jsonl`, 's3://small-batches/output/');
    const twelve = lenient.engine.createJob({ ...config('twelve'), status: 'Validating' }, { paused: true });
    expect(lenient.engine.advance(twelve.jobId)).toMatchObject({ status: 'Scheduled', totalRecordCount: 12 });
    const nine = lenient.engine.createJob({ ...config('nine'), status: 'Validating' }, { paused: true });
    expect(lenient.engine.advance(nine.jobId).message).toMatch(/\b9\b.*\b10\b/);
  });

  it('should fail a job whose input has a line that is not JSON, naming the line', async () => {
    sim.s3.putObject(BUCKET, 'input/broken.jsonl', `${jsonl(inputRecords(120)).trimEnd()}\n{"recordId": "x", "modelInput": \n`);
    const job = await submit('broken-input', 'input/broken.jsonl');
    expect(job.status).toBe('Failed');
    expect(job.message).toContain('line 121');
  });
});

describe('a job whose input does not exist', () => {
  it('should get made-up records, as many as it counts, in its model family shape', async () => {
    const created = sim.engine.createJob({
      jobName: 'made-up-claude',
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      status: 'Completed',
      totalRecordCount: 130,
    });
    const { files, manifest } = await readOutputs(created);
    // The default input s3://simulator-batch-input/<name>/records.jsonl answers records.jsonl.out.
    expect([...files.keys()]).toEqual(['records.jsonl.out']);
    const lines = files.get('records.jsonl.out')!;
    expect(lines).toHaveLength(130);
    expect(new Set(lines.map((line) => line.recordId)).size).toBe(130);
    expect(lines[0]!.recordId).toMatch(/^[A-Z]{4}\d{7}$/);
    expect(lines[0]!.modelInput).toMatchObject({ anthropic_version: 'bedrock-2023-05-31', messages: [{ role: 'user' }] });
    expect(lines[0]!.modelOutput).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-3-haiku-20240307', stop_reason: 'end_turn' });
    expect(manifest).toMatchObject({ totalRecordCount: 130, processedRecordCount: 130, successRecordCount: 130, errorRecordCount: 0 });
    expect(manifest!.inputTokenCount).toBe(lines.reduce((sum, line) => sum + usageOf(line.modelOutput!).input, 0));
  });

  it('should not hold a made-up input to the minimum', async () => {
    const { jobArn } = await bedrock.send(
      new CreateModelInvocationJobCommand({
        jobName: 'nothing-there',
        roleArn: 'arn:aws:iam::123456789012:role/BatchRole',
        modelId: 'amazon.nova-lite-v1:0',
        ...dataConfig(`s3://${BUCKET}/input/does-not-exist.jsonl`, `s3://${BUCKET}/output/`),
      }),
    );
    sim.engine.advance(jobArn!);
    expect(sim.engine.advance(jobArn!).status).toBe('Scheduled');
    const small = sim.engine.createJob({ status: 'Completed', totalRecordCount: 5 });
    expect((await readOutputs(small)).files.get('records.jsonl.out')).toHaveLength(5);
  });

  it('should let a client write beside the input all the same, its bucket existing as a real job’s would', async () => {
    const job = sim.engine.createJob({ jobName: 'made-up-then-retried', status: 'PartiallyCompleted', totalRecordCount: 200 });
    const input = /^s3:\/\/([^/]+)\/(.*)\/[^/]+$/.exec(job.inputDataConfig.s3InputDataConfig!.s3Uri)!;
    const key = `${input[2]}/retries/made-up-then-retried-retry.jsonl`;
    await s3.send(new PutObjectCommand({ Bucket: input[1], Key: key, Body: jsonl(inputRecords(100)) }));
    expect(sim.s3.listKeys(input[1]!, `${input[2]}/retries/`)).toEqual([key]);
  });

  const families: [string, Partial<SimulatedJob>, (output: Record<string, any>) => void][] = [
    ['Anthropic', { modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0' }, (o) => expect(o.content[0].text).toEqual(expect.any(String))],
    ['Nova', { modelId: 'amazon.nova-pro-v1:0' }, (o) => expect(o.output.message.content[0].text).toEqual(expect.any(String))],
    ['Converse', { modelId: 'meta.llama3-1-70b-instruct-v1:0', modelInvocationType: 'Converse' }, (o) => expect(o.metrics.latencyMs).toEqual(expect.any(Number))],
    ['Llama', { modelId: 'meta.llama3-1-70b-instruct-v1:0' }, (o) => expect(o.stop_reason).toBe('stop')],
    ['Titan Text', { modelId: 'amazon.titan-text-express-v1' }, (o) => expect(o.results[0].completionReason).toBe('FINISH')],
    ['Titan Embeddings', { modelId: 'amazon.titan-embed-text-v2:0' }, (o) => expect(o.embedding).toHaveLength(256)],
  ];
  for (const [family, members, check] of families) {
    it(`should answer ${family} records in that family's shape, its usage summing to the manifest's tokens`, async () => {
      const job = sim.engine.createJob({ ...members, status: 'Completed', totalRecordCount: 100 });
      const { files, manifest } = await readOutputs(job);
      const lines = [...files.values()][0]!;
      check(lines[0]!.modelOutput!);
      const usage = lines.map((line) => usageOf(line.modelOutput!));
      expect(manifest!.inputTokenCount).toBe(usage.reduce((sum, u) => sum + u.input, 0));
      expect(manifest!.outputTokenCount).toBe(usage.reduce((sum, u) => sum + u.output, 0));
    });
  }

  it('should give Mistral records, which report no usage, tokens in the manifest all the same', async () => {
    const job = sim.engine.createJob({ modelId: 'mistral.mistral-large-2407-v1:0', status: 'Completed', totalRecordCount: 100 });
    const { files, manifest } = await readOutputs(job);
    expect([...files.values()][0]![0]!.modelOutput).toEqual({ outputs: [{ text: expect.any(String), stop_reason: 'stop' }] });
    expect(manifest!.inputTokenCount).toBeGreaterThan(0);
    expect(manifest!.outputTokenCount).toBeGreaterThan(0);
  });
});

describe('generated outputs', () => {
  it('should come out byte for byte the same when generated again after being dropped from memory', async () => {
    const tiny = await useSimulator({ generatedObjectCacheBytes: 1 });
    tiny.engine.pause();
    const client = s3ClientFor(tiny);
    const job = tiny.engine.createJob({ status: 'PartiallyCompleted', totalRecordCount: 500 }, { outcome: 'PartiallyCompleted' });
    const key = `${job.jobName}/${job.jobId}/records.jsonl.out`;
    const read = async () => {
      const got = await client.send(new GetObjectCommand({ Bucket: 'simulator-batch-output', Key: key }));
      return { etag: got.ETag, body: await got.Body!.transformToString() };
    };
    const first = await read();
    const second = await read();
    expect(second).toEqual(first);
    expect(first.body.split('\n').filter(Boolean)).toHaveLength(500);
  });
});

describe('demo data', () => {
  let demo: Simulator;
  let demoS3: S3Client;
  beforeAll(async () => {
    demo = await useSimulator({ seed: true });
    demo.engine.pause();
    demoS3 = s3ClientFor(demo);
  });

  it('should give the partially completed demo job at least 100 failed records to retry, and every demo job its input', async () => {
    const [job] = demo.engine.list({ nameContains: 'product-review-sentiment-q2' }).jobs;
    expect(job).toMatchObject({ status: 'PartiallyCompleted' });
    const prefix = `output/product-review-sentiment-q2/${job!.jobId}/`;
    const listed = await demoS3.send(new ListObjectsV2Command({ Bucket: 'acme-ml-batch', Prefix: prefix }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual([`${prefix}manifest.json.out`, `${prefix}product-review-sentiment-q2.jsonl.out`]);
    const manifest = JSON.parse(demo.s3.getObject('acme-ml-batch', `${prefix}manifest.json.out`)!.toString()) as Manifest;
    expect(manifest.errorRecordCount).toBeGreaterThanOrEqual(100);
    expect(manifest).toMatchObject({ totalRecordCount: job!.totalRecordCount, errorRecordCount: job!.errorRecordCount });
    const lines = demo.s3.getObject('acme-ml-batch', `${prefix}product-review-sentiment-q2.jsonl.out`)!.toString().trimEnd().split('\n');
    expect(lines.filter((line) => line.includes('"error":{')).length).toBe(manifest.errorRecordCount);

    const inputs = demo.s3.listKeys('acme-ml-batch', 'input/');
    for (const demoJob of demo.engine.list().jobs.filter((j) => j.totalRecordCount !== undefined)) {
      expect(inputs).toContain(`input/${demoJob.jobName}.jsonl`);
    }
  });
});
