// Query limits: ordinary operations pass at the defaults; each limit refuses what exceeds it with
// LIMIT_EXCEEDED naming its variable, before anything reaches Bedrock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntrospectionQuery } from 'graphql';
import WebSocket from 'ws';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { errorCodesByPath, startTestGateway, type GraphQLResponse, type TestGateway } from './support/test-gateway.ts';
import { useLeftovers } from './support/leftovers.ts';

const leftovers = useLeftovers();
const start = (env: Record<string, string> = {}): Promise<TestGateway> => leftovers.gateway(env);

const EVERY_FIELD = `jobArn jobId jobName modelId roleArn clientRequestToken status message submitTime lastModifiedTime
  endTime jobExpirationTime timeoutDurationInHours modelInvocationType isTerminal progress totalRecordCount
  processedRecordCount successRecordCount errorRecordCount
  inputDataConfig { __typename ... on ModelInvocationJobS3InputDataConfig { s3Uri s3InputFormat s3BucketOwner } }
  outputDataConfig { __typename ... on ModelInvocationJobS3OutputDataConfig { s3Uri s3EncryptionKeyId s3BucketOwner } }
  vpcConfig { subnetIds securityGroupIds }`;

const aliases = (count: number, jobId: string, fields = 'jobId') =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: modelInvocationJob(jobIdentifier: "${jobId}") { ${fields} }`).join('\n')} }`;

/** The one error of a refused operation. */
function refusal(response: GraphQLResponse) {
  expect(response.data ?? undefined).toBeUndefined();
  expect(response.errors).toHaveLength(1);
  return response.errors![0]!;
}

describe('defaults leave room for ordinary use', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('should run 20 aliases asking for every job field', async () => {
    const [job] = t.simulator.engine.addJobs(1, { status: 'Completed' }, { paused: true });
    const response = await t.graphql(aliases(20, job!.jobId, EVERY_FIELD));
    expect(response.errors).toBeUndefined();
    expect(Object.keys(response.data!)).toHaveLength(20);
  });

  it('should run modelInvocationJobsByIdentifier with 100 ARNs written inline, asking for every field', async () => {
    const jobs = t.simulator.engine.addJobs(100, { status: 'Completed' }, { paused: true });
    const response = await t.graphql(
      `{ modelInvocationJobsByIdentifier(jobIdentifiers: ${JSON.stringify(jobs.map((job) => job.jobArn))}) { ${EVERY_FIELD} } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.modelInvocationJobsByIdentifier).toHaveLength(100);
  });

  it("should answer GraphiQL's introspection query", async () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    const response = await t.graphql(query);
    expect(response.errors).toBeUndefined();
    expect(response.data!.__schema.queryType.name).toBe('Query');
  });
});

describe('operation shape limits', () => {
  it.each([
    ['MAX_QUERY_DEPTH', '3', `{ __type(name: "Query") { fields { type { ofType { name } } } } }`, /^Query depth limit of 3 exceeded, found 5 \(MAX_QUERY_DEPTH\)$/],
    ['MAX_ALIASES', '4', aliases(5, 'zzzzzzzzzzzz'), /^Aliases limit of 4 exceeded, found 5 \(MAX_ALIASES\)$/],
    ['MAX_TOKENS', '50', `{ ${'__typename '.repeat(60)}}`, /^Token limit of 50 exceeded \(MAX_TOKENS\)$/],
    ['MAX_QUERY_COST', '20', aliases(5, 'zzzzzzzzzzzz', 'jobId status'), /^Query Cost limit of 20 exceeded, found 25 \(MAX_QUERY_COST\)$/],
    ['MAX_DIRECTIVES', '2', `{ __typename @include(if: true) a: __typename @skip(if: false) b: __typename @include(if: true) }`, /^Directives limit of 2 exceeded, found 3 \(MAX_DIRECTIVES\)$/],
  ])('should refuse an operation over %s=%s with LIMIT_EXCEEDED naming it', async (variable, value, query, message) => {
    const t = await start({ [variable]: value });
    const response = await t.post({ query });
    expect(response.status).toBe(400);
    const error = refusal((await response.json()) as GraphQLResponse);
    expect(error.message).toMatch(message);
    expect(error.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: variable });
    expect(t.simulator.stats().calls.GetModelInvocationJob).toBe(0);
  });

  it('should apply the same limits to operations over graphql-ws', async () => {
    const t = await start({ MAX_ALIASES: '1' });
    const client = createWsClient(t.url);
    leftovers.push(() => client.dispose());
    const sub = subscribeWs(client, `subscription { a: modelInvocationJobUpdated(jobIdentifier: "zzzzzzzzzzzz") { b: status } }`);
    const errors = (await sub.done.then(() => [], (e: unknown) => e)) as GraphQLResponse['errors'];
    expect(errors?.[0]).toMatchObject({ message: 'Aliases limit of 1 exceeded, found 2 (MAX_ALIASES)', extensions: { code: 'LIMIT_EXCEEDED' } });
  });
});

describe('size and fan-out limits', () => {
  it('should refuse a body over MAX_REQUEST_BODY_BYTES with 413 without reading it', async () => {
    const t = await start({ MAX_REQUEST_BODY_BYTES: '2048' });
    const response = await t.post({ query: `{ __typename }`, variables: { padding: 'x'.repeat(4096) } });
    expect(response.status).toBe(413);
    const error = refusal((await response.json()) as GraphQLResponse);
    expect(error.message).toMatch(/^Request body of \d+ bytes exceeds the limit of 2048 \(MAX_REQUEST_BODY_BYTES\)$/);
    expect(error.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'MAX_REQUEST_BODY_BYTES' });
  });

  const postChunked = (url: string, text: string) => {
    const chunks = [text.slice(0, 10), text.slice(10)];
    const body = new ReadableStream({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk) controller.enqueue(new TextEncoder().encode(chunk));
        else controller.close();
      },
    });
    return fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
  };

  it('should cut off a body sent without Content-Length once it passes the limit', async () => {
    const t = await start({ MAX_REQUEST_BODY_BYTES: '2048' });
    const response = await postChunked(t.url, JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(4096) } }));
    expect(response.status).toBe(413);
    const error = refusal((await response.json()) as GraphQLResponse);
    expect(error.message).toBe('Request body exceeds the limit of 2048 bytes (MAX_REQUEST_BODY_BYTES)');
  });

  it('should answer a body sent without Content-Length within the limit', async () => {
    const t = await start({ MAX_REQUEST_BODY_BYTES: '2048' });
    const response = await postChunked(t.url, JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(1000) } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('should close a WebSocket that sends a message over MAX_REQUEST_BODY_BYTES with 1009', async () => {
    const t = await start({ MAX_REQUEST_BODY_BYTES: '2048' });
    const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    leftovers.push(() => socket.terminate());
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(4096) } }));
    expect(await closed).toBe(1009);
  });

  it('should look up at most MAX_JOBS_PER_OPERATION distinct jobs per operation, failing only the rest', async () => {
    const t = await start({ MAX_JOBS_PER_OPERATION: '5' });
    const jobs = t.simulator.engine.addJobs(8, { status: 'InProgress' }, { paused: true });
    const ids = jobs.map((job) => job.jobId);
    const response = await t.graphql(`query($ids: [String!]!) { jobs: modelInvocationJobsByIdentifier(jobIdentifiers: $ids) { jobId } }`, {
      ids: [...ids, ids[0]!],
    });
    expect(response.data!.jobs).toEqual([...ids.slice(0, 5).map((jobId) => ({ jobId })), null, null, null, { jobId: ids[0] }]);
    expect(errorCodesByPath(response)).toEqual({ 'jobs.5': 'LIMIT_EXCEEDED', 'jobs.6': 'LIMIT_EXCEEDED', 'jobs.7': 'LIMIT_EXCEEDED' });
    expect(response.errors![0]!.message).toContain('MAX_JOBS_PER_OPERATION');
    expect(t.simulator.stats().calls.GetModelInvocationJob).toBe(5);
  });
});

describe('rate limit per credential', () => {
  const keys = JSON.stringify({ 'key-a': ['jobs:read'], 'key-b': ['jobs:read'] });

  it('should answer 429 with Retry-After and LIMIT_EXCEEDED once a credential spends its burst, leaving others alone', async () => {
    const t = await start({ AUTH_REQUIRED: 'true', GATEWAY_API_KEYS: keys, RATE_LIMIT_RPS: '1', RATE_LIMIT_BURST: '3' });
    const send = (key: string) => t.post({ query: '{ __typename }' }, { 'x-api-key': key });
    for (let i = 0; i < 3; i++) expect((await send('key-a')).status).toBe(200);
    const limited = await send('key-a');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const error = refusal((await limited.json()) as GraphQLResponse);
    expect(error.message).toMatch(/^Too many requests from these credentials \(RATE_LIMIT_RPS\); retry in \d+ s$/);
    expect(error.extensions).toEqual({ code: 'LIMIT_EXCEEDED' });
    expect((await send('key-b')).status).toBe(200);
  });

  it('should count unauthenticated attempts per client address, so guessing keys is limited too', async () => {
    const t = await start({ AUTH_REQUIRED: 'true', GATEWAY_API_KEYS: keys, RATE_LIMIT_RPS: '1', RATE_LIMIT_BURST: '2' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.post({ query: '{ __typename }' }, { 'x-api-key': `guess-${i}` })).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it('should count graphql-ws queries against the same budget, keeping the connection open, but not subscription starts', async () => {
    const t = await start({ AUTH_REQUIRED: 'true', GATEWAY_API_KEYS: keys, RATE_LIMIT_RPS: '1', RATE_LIMIT_BURST: '2' });
    const job = t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
    const client = createWsClient(t.url, { connectionParams: { 'x-api-key': 'key-a' } });
    leftovers.push(() => client.dispose());
    const outcome = async (query: string) => {
      const sub = subscribeWs(client, query);
      return sub.done.then(() => sub.events.length, (errors: GraphQLResponse['errors']) => errors?.[0]?.extensions?.code);
    };
    const subscription = `subscription { modelInvocationJobStatusChanged(jobIdentifier: "${job.jobId}") { status } }`;
    const query = `{ modelInvocationJob(jobIdentifier: "${job.jobId}") { status } }`;
    // A dashboard opens a stream per row: those are bounded by the per-connection cap instead.
    expect(await Promise.all(Array.from({ length: 5 }, () => outcome(subscription)))).toEqual([1, 1, 1, 1, 1]);
    expect([await outcome(query), await outcome(query), await outcome(query)]).toEqual([1, 1, 'LIMIT_EXCEEDED']);
  });
});
