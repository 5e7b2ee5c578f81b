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
  t = await startTestGateway();
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
