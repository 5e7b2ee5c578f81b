// modelInvocationJobs: Relay pages over ListModelInvocationJobs, with filters, sort order,
// opaque cursors, and list results priming the request's loader.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCodesByPath, startTestGateway, type TestGateway } from './support/test-gateway.ts';

const PAGE = `query($first: Int, $after: String, $filter: ModelInvocationJobFilter, $sortOrder: SortOrder) {
  modelInvocationJobs(first: $first, after: $after, filter: $filter, sortOrder: $sortOrder) {
    edges { cursor node { jobId jobName status submitTime } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

let t: TestGateway;
let jobs: ReturnType<TestGateway['simulator']['engine']['addJobs']>;
beforeAll(async () => {
  // Paging to the end sends dozens of requests in a row: the per-credential rate limit is not under test.
  t = await startTestGateway({ RATE_LIMIT_RPS: '0' });
  jobs = t.simulator.engine.addJobs(2500, { status: 'Completed' }, { paused: true });
});
afterAll(() => t.close());
beforeEach(() => t.simulator.resetStats());

const calls = () => t.simulator.stats().calls;

describe('modelInvocationJobs', () => {
  it('should page through 2,500 jobs in three pages of up to 1,000, each job once, in three list calls', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const { data, errors } = await t.graphql(PAGE, { first: 1000, after });
      expect(errors).toBeUndefined();
      const connection = data!.modelInvocationJobs;
      seen.push(...connection.edges.map((edge: any) => edge.node.jobId));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : undefined;
      pages++;
    } while (after);
    const newestFirst = [...jobs].sort((a, b) => b.submitTime.getTime() - a.submitTime.getTime()).map((job) => job.jobId);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);
    expect(calls()).toMatchObject({ ListModelInvocationJobs: 3, GetModelInvocationJob: 0 });
  });

  it('should sort oldest first on request', async () => {
    const { data } = await t.graphql(PAGE, { first: 3, sortOrder: 'ASCENDING' });
    expect(data!.modelInvocationJobs.edges.map((edge: any) => edge.node.jobId)).toEqual(jobs.slice(0, 3).map((job) => job.jobId));
  });

  it('should continue after a cursor from the middle of a page', async () => {
    const first = await t.graphql(PAGE, { first: 5 });
    const edges = first.data!.modelInvocationJobs.edges;
    const next = await t.graphql(PAGE, { first: 5, after: edges[1].cursor });
    const ids = (response: typeof first) => response.data!.modelInvocationJobs.edges.map((edge: any) => edge.node.jobId);
    const expected = await t.graphql(PAGE, { first: 7 });
    expect(ids(next)).toEqual(ids(expected).slice(2, 7));
    expect(next.data!.modelInvocationJobs.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('should apply status, name and submit-time filters like the API', async () => {
    const running = t.simulator.engine.createJob({ status: 'InProgress', jobName: 'nightly-embeddings-42' }, { paused: true });
    const byStatus = await t.graphql(PAGE, { filter: { statusEquals: 'IN_PROGRESS' } });
    expect(byStatus.data!.modelInvocationJobs.edges.map((edge: any) => edge.node.jobId)).toEqual([running.jobId]);
    const byName = await t.graphql(PAGE, { filter: { nameContains: 'nightly-emb' } });
    expect(byName.data!.modelInvocationJobs.edges.map((edge: any) => edge.node.jobName)).toEqual(['nightly-embeddings-42']);
    const bySubmitTime = await t.graphql(PAGE, {
      first: 1000,
      filter: { submitTimeAfter: jobs[2496]!.submitTime.toISOString(), submitTimeBefore: running.submitTime.toISOString() },
    });
    expect(bySubmitTime.data!.modelInvocationJobs.edges.map((edge: any) => edge.node.jobId)).toEqual(
      [jobs[2499]!, jobs[2498]!, jobs[2497]!].map((job) => job.jobId),
    );
  });

  it('should prime the loader: a listed job looked up in the same operation costs no get', async () => {
    const [newest] = [...jobs].sort((a, b) => b.submitTime.getTime() - a.submitTime.getTime());
    const { data, errors } = await t.graphql(`{
      modelInvocationJobs(first: 10) { nodes { jobId } }
      again: modelInvocationJob(jobIdentifier: "${newest!.jobArn}") { jobId status }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.again).toEqual({ jobId: newest!.jobId, status: 'COMPLETED' });
    expect(calls()).toMatchObject({ ListModelInvocationJobs: 1, GetModelInvocationJob: 0 });
  });

  it.each([
    [{ first: 0 }, /first must be from 1 to 1000/],
    [{ first: 1001 }, /first must be from 1 to 1000/],
    [{ after: 'not-a-cursor' }, /not a cursor/],
    [{ filter: { submitTimeAfter: 'yesterday' } }, /DateTime must be an ISO-8601 string/],
  ])('should reject %j with BAD_USER_INPUT before any call', async (variables, message) => {
    const response = await t.graphql(PAGE, variables);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toMatch(message);
    expect(calls().ListModelInvocationJobs).toBe(0);
  });

  it('should reject a cursor used with another filter', async () => {
    const { data } = await t.graphql(PAGE, { first: 2 });
    const response = await t.graphql(PAGE, { first: 2, after: data!.modelInvocationJobs.pageInfo.endCursor, sortOrder: 'ASCENDING' });
    expect(errorCodesByPath(response)).toEqual({ modelInvocationJobs: 'BAD_USER_INPUT' });
  });
});

describe('modelInvocationJobs cursors', () => {
  type Fields = [scope: string, submitTime: number, jobId: string];
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const issued = async () => {
    const { data } = await t.graphql(PAGE, { first: 2 });
    const cursor: string = data!.modelInvocationJobs.pageInfo.endCursor;
    return { cursor, fields: JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Fields };
  };

  it.each<[string, (fields: Fields, cursor: string) => string]>([
    ['its time as a string', ([scope, time, id]) => encode([scope, String(time), id])],
    ['a fractional time', ([scope, time, id]) => encode([scope, time + 0.5, id])],
    ['a negative time', ([scope, , id]) => encode([scope, -1, id])],
    ['a time past the year 9999', ([scope, , id]) => encode([scope, Date.UTC(10000, 0, 1), id])],
    ['an id that is no job id', ([scope, time]) => encode([scope, time, '../../x'])],
    ['a field more', (fields) => encode([...fields, 0])],
    ['its fields in an object', ([scope, time, id]) => encode({ scope, time, id })],
    ['padding added', (_, cursor) => `${cursor}==`],
    ['its JSON spaced out', (fields) => Buffer.from(JSON.stringify(fields, null, 1)).toString('base64url')],
    ['the former shape (a nextToken and an offset)', ([scope]) => encode({ scope, token: 'abc', size: 2, skip: 1 })],
  ])('should refuse a cursor with %s, before any call', async (_, tamper) => {
    const { cursor, fields } = await issued();
    t.simulator.resetStats();
    const response = await t.graphql(PAGE, { first: 2, after: tamper(fields, cursor) });
    expect(errorCodesByPath(response)).toEqual({ modelInvocationJobs: 'BAD_USER_INPUT' });
    expect(response.errors?.[0]?.message).toMatch(/not a cursor this API issued/);
    expect(calls().ListModelInvocationJobs).toBe(0);
  });

  it('should take a well-formed edited cursor as nothing but the position it names', async () => {
    const { fields } = await issued();
    const at = jobs[1200]!;
    const { data } = await t.graphql(PAGE, { first: 3, after: encode([fields[0], at.submitTime.getTime(), at.jobId]) });
    expect(data!.modelInvocationJobs.edges.map((edge: any) => edge.node.jobId)).toEqual(
      [jobs[1199]!, jobs[1198]!, jobs[1197]!].map((job) => job.jobId),
    );
  });
});

// Bedrock's nextToken may shift when jobs are created or change status between pages (the
// simulator's is an offset), and jobs may share a submit time: cursors must not depend on either.
describe('modelInvocationJobs paging while jobs change', () => {
  type Job = (typeof jobs)[number];
  // Older than any job created while paging; 13 jobs over 7 ms, runs of four and three sharing one.
  const base = Date.now() - 60_000;
  const OFFSETS_MS = [0, 1, 1, 1, 1, 2, 3, 3, 3, 4, 5, 6, 6];

  const create = (jobName: string, submitTime: Date, status: Job['status'] = 'Completed') =>
    t.simulator.engine.createJob({ jobName, submitTime, status }, { paused: true });
  const createRun = (name: string, status?: Job['status']) =>
    OFFSETS_MS.map((ms, i) => create(`${name}-${i}`, new Date(base + ms), status));
  /** Ids in the order pages must serve them: by submit time, ties by id. */
  const inOrder = (list: Job[], sortOrder: 'Ascending' | 'Descending') => {
    const ids = [...list]
      .sort((a, b) => a.submitTime.getTime() - b.submitTime.getTime() || (a.jobId < b.jobId ? -1 : 1))
      .map((job) => job.jobId);
    return sortOrder === 'Ascending' ? ids : ids.reverse();
  };

  /** Follows endCursor to the end, calling `between` after every page but the last; the ids served. */
  async function pageAll(variables: Record<string, unknown>, between: (served: string[], pages: number) => void = () => {}) {
    const served: string[] = [];
    let after: string | undefined;
    for (let pages = 1; ; pages++) {
      const { data, errors } = await t.graphql(PAGE, { ...variables, after });
      expect(errors).toBeUndefined();
      const { edges, pageInfo } = data!.modelInvocationJobs;
      // hasNextPage is truthful: a page it announced is never empty.
      if (after) expect(edges.length).toBeGreaterThan(0);
      served.push(...edges.map((edge: any) => edge.node.jobId));
      if (!pageInfo.hasNextPage) return served;
      after = pageInfo.endCursor;
      between(served, pages);
    }
  }

  it('should serve every job once, newest first, while jobs are created between pages', async () => {
    const originals = createRun('exact-desc');
    const served = await pageAll({ first: 3, filter: { nameContains: 'exact-desc' } }, () => {
      // New jobs land on top of the list, two of them sharing a submit time.
      const now = new Date();
      create('exact-desc-new', now);
      create('exact-desc-new', now);
    });
    expect(served).toEqual(inOrder(originals, 'Descending'));
  });

  it('should serve every job once, oldest first, while jobs are created and leave the status filter between pages', async () => {
    const originals = createRun('exact-asc', 'InProgress');
    const created: Job[] = [];
    const filter = { statusEquals: 'IN_PROGRESS', nameContains: 'exact-asc' };
    const served = await pageAll({ first: 3, sortOrder: 'ASCENDING', filter }, (ids, pages) => {
      // A job already served finishes, leaving the filter behind the cursor.
      t.simulator.engine.setStatus(ids[pages - 1]!, 'Completed');
      if (pages > 3) return;
      const now = new Date();
      created.push(create('exact-asc-new', now, 'InProgress'), create('exact-asc-new', now, 'InProgress'));
    });
    expect(served).toEqual([...inOrder(originals, 'Ascending'), ...inOrder(created, 'Ascending')]);
  });

  it.each(['Ascending', 'Descending'] as const)('should page through 25 jobs sharing one submit time, %s', async (sortOrder) => {
    const name = `exact-tie-${sortOrder.toLowerCase()}`;
    const tied = Array.from({ length: 25 }, (_, i) => create(`${name}-${i}`, new Date(base + 10)));
    const around = [create(`${name}-before`, new Date(base + 9)), create(`${name}-after`, new Date(base + 11))];
    const served = await pageAll({ first: 10, sortOrder: sortOrder.toUpperCase(), filter: { nameContains: name } });
    expect(served).toEqual(inOrder([...tied, ...around], sortOrder));
  });

  it('should cost one list call a page while no tie crosses a page end', async () => {
    const distinct = Array.from({ length: 20 }, (_, i) => create(`exact-calls-${i}`, new Date(base + 20 + i)));
    t.simulator.resetStats();
    const served = await pageAll({ first: 5, filter: { nameContains: 'exact-calls' } });
    expect(served).toEqual(inOrder(distinct, 'Descending'));
    expect(calls().ListModelInvocationJobs).toBe(4);
  });
});
