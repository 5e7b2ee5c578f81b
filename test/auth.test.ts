// Authentication and scopes: API keys and bearer JWTs (HS256 and a JWKS served over loopback),
// accepted and refused over HTTP and graphql-ws; jobs:read / jobs:write enforced by the schema.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { pino } from 'pino';
import { createGateway } from '../src/gateway.ts';
import { loadConfig } from '../src/config.ts';
import { schema } from '../src/schema/index.ts';
import { startIdentityProvider, signHs256, type IdentityProvider } from './support/identity-provider.ts';
import { createWsClient, subscribeSse, subscribeWs } from './support/subscriptions.ts';
import { errorCodesByPath, startTestGateway, type TestGateway } from './support/test-gateway.ts';

const SECRET = 'test-only-hs256-secret-of-at-least-32-chars';
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'bedrock-jobs-gateway';
const KEYS = {
  reader: 'reader-key-0123456789abcdef',
  writer: 'writer-key-0123456789abcdef',
  scopeless: 'scopeless-key-0123456789abcdef',
  /** Every scope: what a mutation that also reads results (retryFailedRecords) needs. */
  operator: 'operator-key-0123456789abcdef',
};

let idp: IdentityProvider;
let t: TestGateway;
const cleanups: Array<() => Promise<unknown> | void> = [];
beforeAll(async () => {
  idp = await startIdentityProvider();
  t = await startTestGateway({
    AUTH_REQUIRED: 'true',
    GATEWAY_API_KEYS: JSON.stringify({
      [KEYS.reader]: ['jobs:read'],
      [KEYS.writer]: ['jobs:read', 'jobs:write'],
      [KEYS.scopeless]: [],
      [KEYS.operator]: ['jobs:read', 'jobs:write', 'results:read'],
    }),
    JWT_SECRET: SECRET,
    JWT_JWKS_URL: idp.jwksUrl,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    RATE_LIMIT_RPS: '0',
  });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  t.simulator.resetStats();
});
afterAll(async () => {
  await t.close();
  await idp.close();
});

const claims = { issuer: ISSUER, audience: AUDIENCE };
const getCalls = () => t.simulator.stats().calls.GetModelInvocationJob;
const finishedJob = () => t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
const lookup = (jobId: string) => `{ modelInvocationJob(jobIdentifier: "${jobId}") { jobId status } }`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Credentials that must be accepted, as HTTP headers. */
const accepted: Array<[string, () => Promise<Record<string, string>>]> = [
  ['an API key in x-api-key', async () => ({ 'x-api-key': KEYS.reader })],
  ['an HS256 bearer token', async () => bearer(await signHs256(SECRET, 'jobs:read', claims))],
  ['an RS256 bearer token from the JWKS', async () => bearer(await idp.token('openid jobs:read', claims))],
];

/** Credentials that must be refused, as HTTP headers. */
const refused: Array<[string, () => Promise<Record<string, string>>]> = [
  ['no credentials', async () => ({})],
  ['an unknown API key', async () => ({ 'x-api-key': 'not-a-key' })],
  ['a token signed with another secret', async () => bearer(await signHs256('another-secret-that-is-long-enough-too', 'jobs:read', claims))],
  ['a token signed with a key not in the JWKS', async () => bearer(await idp.foreignToken('jobs:read', claims))],
  ['an expired token', async () => bearer(await idp.token('jobs:read', { ...claims, expiresIn: -120 }))],
  ['a token for another audience', async () => bearer(await idp.token('jobs:read', { ...claims, audience: 'someone-else' }))],
  ['a token from another issuer', async () => bearer(await signHs256(SECRET, 'jobs:read', { ...claims, issuer: 'https://evil.test/' }))],
  ['an unsigned token (alg none)', async () => bearer(`${b64({ alg: 'none' })}.${b64({ scope: 'jobs:read', exp: 4e9, iss: ISSUER, aud: AUDIENCE })}.`)],
  ['Basic credentials', async () => ({ authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` })],
  ['both an API key and a bearer token', async () => ({ 'x-api-key': KEYS.reader, ...bearer(await signHs256(SECRET, 'jobs:read', claims)) })],
];

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('credentials over HTTP', () => {
  it.each(accepted)('should accept %s', async (_name, headers) => {
    const job = finishedJob();
    const response = await t.post({ query: lookup(job.jobId) }, await headers());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { modelInvocationJob: { jobId: job.jobId, status: 'COMPLETED' } } });
  });

  it.each(refused)('should refuse %s with 401 UNAUTHENTICATED before any upstream call', async (_name, headers) => {
    const sent = await headers();
    const response = await t.post({ query: lookup(finishedJob().jobId) }, sent);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    const body = (await response.json()) as { data?: unknown; errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    for (const value of Object.values(sent)) expect(JSON.stringify(body)).not.toContain(value.replace(/^Bearer /, ''));
    expect(getCalls()).toBe(0);
  });

  it('should say why a bearer token was refused without echoing it', async () => {
    const token = await idp.token('jobs:read', { ...claims, expiresIn: -120 });
    const body = (await (await t.post({ query: '{ __typename }' }, bearer(token))).json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]!.message).toBe('Invalid bearer token: expired');
  });

  it('should fetch the JWKS once and reuse it', async () => {
    const before = idp.fetches;
    for (let i = 0; i < 3; i++) {
      const response = await t.post({ query: '{ __typename }' }, bearer(await idp.token('jobs:read', claims)));
      expect(response.status).toBe(200);
    }
    expect(idp.fetches - before).toBeLessThanOrEqual(1);
  });
});

/** Resolves with the close code of a graphql-ws connection made with these connection params. */
async function wsOutcome(connectionParams: Record<string, unknown>, jobId: string) {
  const client = createWsClient(t.url, { connectionParams });
  cleanups.push(() => client.dispose());
  const sub = subscribeWs(client, `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status } }`, { id: jobId });
  return sub.done.then(
    () => ({ events: sub.events, code: undefined }),
    (error: { code?: number }) => ({ events: sub.events, code: error.code }),
  );
}

describe('credentials over graphql-ws (connection_init payload)', () => {
  it.each([
    ['an API key', () => Promise.resolve({ 'x-api-key': KEYS.reader })],
    ['an HS256 bearer token', async () => ({ Authorization: `Bearer ${await signHs256(SECRET, 'jobs:read', claims)}` })],
    ['an RS256 bearer token, lower-case key', async () => ({ authorization: `Bearer ${await idp.token('jobs:read', claims)}` })],
  ])('should accept %s', async (_name, params) => {
    const job = finishedJob();
    const outcome = await wsOutcome(await params(), job.jobId);
    expect(outcome.code).toBeUndefined();
    expect(outcome.events.map((e) => e.data?.modelInvocationJobStatusChanged.status)).toEqual(['COMPLETED']);
  });

  it.each([
    ['no credentials', () => Promise.resolve({})],
    ['an unknown API key', () => Promise.resolve({ 'x-api-key': 'not-a-key' })],
    ['an expired token', async () => ({ Authorization: `Bearer ${await idp.token('jobs:read', { ...claims, expiresIn: -120 })}` })],
    ['a non-string key', () => Promise.resolve({ 'x-api-key': { toString: KEYS.reader } })],
  ])('should close the socket with 4403 on %s', async (_name, params) => {
    const outcome = await wsOutcome(await params(), finishedJob().jobId);
    expect(outcome.code).toBe(4403);
    expect(outcome.events).toEqual([]);
    expect(getCalls()).toBe(0);
  });

  it('should close the socket with 4403 when its bearer token expires, ending what runs on it', async () => {
    // Expires 1 to 2 s from now (JWT times are whole seconds).
    const token = await idp.token('jobs:read', { ...claims, expiresIn: 2 });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const outcome = await wsOutcome({ authorization: `Bearer ${token}` }, job.jobId);
    expect(outcome.code).toBe(4403);
    expect(outcome.events.map((e) => e.data?.modelInvocationJobStatusChanged.status)).toEqual(['IN_PROGRESS']);
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number;
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    await expect.poll(() => t.gateway.feed.size).toBe(0);
  });
});

// Every root field, found in the schema, so a field added later is covered without a new test.
function fieldsOf(type: GraphQLObjectType | null | undefined): Array<GraphQLField<unknown, unknown>> {
  return Object.values(type?.getFields() ?? {});
}

function literalFor(type: GraphQLInputType): string {
  if (isNonNullType(type)) return literalFor(type.ofType);
  if (isListType(type)) return '[]';
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${required.map((f) => `${f.name}: ${literalFor(f.type)}`).join(' ')} }`;
  }
  return { Int: '1', Float: '1.5', Boolean: 'true', DateTime: '"2026-01-01T00:00:00Z"' }[type.name] ?? '"zzzzzzzzzzzz"';
}

/** `<operation> { field(required args) { __typename } }` for any root field. */
function documentFor(operation: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter((arg) => isNonNullType(arg.type)).map((arg) => `${arg.name}: ${literalFor(arg.type)}`);
  const named = getNamedType(field.type);
  const selection = isObjectType(named) || isAbstractType(named) ? ' { __typename }' : '';
  return `${operation} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection} }`;
}

describe('scopes', () => {
  // Query.viewer answers any authenticated caller, so that a key can learn what it lacks (viewer.test.ts).
  const queries = fieldsOf(schema.getQueryType()).filter((field) => field.name !== 'viewer');
  const subscriptions = fieldsOf(schema.getSubscriptionType());
  const mutations = fieldsOf(schema.getMutationType());

  it('should find the root fields to check', () => {
    expect(queries.map((f) => f.name)).toContain('modelInvocationJob');
    expect(subscriptions.map((f) => f.name)).toContain('modelInvocationJobStatusChanged');
  });

  it('should refuse every query field without jobs:read with FORBIDDEN and no upstream call', async () => {
    for (const field of queries) {
      const response = await t.graphql(documentFor('query', field), {}, { headers: { 'x-api-key': KEYS.scopeless } });
      expect(errorCodesByPath(response), field.name).toEqual({ [field.name]: 'FORBIDDEN' });
      expect(response.errors![0]!.message).toContain('jobs:read');
    }
    expect(getCalls()).toBe(0);
  });

  it('should let every query field run with jobs:read', async () => {
    for (const field of queries) {
      const response = await t.graphql(documentFor('query', field), {}, { headers: { 'x-api-key': KEYS.reader } });
      expect(Object.values(errorCodesByPath(response)), field.name).not.toContain('FORBIDDEN');
    }
  });

  it('should read scopes from the JWT scope claim', async () => {
    const job = finishedJob();
    const writeOnly = await signHs256(SECRET, 'jobs:write', claims);
    expect(errorCodesByPath(await t.graphql(lookup(job.jobId), {}, { headers: bearer(writeOnly) }))).toEqual({ modelInvocationJob: 'FORBIDDEN' });
    const readAmongOthers = await idp.token('openid profile jobs:read', claims);
    expect((await t.graphql(lookup(job.jobId), {}, { headers: bearer(readAmongOthers) })).data).toEqual({
      modelInvocationJob: { jobId: job.jobId, status: 'COMPLETED' },
    });
  });

  it('should refuse every subscription field without jobs:read over graphql-ws and SSE', async () => {
    for (const field of subscriptions) {
      const client = createWsClient(t.url, { connectionParams: { 'x-api-key': KEYS.scopeless } });
      cleanups.push(() => client.dispose());
      const ws = subscribeWs(client, documentFor('subscription', field));
      await ws.done.catch(() => undefined);
      expect(ws.events.flatMap((e) => e.errors ?? []).map((e) => e.extensions?.code), field.name).toEqual(['FORBIDDEN']);
    }
    const sse = subscribeSseWithHeaders(documentFor('subscription', subscriptions[0]!), { 'x-api-key': KEYS.scopeless });
    expect(await sse).toContain('FORBIDDEN');
    expect(t.gateway.feed.size).toBe(0);
    expect(getCalls()).toBe(0);
  });

  // Runs as soon as the schema has a Mutation type: every mutation needs jobs:write.
  it.runIf(mutations.length > 0)('should refuse every mutation without jobs:write with FORBIDDEN', async () => {
    for (const field of mutations) {
      const response = await t.graphql(documentFor('mutation', field), {}, { headers: { 'x-api-key': KEYS.reader } });
      expect(errorCodesByPath(response), field.name).toEqual({ [field.name]: 'FORBIDDEN' });
      expect(response.errors![0]!.message).toContain('jobs:write');
    }
    expect(t.simulator.stats().calls.StopModelInvocationJob + t.simulator.stats().calls.CreateModelInvocationJob).toBe(0);
  });

  it.runIf(mutations.length > 0)('should let every mutation past the scope check with the scopes it needs', async () => {
    // jobs:write, and results:read for the one that reads job outputs.
    const readsResults = new Set(['retryFailedRecords']);
    for (const field of mutations) {
      const key = readsResults.has(field.name) ? KEYS.operator : KEYS.writer;
      const response = await t.graphql(documentFor('mutation', field), {}, { headers: { 'x-api-key': key } });
      expect(Object.values(errorCodesByPath(response)), field.name).not.toContain('FORBIDDEN');
    }
    const retry = await t.graphql(documentFor('mutation', mutations.find((field) => field.name === 'retryFailedRecords')!), {}, {
      headers: { 'x-api-key': KEYS.writer },
    });
    expect(errorCodesByPath(retry)).toEqual({ retryFailedRecords: 'FORBIDDEN' });
    expect(retry.errors![0]!.message).toContain('results:read');
  });
});

/** The raw SSE body of a subscription sent with extra headers (for error cases that end at once). */
async function subscribeSseWithHeaders(query: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query }),
  });
  return response.text();
}

describe('auth off', () => {
  it('should give every caller every scope with the simulator by default', async () => {
    const open = await startTestGateway();
    cleanups.push(() => open.close());
    const job = open.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
    expect((await open.graphql(lookup(job.jobId))).data).toEqual({ modelInvocationJob: { jobId: job.jobId, status: 'COMPLETED' } });
    const sse = subscribeSse(open.url, `subscription { modelInvocationJobUpdated(jobIdentifier: "${job.jobId}") { status } }`);
    await sse.done;
    expect(sse.events).toHaveLength(1);
  });

  it('should warn loudly when AUTH_REQUIRED=false with BEDROCK_BACKEND=aws', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const config = loadConfig({ BEDROCK_BACKEND: 'aws', AUTH_REQUIRED: 'false', AWS_REGION: 'us-east-1', PORT: '0' });
    const gateway = await createGateway(config, { logger, processMetrics: false });
    await gateway.close();
    const warning = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).find((l) => /AUTH_REQUIRED=false/.test(l.msg));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(/anyone who can reach this port/);
  });
});
