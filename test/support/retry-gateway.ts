// What the retryFailedRecords tests (retry-failed-records.test.ts,
// retry-failed-records-refusals.test.ts) share: a gateway that requires API keys, whose simulated
// jobs move only when a test moves them; finished source jobs with inputs in the simulator's S3 and
// the outputs it writes from them; and the mutation itself.
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { isTerminalStatus, type SimulatedJob } from '../../src/simulator/index.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './test-gateway.ts';

export const KEYS = {
  full: 'retry-test-full-key-0123456789',
  writeOnly: 'retry-test-write-key-0123456789',
  readResults: 'retry-test-results-key-0123456789',
};
export const BUCKET = 'retry-data';
export const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
export const OTHER_MODEL = 'meta.llama3-1-70b-instruct-v1:0';
export const ROLE = 'arn:aws:iam::123456789012:role/BedrockBatchRole';
export const VPC = { subnetIds: ['subnet-0a1b2c3d'], securityGroupIds: ['sg-0a1b2c3d'] };

export interface InputRecord {
  recordId: string;
  modelInput: unknown;
}

export interface Source {
  job: SimulatedJob;
  prefix: string;
  records: InputRecord[];
}

export interface SourceOptions {
  /** Input records; 1000 unless given. */
  records?: number;
  failed: number;
  modelId?: string;
  /** The job's input is its input folder rather than the file in it. */
  inputAsFolder?: boolean;
  /** PartiallyCompleted unless given; an unfinished status leaves the job as created. */
  status?: SimulatedJob['status'];
}

export const anthropicInput = (text: string) => ({
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 256,
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
});
export const jsonl = (records: object[]) => `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
export const parseJsonl = (body: Buffer | undefined) =>
  (body?.toString('utf8') ?? '').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, any>);

const RETRY = `mutation ($input: RetryFailedRecordsInput!) {
  retryFailedRecords(input: $input) {
    jobId jobName status modelId roleArn clientRequestToken timeoutDurationInHours
    vpcConfig { subnetIds securityGroupIds }
    inputDataConfig { ... on ModelInvocationJobS3InputDataConfig { s3Uri } }
    outputDataConfig { ... on ModelInvocationJobS3OutputDataConfig { s3Uri } }
  }
}`;

/**
 * Starts the gateway before the file's tests (handing it to `onStart`); before each test forgets
 * its S3 and Bedrock counters, after each clears its faults and disposes the WebSocket clients the
 * test pushed on `clients`; closes it after the last. Returns those clients and the helpers below,
 * bound to that gateway.
 */
export function useRetryGateway(onStart: (t: TestGateway) => void) {
  let t: TestGateway;
  const clients: Client[] = [];
  let runs = 0;

  beforeAll(async () => {
    t = await startTestGateway({
      AUTH_REQUIRED: 'true',
      GATEWAY_API_KEYS: JSON.stringify({
        [KEYS.full]: ['jobs:read', 'jobs:write', 'results:read'],
        [KEYS.writeOnly]: ['jobs:read', 'jobs:write'],
        [KEYS.readResults]: ['jobs:read', 'results:read'],
      }),
      RATE_LIMIT_RPS: '0',
      RESPONSE_CACHE_SIZE: '0',
    });
    // Jobs move only when a test moves them.
    t.simulator.engine.pause();
    t.simulator.s3.createBucket(BUCKET);
    onStart(t);
  });
  beforeEach(() => {
    t.simulator.s3.reset();
    t.simulator.resetStats();
  });
  afterEach(async () => {
    t.simulator.faults.reset();
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => t?.close());

  /**
   * A PartiallyCompleted job of `records` input records (in `<prefix>/input/part-1.jsonl`) of which
   * `failed` failed: the simulator writes its outputs from that input when it finishes.
   */
  function seedSource(options: SourceOptions): Source {
    const prefix = `run-${++runs}`;
    const total = options.records ?? 1000;
    const records = Array.from({ length: total }, (_, i) => ({
      recordId: `${prefix}-rec-${String(i).padStart(5, '0')}`,
      modelInput: anthropicInput(`Review ${i} of ${prefix}: très bien 😀`),
    }));
    const file = `${prefix}/input/part-1.jsonl`;
    t.simulator.s3.putObject(BUCKET, file, jsonl(records));
    const job = t.simulator.engine.createJob(
      {
        status: 'InProgress',
        jobName: `${prefix}-source`,
        modelId: options.modelId ?? MODEL,
        roleArn: ROLE,
        timeoutDurationInHours: 72,
        vpcConfig: VPC,
        inputDataConfig: { s3InputDataConfig: { s3Uri: `s3://${BUCKET}/${options.inputAsFolder ? `${prefix}/input/` : file}`, s3InputFormat: 'JSONL' } },
        outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${BUCKET}/${prefix}/output/` } },
      },
      { paused: true, totalRecordCount: total },
    );
    const counts = { totalRecordCount: total, processedRecordCount: total, successRecordCount: total - options.failed, errorRecordCount: options.failed };
    const status = options.status ?? 'PartiallyCompleted';
    return { job: isTerminalStatus(status) ? t.simulator.engine.setStatus(job.jobId, status, counts) : job, prefix, records };
  }

  /** The failed records of a source as its output has them: `{recordId, modelInput}`. */
  function failedRecordsOf(source: Source): InputRecord[] {
    const folder = `${source.prefix}/output/${source.job.jobId}/`;
    return t.simulator.s3
      .listKeys(BUCKET, folder)
      .filter((key) => key.endsWith('.jsonl.out'))
      .flatMap((key) => parseJsonl(t.simulator.s3.getObject(BUCKET, key)))
      .filter((line) => line.error)
      .map(({ recordId, modelInput }) => ({ recordId, modelInput }));
  }

  /** Keys of retry inputs under a source's input folder. */
  const retryKeys = (source: Source) => t.simulator.s3.listKeys(BUCKET, `${source.prefix}/input/retries/`);

  /** retryFailedRecords with `input`, as `key`. */
  function retry(input: Record<string, unknown>, key = KEYS.full): Promise<GraphQLResponse> {
    return t.graphql(RETRY, { input }, { headers: { 'x-api-key': key } });
  }

  /** Nothing written to S3, no job created. */
  function expectNothingDone() {
    expect(t.simulator.s3.stats().requests.PutObject).toBe(0);
    expect(t.simulator.stats().calls.CreateModelInvocationJob).toBe(0);
  }

  return { clients, seedSource, failedRecordsOf, retryKeys, retry, expectNothingDone };
}
