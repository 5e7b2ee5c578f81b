// Job ARNs the gateway cannot reach: one of another region than its client calls is refused before
// any call, and so is one of another account once Bedrock's own answers have named the account.
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_REGION } from '../src/simulator/index.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';
import { errorCodesByPath, startTestGateway, type TestGateway } from './support/test-gateway.ts';

const JOB = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId status } }`;
const STOP = `mutation($id: String!) { stopModelInvocationJob(jobIdentifier: $id) { status } }`;
const STATUS_CHANGED = `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status } }`;
const arn = (region: string, account: string, jobId: string) => `arn:aws:bedrock:${region}:${account}:model-invocation-job/${jobId}`;

let t: TestGateway;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestGateway();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(() => t.close());

const upstreamCalls = () => Object.values(t.simulator.stats().calls).reduce((sum, n) => sum + n, 0);

describe('job ARNs of another region or account', () => {
  it('should refuse an ARN of another region with BAD_USER_INPUT naming both regions, without a call (asked Bedrock before)', async () => {
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const elsewhere = arn('eu-west-1', '123456789012', job.jobId);
    t.simulator.resetStats();
    for (const operation of [JOB, STOP]) {
      const response = await t.graphql(operation, { id: elsewhere });
      expect(Object.values(errorCodesByPath(response))).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.message).toContain(`region eu-west-1, but this gateway calls Bedrock in ${SIMULATOR_REGION}`);
    }
    const client = createWsClient(t.url);
    clients.push(client);
    const refused = await subscribeWs(client, STATUS_CHANGED, { id: elsewhere }).next();
    expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(upstreamCalls()).toBe(0);
    // The same job by its own ARN is served.
    expect((await t.graphql(JOB, { id: job.jobArn })).data!.modelInvocationJob.jobId).toBe(job.jobId);
  });

  it('should refuse an ARN of another account once Bedrock has named its own, without a call', async () => {
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    // Any answer naming a job ARN tells the gateway its account.
    await t.graphql(JOB, { id: job.jobId });
    t.simulator.resetStats();
    const response = await t.graphql(JOB, { id: arn(SIMULATOR_REGION, '999988887777', job.jobId) });
    expect(errorCodesByPath(response)).toEqual({ modelInvocationJob: 'BAD_USER_INPUT' });
    expect(response.errors![0]!.message).toContain('account 999988887777, but this gateway calls Bedrock as account 123456789012');
    expect(upstreamCalls()).toBe(0);
  });
});
