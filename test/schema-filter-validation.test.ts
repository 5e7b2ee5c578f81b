// The job filter follows ListModelInvocationJobs' rules on the list query and on the account-wide
// stream alike, refused with BAD_USER_INPUT before anything is asked upstream.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/test-gateway.ts';
import { createWsClient, subscribeSse, subscribeWs } from './support/subscriptions.ts';

const LIST = `query($filter: ModelInvocationJobFilter) { modelInvocationJobs(filter: $filter) { nodes { jobName } } }`;
const ACCOUNT = `subscription($filter: ModelInvocationJobFilter) { modelInvocationJobsChanged(filter: $filter) { status } }`;

/** nameContains values the API refuses: its length (1–63) or its pattern. */
const REFUSED = ['', 'a'.repeat(64), 'has space', '-leading-dash', '.leading-dot', 'slash/', 'ünïcode', 'a_b'];
/** Edge cases the API accepts. */
const ACCEPTED = ['a', '7', 'a'.repeat(63), 'a+b.c-d', 'a--.b', 'nightly-emb'];

let t: TestGateway;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestGateway({ POLL_INTERVAL_MS: '25', RATE_LIMIT_RPS: '0' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  t.simulator.resetStats();
});
afterAll(() => t.close());

const listCalls = () => t.simulator.stats().calls.ListModelInvocationJobs;

/** The one error of a refused filter, as the test compares it. */
const refusal = (response: GraphQLResponse) =>
  response.errors?.map((error) => ({
    code: error.extensions?.code,
    argument: (error.extensions as { argument?: string } | undefined)?.argument,
    namesIt: error.message.startsWith('filter.nameContains '),
  }));
const REFUSAL = [{ code: 'BAD_USER_INPUT', argument: 'filter.nameContains', namesIt: true }];

describe('nameContains on modelInvocationJobs', () => {
  it.each(REFUSED)('should refuse %j with BAD_USER_INPUT and no upstream call', async (nameContains) => {
    const response = await t.graphql(LIST, { filter: { nameContains } });
    expect(response.data).toBeNull();
    expect(refusal(response)).toEqual(REFUSAL);
    expect(listCalls()).toBe(0);
  });

  it('should pass names the API accepts on to ListModelInvocationJobs', async () => {
    for (const nameContains of ACCEPTED) {
      const response = await t.graphql(LIST, { filter: { nameContains } });
      expect(response.errors, nameContains).toBeUndefined();
    }
    expect(listCalls()).toBeGreaterThanOrEqual(ACCEPTED.length);
  });
});

describe('nameContains on modelInvocationJobsChanged', () => {
  it('should refuse every value the list refuses over graphql-ws, without watching the account', async () => {
    const client = createWsClient(t.url);
    clients.push(client);
    const subs = REFUSED.map((nameContains) => subscribeWs(client, ACCOUNT, { filter: { nameContains } }));
    await Promise.all(subs.map((sub) => sub.done));
    for (const sub of subs) expect(sub.events.map(refusal)).toEqual([REFUSAL]);
    expect(t.gateway.poller.stats().accountWatchers).toBe(0);
    expect(listCalls()).toBe(0);
  });

  it('should refuse one over SSE the same way', async () => {
    const sub = subscribeSse(t.url, ACCOUNT, { filter: { nameContains: 'has space' } });
    await sub.done;
    expect(sub.events.map(refusal)).toEqual([REFUSAL]);
    expect(t.gateway.poller.stats().accountWatchers).toBe(0);
    expect(listCalls()).toBe(0);
  });
});
