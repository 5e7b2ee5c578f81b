// GraphiQL over plain HTTP: the example document the page opens on, each of its operations run
// on its own as GraphiQL sends it (the chosen operation with every fragment of the document, the
// other operations left out) and with the whole document, the example saying where a key goes,
// its Content-Security-Policy, and validation errors keeping their line and column (issue 17).
// The page in a browser: graphiql-browser.test.ts; its compression: compression.test.ts.
import { createHash } from 'node:crypto';
import { Kind, OperationTypeNode, parse, print, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventQueue } from './support/event-queue.ts';
import { useLeftovers } from './support/leftovers.ts';
import { nextRound } from './support/poller-rounds.ts';
import { createSseReader } from './support/subscriptions.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/test-gateway.ts';

const QUERIES = ['RecentJobs', 'Job', 'ManyJobs', 'JobTiming'];
const SUBSCRIPTIONS = ['WatchJob', 'WatchAccount'];

/**
 * What GraphiQL's Yoga fetcher sends for `operationName`: the document without the other
 * operations, its fragments kept, so that a fragment the operation does not spread is "never
 * used". The whole document would validate (every fragment is used by some operation).
 */
function asGraphiQLSends(document: string, operationName: string): string {
  const { definitions, ...rest } = parse(document);
  return print({ ...rest, definitions: definitions.filter((definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition.name?.value === operationName) });
}

/** The example as GraphiQL sends it, and whole. */
const FORMS = [
  ['as GraphiQL sends it', asGraphiQLSends],
  ['with the whole document', (document: string) => document],
] as const;

/** The example document, taken from the page as a browser gets it. */
async function servedExample(url: string): Promise<string> {
  const response = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  const html = await response.text();
  const options = /<script type="application\/json" id="graphiql-options">([^<]*)<\/script>/.exec(html)?.[1];
  expect(options, 'the page holds its options as JSON').toBeDefined();
  return (JSON.parse(options!) as { defaultQuery: string }).defaultQuery;
}

/**
 * The first event of a subscription over SSE, sent as GraphiQL sends it: a GET with the CSRF
 * header. `afterStart` runs once the stream is open.
 */
async function firstSseEvent(url: string, params: { query: string; operationName: string }, afterStart?: () => Promise<void>) {
  const queue = createEventQueue<GraphQLResponse>();
  const controller = new AbortController();
  const response = await fetch(`${url}/graphql?${new URLSearchParams(params)}`, {
    headers: { accept: 'text/event-stream', 'x-graphql-yoga-csrf': '1' },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = createSseReader(queue);
  const decoder = new TextDecoder();
  const body = response.body!.getReader();
  void (async () => {
    for (let read = await body.read(); !read.done; read = await body.read()) reader.read(decoder.decode(read.value, { stream: true }));
  })().catch(() => undefined); // aborted
  try {
    await afterStart?.();
    return await queue.next();
  } finally {
    controller.abort();
  }
}

describe("GraphiQL's example", () => {
  let t: TestGateway;
  let example: string;
  beforeAll(async () => {
    // Seeded, as `npm run dev` starts it: the example names the simulator's own jobs.
    t = await startTestGateway({ POLL_INTERVAL_MS: '100' }, { seed: true });
    example = await servedExample(t.url);
  });
  afterAll(() => t?.close());

  it('should hold a query of recent jobs, one job, many jobs and the timing fields, and subscriptions', () => {
    const operations = parse(example).definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    expect(operations.map((operation) => operation.name?.value)).toEqual([...QUERIES, ...SUBSCRIPTIONS]);
    expect(operations.filter((operation) => operation.operation === OperationTypeNode.SUBSCRIPTION).map((operation) => operation.name?.value)).toEqual(SUBSCRIPTIONS);
    for (const field of ['startedAt', 'throughput', 'estimatedCompletionTime', 'timeline']) expect(example).toContain(field);
    const [newest] = t.simulator.engine.list({ maxResults: 1 }).jobs;
    expect(example).toContain(`"${newest!.jobId}"`);
  });

  it('should catch a fragment that an operation does not use, as GraphiQL would', async () => {
    const document = `query A { modelInvocationJobs(first: 1) { nodes { ...F } } }
query B { __typename }
fragment F on ModelInvocationJob { jobId }`;
    const body = (await (await t.post({ query: asGraphiQLSends(document, 'B'), operationName: 'B' })).json()) as GraphQLResponse;
    expect(body.errors?.map((error) => error.message)).toEqual(['Fragment "F" is never used.']);
  });

  it.each(FORMS.flatMap(([form, send]) => QUERIES.map((name) => [name, form, send] as const)))('should run %s on its own, %s', async (operationName, _form, send) => {
    const response = await t.post({ query: send(example, operationName), operationName });
    const body = (await response.json()) as GraphQLResponse;
    expect(body.errors).toBeUndefined();
    expect(response.status).toBe(200);
    expect(Object.values(body.data ?? {}).every((value) => value !== null)).toBe(true);
  });

  it('should answer RecentJobs, Job and ManyJobs with the seeded jobs', async () => {
    const run = async (operationName: string) => ((await (await t.post({ query: example, operationName })).json()) as GraphQLResponse).data!;
    const ids = t.simulator.engine.list({ maxResults: 3 }).jobs.map((job) => job.jobId);
    expect((await run('RecentJobs')).modelInvocationJobs.nodes).toHaveLength(5);
    expect((await run('Job')).modelInvocationJob.jobId).toBe(ids[0]);
    expect((await run('ManyJobs')).modelInvocationJobsByIdentifier.map((job: { jobId: string }) => job.jobId)).toEqual(ids);
    expect((await run('JobTiming')).modelInvocationJob.timeline.length).toBeGreaterThan(0);
  });

  it.each(FORMS)('should stream WatchJob on its own over SSE, the job at once, %s', async (_form, send) => {
    const event = await firstSseEvent(t.url, { query: send(example, 'WatchJob'), operationName: 'WatchJob' });
    expect(event.errors).toBeUndefined();
    expect(event.data!.modelInvocationJobUpdated.jobId).toMatch(/^[a-z0-9]{12}$/);
  });

  it.each(FORMS)('should stream WatchAccount on its own over SSE, a new job included, %s', async (_form, send) => {
    const event = await firstSseEvent(t.url, { query: send(example, 'WatchAccount'), operationName: 'WatchAccount' }, async () => {
      await expect.poll(() => t.gateway.poller.stats().accountWatchers).toBe(1);
      await nextRound(t.gateway.poller); // the baseline
      t.simulator.engine.createJob({ status: 'Submitted', jobName: 'graphiql-example-watch' }, { paused: true });
    });
    expect(event.errors).toBeUndefined();
    expect(event.data!.modelInvocationJobsChanged).toMatchObject({ status: expect.any(String), job: { jobId: expect.any(String) } });
  });

  it('should say where a key goes: the Headers tab, with x-api-key or a bearer token', () => {
    const header = example.slice(0, example.indexOf('query '));
    expect(header).toContain('Headers tab');
    expect(header).toContain('{"x-api-key": "<key>"}');
    expect(header).toContain('{"authorization": "Bearer <token>"}');
  });
});

describe("the GraphiQL page's Content-Security-Policy", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t?.close());

  /** The policy's directives, by name. */
  const directives = (policy: string) =>
    Object.fromEntries(policy.split(';').map((directive) => directive.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

  it('should allow nothing by default, and only what GraphiQL uses', async () => {
    const response = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const { 'script-src': scriptSrc, ...others } = directives(response.headers.get('content-security-policy')!);
    expect(others).toEqual({
      'default-src': ["'none'"],
      'worker-src': ['blob:'],
      'connect-src': ["'self'"],
      'style-src': ["'unsafe-inline'"],
      'font-src': ['data:'],
      'img-src': ['data:'],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
    // No 'unsafe-inline', no 'unsafe-eval', no source: only the page's own scripts, by hash.
    const html = await response.text();
    const inlineScripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
    expect(inlineScripts).toHaveLength(2);
    expect(scriptSrc).toEqual(inlineScripts.map((script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`));
  });

  it('should send the same policy with a 304 and a HEAD', async () => {
    const get = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    const policy = get.headers.get('content-security-policy');
    const again = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html', 'if-none-match': get.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('content-security-policy')).toBe(policy);
    const head = await fetch(`${t.url}/graphql`, { method: 'HEAD', headers: { accept: 'text/html' } });
    expect(head.headers.get('content-security-policy')).toBe(policy);
  });
});

describe('validation errors in GraphiQL', () => {
  const leftovers = useLeftovers();
  // A typo on line 3, column 5; an enum typo on line 2, column 57.
  const TYPO = `query Typo {
  modelInvocationJobs(first: 1, filter: { statusEquals: COMPLETD }) {
    nodez { jobId }
  }
}`;

  it.each([
    ['in development (suggestions on)', {}],
    ['with INTROSPECTION=false (suggestions hidden)', { INTROSPECTION: 'false' }],
    ['in production (masked errors, no details)', { NODE_ENV: 'production', INTROSPECTION: 'true' }],
  ])('should keep their line and column %s', async (_mode, env) => {
    const t = await leftovers.gateway(env);
    const response = await t.post({ query: TYPO });
    expect(response.status).toBe(400);
    const { errors } = (await response.json()) as { errors: Array<{ message: string; locations?: Array<{ line: number; column: number }> }> };
    expect(errors.map(({ message, locations }) => ({ message: message.replace(/ Did you mean.*$/, ''), locations }))).toEqual([
      { message: expect.stringMatching(/^Value "COMPLETD" does not exist in "ModelInvocationJobStatus" enum\.?$/), locations: [{ line: 2, column: 57 }] },
      { message: 'Cannot query field "nodez" on type "ModelInvocationJobConnection".', locations: [{ line: 3, column: 5 }] },
    ]);
  });
});
