// The records of ModelInvocationJob.results through the real gateway, the real S3 SDK and the
// simulator's S3, in outputs written the way Bedrock writes them (support/results-gateway.ts):
// paging every record once while reading about the output's size from S3; filters; the scan limit
// of a page; cursors; malformed lines. The rest of results (manifest, files, download URLs, access,
// scopes, cost) is in results-metadata.test.ts.
import { describe, expect, it } from 'vitest';
import { listOutput } from '../src/results/output-files.ts';
import { readRecordPage } from '../src/results/record-pages.ts';
import { as, BUCKET, KEYS, seedOutput, useResultsGateway, type SeedOptions } from './support/results-gateway.ts';
import { simulatorStorage } from './support/results-storage.ts';
import { errorCodesByPath, type GraphQLResponse, type TestGateway } from './support/test-gateway.ts';

let t: TestGateway;
useResultsGateway((started) => (t = started));

/** How many jobs are seeded so far: the latest one's output is under `run-${prefixes}/`. */
let prefixes = 0;
const seedJob = (options: SeedOptions) => seedOutput(t, ++prefixes, options);

// ---- Queries ----------------------------------------------------------------------------------

const RECORDS = `
  query Records($id: String!, $first: Int, $after: String, $filter: ModelInvocationRecordFilter) {
    modelInvocationJob(jobIdentifier: $id) {
      results {
        records(first: $first, after: $after, filter: $filter) {
          edges { cursor node { recordId file error { code errorCode errorMessage } modelInput modelOutput } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        }
      }
    }
  }`;

interface RecordNode {
  recordId: string;
  file: string;
  error: { code: string; errorCode: number | null; errorMessage: string | null } | null;
  modelInput: unknown;
  modelOutput: unknown;
}
interface RecordsPage {
  edges: Array<{ cursor: string; node: RecordNode }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

async function recordsPage(variables: Record<string, unknown>, key = KEYS.full): Promise<GraphQLResponse & { page?: RecordsPage }> {
  const response = await t.graphql(RECORDS, variables, as(key));
  return { ...response, page: response.data?.modelInvocationJob?.results?.records };
}

/** Every page from the start, following endCursor; returns the records and the pages' sizes. */
async function allRecords(variables: Record<string, unknown>) {
  const nodes: RecordNode[] = [];
  const sizes: number[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const { page, errors } = await recordsPage({ ...variables, after });
    expect(errors).toBeUndefined();
    nodes.push(...page!.edges.map((edge) => edge.node));
    sizes.push(page!.edges.length);
    if (!page!.pageInfo.hasNextPage) return { nodes, sizes };
    after = page!.pageInfo.endCursor!;
  }
  throw new Error('paging did not end');
}

// ---- Tests ------------------------------------------------------------------------------------

describe('paging records', () => {
  it('should visit each of 12,000 records (12 MB) exactly once in pages of 1000, reading about the output once', async () => {
    const job = seedJob({ files: { 'part-1.jsonl.out': 7000, 'part-2.jsonl.out': 5000 }, failEvery: 50, recordBytes: 1060 });
    expect(job.outputBytes).toBeGreaterThan(11_900_000);
    t.simulator.s3.reset();

    const { nodes, sizes } = await allRecords({ id: job.jobId, first: 1000 });

    expect(nodes.map((node) => node.recordId)).toEqual(job.records.map((r) => r.recordId));
    expect(sizes).toEqual(Array(12).fill(1000));
    expect(nodes.filter((node) => node.error).length).toBe(240);
    expect(nodes[0]!.file).toBe('part-1.jsonl.out');
    expect(nodes.at(-1)!.file).toBe('part-2.jsonl.out');
    const stats = t.simulator.s3.stats();
    // Reported by the test run; the bound is the issue's.
    console.log(`12,000 records in pages of 1000: ${stats.bytesServed} bytes served for ${job.outputBytes} bytes of output (${(stats.bytesServed / job.outputBytes).toFixed(4)}×), ${stats.requests.GetObject} GetObject, ${stats.requests.ListObjectsV2} ListObjectsV2`);
    expect(stats.bytesServed).toBeLessThanOrEqual(1.1 * job.outputBytes);
    expect(stats.requests.GetObject).toBeLessThanOrEqual(12 * 3);
  });

  it('should read a page of 100 records with about one ranged read of about its size', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 1000 }, recordBytes: 1000 });
    const first = await recordsPage({ id: job.jobId });
    expect(first.page!.edges).toHaveLength(100);
    t.simulator.s3.reset();

    const second = await recordsPage({ id: job.jobId, after: first.page!.pageInfo.endCursor });
    expect(second.page!.edges.map((edge) => edge.node.recordId)).toEqual(job.records.slice(100, 200).map((r) => r.recordId));
    const stats = t.simulator.s3.stats();
    const pageBytes = job.files.get('a.jsonl.out')!.subarray(0).toString('utf8').split('\n').slice(100, 200).join('\n').length;
    console.log(`a page of 100 records (${pageBytes} bytes): ${stats.bytesServed} bytes served in ${stats.requests.GetObject} GetObject`);
    expect(stats.requests.GetObject).toBeLessThanOrEqual(2);
    expect(stats.bytesServed).toBeLessThanOrEqual(1.1 * pageBytes);
    expect(second.page!.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('should end with hasNextPage false at the last record', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 5, 'b.jsonl.out': 5 } });
    const first = await recordsPage({ id: job.jobId, first: 6 });
    expect(first.page!.pageInfo.hasNextPage).toBe(true);
    const rest = await recordsPage({ id: job.jobId, first: 6, after: first.page!.pageInfo.endCursor });
    expect(rest.page!.edges.map((edge) => edge.node.recordId)).toEqual(job.records.slice(6).map((r) => r.recordId));
    expect(rest.page!.pageInfo.hasNextPage).toBe(false);
  });

  it('should continue after any edge cursor, not only endCursor', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 10 } });
    const page = await recordsPage({ id: job.jobId, first: 5 });
    const after = await recordsPage({ id: job.jobId, first: 2, after: page.page!.edges[1]!.cursor });
    expect(after.page!.edges.map((edge) => edge.node.recordId)).toEqual(['REC00000002', 'REC00000003']);
  });

  it('should refuse first outside 1–1000 and more than 100 recordIds with BAD_USER_INPUT', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 3 } });
    for (const variables of [
      { first: 0 },
      { first: 1001 },
      { filter: { recordIds: Array.from({ length: 101 }, (_, i) => `id-${i}`) } },
    ]) {
      const response = await recordsPage({ id: job.jobId, ...variables });
      expect(errorCodesByPath(response), JSON.stringify(variables).slice(0, 40)).toEqual({
        'modelInvocationJob.results.records': 'BAD_USER_INPUT',
      });
    }
  });
});

describe('filters', () => {
  it('should return exactly the failed records with errorsOnly, page after page', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 600, 'b.jsonl.out': 400 }, failEvery: 7 });
    const { nodes } = await allRecords({ id: job.jobId, first: 40, filter: { errorsOnly: true } });
    expect(nodes.map((node) => node.recordId)).toEqual(job.records.filter((r) => r.failed).map((r) => r.recordId));
    expect(nodes.every((node) => node.error?.code === 'MODEL_INVOCATION_ERROR' && node.error.errorCode === 400 && node.modelOutput === null)).toBe(true);
    expect(nodes[0]!.modelInput).toMatchObject({ max_tokens: 200 });
  });

  it('should return the records asked for by id, stopping once all are found', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 500, 'b.jsonl.out': 500 }, failEvery: 9 });
    const ids = ['REC00000900', 'REC00000003', 'REC00000512', 'not-there'];
    const page = await recordsPage({ id: job.jobId, filter: { recordIds: ids } });
    expect(page.page!.edges.map((edge) => edge.node.recordId)).toEqual(['REC00000003', 'REC00000512', 'REC00000900']);
    expect(page.page!.pageInfo.hasNextPage).toBe(false);

    const both = await recordsPage({ id: job.jobId, filter: { recordIds: ['REC00000008', 'REC00000009'], errorsOnly: true } });
    expect(both.page!.edges.map((edge) => edge.node.recordId)).toEqual(['REC00000008']);

    t.simulator.s3.reset();
    const early = await recordsPage({ id: job.jobId, filter: { recordIds: ['REC00000001'] } });
    expect(early.page!.edges.map((edge) => edge.node.recordId)).toEqual(['REC00000001']);
    expect(early.page!.pageInfo.hasNextPage).toBe(false);
    expect(t.simulator.s3.stats().requests.GetObject).toBe(1);
  });
});

describe('the scan limit of a page', () => {
  it('should end a filtered page at its scan limit with a cursor that continues the scan', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 200, 'b.jsonl.out': 200 }, failEvery: 150 });
    const storage = simulatorStorage(t.simulator);
    try {
      const listing = await listOutput(storage, { bucket: BUCKET, key: `run-${prefixes}/${job.jobId}/` });
      const source = { storage, listing, jobId: job.jobId };
      const found: string[] = [];
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await readRecordPage(source, { first: 100, after, filter: { errorsOnly: true } }, { scanBudgetBytes: 50_000 });
        pages++;
        found.push(...page.edges.map((edge) => edge.node.recordId));
        if (!page.pageInfo.hasNextPage) break;
        expect(page.pageInfo.endCursor).not.toBeNull();
        after = page.pageInfo.endCursor!;
      }
      expect(found).toEqual(['REC00000149', 'REC00000299']);
      // About 400 KB scanned 50 KB at a time, some pages holding no record at all.
      expect(pages).toBeGreaterThanOrEqual(8);
    } finally {
      storage.close();
    }
  });
});

describe('cursors', () => {
  it('should refuse a tampered cursor, one from another filter and one from another job with BAD_USER_INPUT', async () => {
    const job = seedJob({ files: { 'a.jsonl.out': 20 } });
    const other = seedJob({ files: { 'a.jsonl.out': 20 } });
    const page = await recordsPage({ id: job.jobId, first: 5 });
    const cursor = page.page!.pageInfo.endCursor!;
    const [scope, file, offset] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string, number];
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

    const cases: Array<[string, Record<string, unknown>]> = [
      ['garbage', { id: job.jobId, after: 'not-a-cursor' }],
      ['edited text', { id: job.jobId, after: `${cursor.slice(0, -2)}AA` }],
      ['re-encoded with spaces', { id: job.jobId, after: Buffer.from(JSON.stringify([scope, file, offset], null, 1)).toString('base64url') }],
      ['an offset inside a line', { id: job.jobId, after: encode([scope, file, offset + 7]) }],
      ['an offset past the file', { id: job.jobId, after: encode([scope, file, 10_000_000]) }],
      ['a file not in the output', { id: job.jobId, after: encode([scope, 'z.jsonl.out', 0]) }],
      ['another filter', { id: job.jobId, after: cursor, filter: { errorsOnly: true } }],
      ['another job', { id: other.jobId, after: cursor }],
    ];
    for (const [name, variables] of cases) {
      const response = await recordsPage(variables);
      expect(errorCodesByPath(response), name).toEqual({ 'modelInvocationJob.results.records': 'BAD_USER_INPUT' });
      expect(response.errors![0]!.extensions).toMatchObject({ argument: 'after' });
    }
  });
});

describe('malformed output lines', () => {
  it('should give a malformed line a MALFORMED_RECORD error and go on paging', async () => {
    const job = seedJob({
      files: { 'a.jsonl.out': 10 },
      replace: { 3: '{"recordId":"REC00000003","modelInput":{"a":1},"modelOutput":', 6: '[1,2,3]', 7: '{"recordId":"REC00000007","modelInput":{}}' },
    });
    const { nodes } = await allRecords({ id: job.jobId, first: 4 });
    expect(nodes.map((node) => node.recordId)).toEqual([
      'REC00000000', 'REC00000001', 'REC00000002', 'REC00000003', 'REC00000004', 'REC00000005', '', 'REC00000007', 'REC00000008', 'REC00000009',
    ]);
    const malformed = nodes.filter((node) => node.error);
    expect(malformed.map((node) => [node.recordId, node.error!.code, node.error!.errorCode])).toEqual([
      ['REC00000003', 'MALFORMED_RECORD', null],
      ['', 'MALFORMED_RECORD', null],
      ['REC00000007', 'MALFORMED_RECORD', null],
    ]);
    expect(malformed.every((node) => node.error!.errorMessage!.startsWith('MALFORMED_RECORD: '))).toBe(true);

    const errors = await allRecords({ id: job.jobId, first: 100, filter: { errorsOnly: true } });
    expect(errors.nodes.map((node) => node.recordId)).toEqual(['REC00000003', '', 'REC00000007']);
  });
});
