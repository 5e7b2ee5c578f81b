// POST /events/bedrock: EventBridge "Batch Inference Job State Change" events trigger an
// immediate refresh; bad or unauthenticated events change nothing.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';

const SECRET = 'test-secret-0123456789';
const STATUS_CHANGED = `subscription($id: String!) { modelInvocationJobStatusChanged(jobIdentifier: $id) { status previousStatus } }`;

let t: TestGateway;
const clients: Client[] = [];
beforeAll(async () => {
  // Polling so slow that only a pushed event can deliver a change within the test.
  t = await startTestGateway({ POLL_INTERVAL_MS: '600000', EVENTBRIDGE_SECRET: SECRET });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(() => t.close());

const post = (body: string, headers: Record<string, string> = { 'x-eventbridge-secret': SECRET }) =>
  fetch(`${t.url}/events/bedrock`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const event = (batchJobArn: unknown, detailType = 'Batch Inference Job State Change') =>
  JSON.stringify({ 'detail-type': detailType, source: 'aws.bedrock', detail: { batchJobArn, status: 'InProgress' } });

describe('POST /events/bedrock', () => {
  it('should deliver a change pushed by EventBridge long before the next poll', async () => {
    const job = t.simulator.engine.createJob({ status: 'Scheduled' }, { paused: true });
    const client = createWsClient(t.url);
    clients.push(client);
    const sub = subscribeWs(client, STATUS_CHANGED, { id: job.jobId });
    await sub.next();
    t.simulator.resetStats();
    t.simulator.engine.setStatus(job.jobId, 'InProgress'); // the simulator emits the event to the gateway
    expect((await sub.next()).data!.modelInvocationJobStatusChanged).toEqual({ status: 'IN_PROGRESS', previousStatus: 'SCHEDULED' });
    expect(t.simulator.stats().eventsSent).toBeGreaterThanOrEqual(1);
    expect(t.gateway.poller.stats().rounds).toBe(0);
  });

  it.each([
    ['no secret', event('arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl'), {}, 401],
    ['a wrong secret', event('arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl'), { 'x-eventbridge-secret': 'x'.repeat(22) }, 401],
    ['a body that is not JSON', '{"detail-type": ', undefined, 400],
    ['another detail-type', event('arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl', 'EC2 Instance State-change Notification'), undefined, 400],
    ['a malformed job ARN', event('arn:aws:s3:::bucket'), undefined, 400],
    ['no job ARN', event(42), undefined, 400],
  ])('should reject an event with %s and change nothing', async (_case, body, headers, status) => {
    t.simulator.resetStats();
    const response = await post(body, headers);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toBeTruthy();
    expect(t.simulator.stats().calls.GetModelInvocationJob).toBe(0);
  });

  it('should accept an event for a job nobody watches without calling Bedrock', async () => {
    t.simulator.resetStats();
    const response = await post(event('arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl'));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true, refreshed: false });
    expect(t.simulator.stats().calls.GetModelInvocationJob).toBe(0);
  });
});

describe('without EVENTBRIDGE_SECRET', () => {
  it('should not serve /events/bedrock', async () => {
    const other = await startTestGateway();
    try {
      const response = await fetch(`${other.url}/events/bedrock`, { method: 'POST', body: event('x') });
      expect(response.status).toBe(404);
    } finally {
      await other.close();
    }
  });
});
