// ModelInvocationJob.results apart from its records, through the real gateway, the real S3 SDK and
// the simulator's S3, in outputs written the way Bedrock writes them (support/results-gateway.ts):
// the output folder, manifest, files and download URLs; S3 refusing; scopes; the estimated cost;
// how many jobs' results one operation may read. Records are in results-records.test.ts.
import { describe, expect, it } from 'vitest';
import { as, BUCKET, KEYS, seedOutput, UNPRICED_MODEL, useResultsGateway, type SeedOptions } from './support/results-gateway.ts';
import { errorCodesByPath, startTestGateway, type TestGateway } from './support/test-gateway.ts';

let t: TestGateway;
useResultsGateway((started) => (t = started));

/** How many jobs are seeded so far: the latest one's output is under `run-${prefixes}/`. */
let prefixes = 0;
const seedJob = (options: SeedOptions) => seedOutput(t, ++prefixes, options);

describe('manifest, files and download URLs', () => {
  it('should give the output folder, the manifest, the .out files and URLs that download them', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 30, 'b.jsonl.out': 20 }, failEvery: 10 });
    const response = await t.graphql(
      `query ($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId results {
        s3Uri
        manifest { totalRecordCount processedRecordCount successRecordCount errorRecordCount inputTokenCount outputTokenCount }
        files { s3Uri size lastModified downloadUrl }
      } } }`,
      { id: job.jobId },
      as(KEYS.full),
    );
    expect(response.errors).toBeUndefined();
    const results = response.data!.modelInvocationJob.results;
    expect(results.s3Uri).toBe(`s3://${BUCKET}/run-${prefixes}/${job.jobId}/`);
    expect(results.manifest).toEqual({
      totalRecordCount: 50,
      processedRecordCount: 50,
      successRecordCount: 45,
      errorRecordCount: 5,
      inputTokenCount: 2_000_000,
      outputTokenCount: 400_000,
    });
    expect(results.files.map((f: { s3Uri: string; size: number }) => [f.s3Uri, f.size])).toEqual([
      [`${results.s3Uri}a.jsonl.out`, job.files.get('a.jsonl.out')!.length],
      [`${results.s3Uri}b.jsonl.out`, job.files.get('b.jsonl.out')!.length],
    ]);
    for (const file of results.files as Array<{ s3Uri: string; downloadUrl: string; lastModified: string }>) {
      expect(Number.isNaN(Date.parse(file.lastModified))).toBe(false);
      const url = new URL(file.downloadUrl);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
      const download = await fetch(url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(job.files.get(file.s3Uri.split('/').at(-1)!)!)).toBe(true);
    }
  });

  it('should find the folder whether or not the output URI ends with a slash', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 3 }, trailingSlash: false });
    const response = await t.graphql(
      'query ($id: String!) { modelInvocationJob(jobIdentifier: $id) { results { s3Uri files { size } } } }',
      { id: job.jobId },
      as(KEYS.full),
    );
    expect(response.data!.modelInvocationJob.results).toEqual({
      s3Uri: `s3://${BUCKET}/run-${prefixes}/${job.jobId}/`,
      files: [{ size: job.outputBytes }],
    });
  });

  it('should answer files [] and manifest null for a finished job whose folder is missing', async () => {
    // Nothing processed: the simulator writes no output, and the bucket does not even exist.
    const job = t.simulator.engine.createJob(
      {
        status: 'Completed',
        outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://results-test-nothing-here/out/' } },
        totalRecordCount: 0,
        processedRecordCount: 0,
        successRecordCount: 0,
        errorRecordCount: 0,
      },
      { paused: true },
    );
    expect(t.simulator.s3.listKeys('results-test-nothing-here')).toEqual([]);
    const response = await t.graphql(
      `query ($id: String!) { modelInvocationJob(jobIdentifier: $id) { status results {
        manifest { totalRecordCount } files { s3Uri } estimatedCost { total }
        records { nodes { recordId } pageInfo { hasNextPage endCursor } }
      } } }`,
      { id: job.jobId },
      as(KEYS.full),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.modelInvocationJob.results).toEqual({
      manifest: null,
      files: [],
      estimatedCost: null,
      records: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });
  });
});

describe('access denied', () => {
  it('should fail results alone with FORBIDDEN when S3 refuses the output folder', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 3 } });
    t.simulator.s3.deny(BUCKET, `run-${prefixes}/`);
    const response = await t.graphql(
      'query ($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId status results { files { size } manifest { totalRecordCount } } } }',
      { id: job.jobId },
      as(KEYS.full),
    );
    expect(response.data!.modelInvocationJob).toEqual({ jobId: job.jobId, status: 'PARTIALLY_COMPLETED', results: null });
    expect(errorCodesByPath(response)).toEqual({ 'modelInvocationJob.results': 'FORBIDDEN' });
  });
});

describe('scopes', () => {
  const query = (fields: string) => `query ($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId results { ${fields} } } }`;

  it('should serve the manifest, file metadata and cost with jobs:read alone', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 3 } });
    const response = await t.graphql(
      query('s3Uri manifest { totalRecordCount } files { s3Uri size lastModified } estimatedCost { total }'),
      { id: job.jobId },
      as(KEYS.reader),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.modelInvocationJob.results.manifest).toEqual({ totalRecordCount: 3 });
  });

  it('should refuse records and downloadUrl without results:read with FORBIDDEN naming the scope', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 3 } });
    t.simulator.s3.reset();
    const records = await t.graphql(query('records { nodes { recordId } }'), { id: job.jobId }, as(KEYS.reader));
    expect(errorCodesByPath(records)).toEqual({ 'modelInvocationJob.results.records': 'FORBIDDEN' });
    expect(records.errors![0]!.message).toMatch(/results:read/);
    expect(records.data!.modelInvocationJob).toEqual({ jobId: job.jobId, results: null });

    const urls = await t.graphql(query('files { downloadUrl }'), { id: job.jobId }, as(KEYS.reader));
    expect(errorCodesByPath(urls)).toEqual({ 'modelInvocationJob.results.files.0.downloadUrl': 'FORBIDDEN' });
    // Nothing of the records was read for a caller who may not see them.
    expect(t.simulator.s3.stats().requests.GetObject).toBe(0);
  });

  it('should still need jobs:read for the job itself, results:read alone being no way in', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 3 } });
    const response = await t.graphql(query('records { nodes { recordId } }'), { id: job.jobId }, as(KEYS.none));
    expect(errorCodesByPath(response)).toEqual({ modelInvocationJob: 'FORBIDDEN' });
    expect(response.errors![0]!.message).toMatch(/needs the jobs:read scope/);
  });
});

describe('estimated cost', () => {
  const COST = 'query ($id: String!) { modelInvocationJob(jobIdentifier: $id) { results { estimatedCost { currency inputCost outputCost total } } } }';

  it("should price the manifest's tokens at the model's MODEL_PRICES entry", async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 3 } });
    const response = await t.graphql(COST, { id: job.jobId }, as(KEYS.reader));
    // 2,000,000 input tokens at 0.125 and 400,000 output tokens at 0.625 per million.
    expect(response.data!.modelInvocationJob.results.estimatedCost).toEqual({ currency: 'USD', inputCost: 0.25, outputCost: 0.25, total: 0.5 });
  });

  it('should be null for a model without a price, and without a manifest', async () => {
    const unpriced = seedJob({ files: { 'a.jsonl.out': 3 }, modelId: UNPRICED_MODEL });
    const noManifest = seedJob({ files: { 'a.jsonl.out': 3 }, manifest: false });
    for (const job of [unpriced, noManifest]) {
      const response = await t.graphql(COST, { id: job.jobId }, as(KEYS.reader));
      expect(response.errors).toBeUndefined();
      expect(response.data!.modelInvocationJob.results.estimatedCost).toBeNull();
    }
  });
});

describe('results per operation', () => {
  it('should read the results of at most MAX_JOBS_PER_OPERATION jobs in one operation, and refuse the rest with LIMIT_EXCEEDED', async () => {
    const limited = await startTestGateway({ MAX_JOBS_PER_OPERATION: '2', RATE_LIMIT_RPS: '0', RESPONSE_CACHE_SIZE: '0' });
    try {
      for (let i = 0; i < 3; i++) limited.simulator.engine.createJob({ status: 'Completed', jobName: `per-operation-${i}` }, { paused: true });
      limited.simulator.s3.reset();
      const response = await limited.graphql(`{ modelInvocationJobs(filter: { nameContains: "per-operation" }) { nodes { jobName results { s3Uri } } } }`);
      const nodes = response.data!.modelInvocationJobs.nodes as Array<{ results: { s3Uri: string } | null }>;
      expect(nodes.filter((node) => node.results !== null)).toHaveLength(2);
      expect(response.errors?.map((error) => [error.extensions?.code, error.extensions?.limit])).toEqual([['LIMIT_EXCEEDED', 'MAX_JOBS_PER_OPERATION']]);
      expect(limited.simulator.s3.stats().requests.ListObjectsV2).toBe(2);
    } finally {
      await limited.close();
    }
  });
});
