// Job results: how fast records page out of S3 through the gateway, and how many bytes of S3 that
// reads per byte of output. One PartiallyCompleted job whose output the simulator writes (as
// Bedrock would), paged end to end with `records(first: 1000)`, then again with `errorsOnly`.
import { startTestGateway, type TestGateway } from '../test/support/test-gateway.ts';
import { median } from './stats.ts';

export interface ResultsOptions {
  /** Records of the job. */
  records: number;
  /** `first` of each page. */
  pageSize: number;
  rounds: number;
}

export interface ResultsPass {
  records: number;
  pages: number;
  recordsPerSecond: number;
  /** Bytes S3 served per byte of the job's output files. */
  bytesReadPerOutputByte: number;
  getObjectRequests: number;
}

export interface ResultsResult {
  records: number;
  failed: number;
  outputBytes: number;
  pageSize: number;
  all: ResultsPass;
  errorsOnly: ResultsPass;
}

const FILES = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) { results { files { size } } } }`;
const PAGE = `query($id: String!, $first: Int!, $after: String, $filter: ModelInvocationRecordFilter) {
  modelInvocationJob(jobIdentifier: $id) {
    results { records(first: $first, after: $after, filter: $filter) { nodes { recordId modelOutput error { errorMessage } } pageInfo { hasNextPage endCursor } } }
  }
}`;

export async function runResults(options: ResultsOptions): Promise<ResultsResult> {
  const t = await startTestGateway({ RATE_LIMIT_RPS: '0', RESPONSE_CACHE_SIZE: '0' });
  try {
    const failed = Math.round(options.records * 0.025);
    const job = t.simulator.engine.createJob(
      {
        status: 'InProgress',
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        totalRecordCount: options.records,
        outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://bench-results/output/' } },
      },
      { paused: true },
    );
    t.simulator.engine.setStatus(job.jobId, 'PartiallyCompleted', {
      processedRecordCount: options.records,
      successRecordCount: options.records - failed,
      errorRecordCount: failed,
    });
    const files = await t.graphql(FILES, { id: job.jobId });
    const outputBytes = (files.data!.modelInvocationJob.results.files as Array<{ size: number }>).reduce((sum, file) => sum + file.size, 0);
    // Once, unmeasured: the simulator generates the output on its first read.
    await pass(t, job.jobId, options.pageSize, undefined, outputBytes);

    const passes = async (filter: { errorsOnly: boolean } | undefined) => {
      const runs: ResultsPass[] = [];
      for (let round = 0; round < options.rounds; round++) runs.push(await pass(t, job.jobId, options.pageSize, filter, outputBytes));
      return {
        records: runs[0]!.records,
        pages: runs[0]!.pages,
        recordsPerSecond: median(runs.map((run) => run.recordsPerSecond)),
        bytesReadPerOutputByte: median(runs.map((run) => run.bytesReadPerOutputByte)),
        getObjectRequests: median(runs.map((run) => run.getObjectRequests)),
      };
    };
    const all = await passes(undefined);
    const errorsOnly = await passes({ errorsOnly: true });
    if (all.records !== options.records || errorsOnly.records !== failed) {
      throw new Error(`results bench: paged ${all.records} records (${errorsOnly.records} failed), expected ${options.records} (${failed})`);
    }
    return { records: options.records, failed, outputBytes, pageSize: options.pageSize, all, errorsOnly };
  } finally {
    await t.close();
  }
}

/** Pages every record (matching `filter`) once; counts what S3 served meanwhile. */
async function pass(t: TestGateway, id: string, first: number, filter: { errorsOnly: boolean } | undefined, outputBytes: number): Promise<ResultsPass> {
  t.simulator.s3.reset();
  let after: string | undefined;
  let records = 0;
  let pages = 0;
  const started = performance.now();
  do {
    const response = await t.graphql(PAGE, { id, first, after, filter });
    if (response.errors) throw new Error(`results bench: ${JSON.stringify(response.errors)}`);
    const connection = response.data!.modelInvocationJob.results.records;
    records += connection.nodes.length;
    pages += 1;
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : undefined;
  } while (after);
  const seconds = (performance.now() - started) / 1000;
  const stats = t.simulator.s3.stats();
  return {
    records,
    pages,
    recordsPerSecond: records / seconds,
    bytesReadPerOutputByte: stats.bytesServed / outputBytes,
    getObjectRequests: stats.requests.GetObject,
  };
}
