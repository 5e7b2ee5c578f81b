// The parts of webhooks that need no gateway: signatures against Standard Webhooks' own test
// vector and its verifier, the message body, status names, the retry policy, and one receiver's
// bounded queue against a loopback server.
import { randomBytes } from 'node:crypto';
import { ModelInvocationJobStatus } from '@aws-sdk/client-bedrock';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { JOB_STATUSES, jobStatusFromName, jobStatusName, type ModelInvocationJob } from '../src/bedrock/job.ts';
import { createLocalWebhookClaims } from '../src/notify/webhook-claims.ts';
import { createWebhookReceiver, type WebhookOutcome } from '../src/notify/webhook-delivery.ts';
import { createWebhookSigner, statusChangedMessage, webhookMessageId } from '../src/notify/webhook-message.ts';
import { MAX_RETRY_DELAY_MS, backoffMs, isDelivered, retryAfterMs, retryDelayMs } from '../src/notify/webhook-retry.ts';
import { useLeftovers } from './support/leftovers.ts';
import { startWebhookReceiver } from './support/webhook-receiver.ts';

const leftovers = useLeftovers();

describe('signing', () => {
  it("should sign Standard Webhooks' test vector to its published signature", () => {
    // https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
    const signer = createWebhookSigner('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const headers = signer.headers({ id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', body: '{"test": 2432232314}' }, new Date(1614265330_000));
    expect(headers).toEqual({
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/^bedrock-jobs-gateway/),
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it("should be accepted by the library's verifier, and refused with another body, id or secret", () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const message = { id: 'msg_abcdefghijkl_completed', body: '{"type":"x","data":{}}' };
    const headers = createWebhookSigner(secret).headers(message, new Date());
    expect(new Webhook(secret).verify(message.body, headers)).toEqual({ type: 'x', data: {} });
    expect(() => new Webhook(secret).verify('{"type":"y","data":{}}', headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(secret).verify(message.body, { ...headers, 'webhook-id': 'msg_other' })).toThrow(/No matching signature/);
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(message.body, headers)).toThrow(/No matching signature/);
  });
});

describe('the message', () => {
  const job = {
    jobArn: 'arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl',
    jobName: 'nightly',
    modelId: 'amazon.nova-lite-v1:0',
    roleArn: 'arn:aws:iam::123456789012:role/R',
    status: 'PartiallyCompleted',
    submitTime: new Date('2026-01-01T00:00:00Z'),
    inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://in/' } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://out/' } },
    totalRecordCount: 100,
    processedRecordCount: 100,
    successRecordCount: 97,
    errorRecordCount: 3,
  } as ModelInvocationJob & { status: 'PartiallyCompleted' };

  it('should carry the change with enum names, ISO instants and null for absent members', () => {
    const observedAt = new Date('2026-01-01T01:02:03.456Z');
    const message = statusChangedMessage({ job, previousStatus: 'InProgress', observedAt });
    expect(message.id).toBe('msg_abcdefghijkl_partially_completed');
    expect(JSON.parse(message.body)).toEqual({
      type: 'model-invocation-job.status-changed',
      timestamp: '2026-01-01T01:02:03.456Z',
      data: {
        jobArn: job.jobArn,
        jobName: 'nightly',
        modelId: 'amazon.nova-lite-v1:0',
        status: 'PARTIALLY_COMPLETED',
        previousStatus: 'IN_PROGRESS',
        observedAt: '2026-01-01T01:02:03.456Z',
        totalRecordCount: 100,
        processedRecordCount: 100,
        successRecordCount: 97,
        errorRecordCount: 3,
        message: null,
      },
    });
    // A change that came through Redis carries observedAt as text: same message.
    const revived = statusChangedMessage({ job, previousStatus: 'InProgress', observedAt: observedAt.toISOString() as unknown as Date });
    expect(revived).toEqual(message);
    const first = JSON.parse(statusChangedMessage({ job: { ...job, jobName: undefined }, previousStatus: null, observedAt }).body);
    expect(first.data).toMatchObject({ previousStatus: null, jobName: null });
  });

  it('should name every status as the GraphQL enum does (the SDK enum keys), both ways', () => {
    expect(JOB_STATUSES).toHaveLength(Object.keys(ModelInvocationJobStatus).length);
    for (const [name, status] of Object.entries(ModelInvocationJobStatus)) {
      expect(jobStatusName(status)).toBe(name);
      expect(jobStatusFromName(name)).toBe(status);
    }
    expect(jobStatusFromName('InProgress')).toBeUndefined();
    expect(webhookMessageId('abcdefghijkl', 'InProgress')).toBe('msg_abcdefghijkl_in_progress');
  });
});

describe('claims in process', () => {
  it('should grant each (job, status) once', async () => {
    const claims = createLocalWebhookClaims({ max: 2 });
    expect(await claims.claim('a', 'Completed')).toBe(true);
    expect(await claims.claim('a', 'Completed')).toBe(false);
    expect(await claims.claim('a', 'InProgress')).toBe(true);
    expect(await claims.claim('b', 'Completed')).toBe(true);
    // Bounded: the oldest claim is forgotten.
    expect(await claims.claim('a', 'Completed')).toBe(true);
  });
});

describe('the retry policy', () => {
  it('should count only a 2xx as delivered', () => {
    expect([200, 202, 204, 299].every(isDelivered)).toBe(true);
    expect([199, 301, 400, 404, 409, 429, 500, 503].some(isDelivered)).toBe(false);
  });

  it('should double the wait from the base, spread by ±20%, capped at an hour', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4].map((retry) => backoffMs(retry, 5000, middle))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(backoffMs(1, 5000, () => 0)).toBe(4000);
    expect(backoffMs(1, 5000, () => 0.999999)).toBe(6000);
    expect(backoffMs(30, 5000, middle)).toBe(MAX_RETRY_DELAY_MS);
    expect(backoffMs(1000, 5000, middle)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('should honour Retry-After when it asks for longer, up to the cap', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
    const middle = () => 0.5;
    expect(retryDelayMs(1, 5000, 60_000, middle)).toBe(60_000);
    expect(retryDelayMs(1, 5000, 0, middle)).toBe(5000);
    expect(retryDelayMs(1, 5000, 86_400_000, middle)).toBe(MAX_RETRY_DELAY_MS);
  });
});

describe('one receiver', () => {
  it('should keep at most maxInFlight attempts and maxQueued waiting, dropping the oldest with one warning', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const server = await startWebhookReceiver(secret);
    leftovers.push(() => server.close());
    server.answer = () => 'hang';
    const outcomes: WebhookOutcome[] = [];
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
    const receiver = createWebhookReceiver({
      url: new URL(server.url),
      name: '#1 test',
      signer: createWebhookSigner(secret),
      maxAttempts: 3,
      retryBaseMs: 10,
      timeoutMs: 60_000,
      maxInFlight: 2,
      maxQueued: 3,
      onOutcome: (outcome) => outcomes.push(outcome),
      logger,
    });
    leftovers.push(() => receiver.close(Date.now()));
    const message = (n: number) => ({ id: `msg_${n}`, body: `{"n":${n}}` });
    receiver.enqueue(message(1));
    receiver.enqueue(message(2));
    const sent = [await server.requests.next(), await server.requests.next()];
    expect(sent.map((request) => request.id)).toEqual(['msg_1', 'msg_2']);
    for (let n = 3; n <= 8; n++) receiver.enqueue(message(n));
    receiver.enqueue(message(8)); // already queued: ignored

    // 2 in flight, 3 waiting (6, 7 and 8): 3, 4 and 5 were the oldest waiting when each came.
    expect(receiver.queued).toBe(5);
    expect(outcomes).toEqual(['dropped', 'dropped', 'dropped']);
    expect(warnings).toEqual(['webhook queue full: dropped the oldest undelivered message']);

    server.answer = () => 200;
    server.release(200);
    const rest = [await server.requests.next(), await server.requests.next(), await server.requests.next()];
    expect(rest.map((request) => request.id)).toEqual(['msg_6', 'msg_7', 'msg_8']);
    await expect.poll(() => receiver.queued).toBe(0);
    expect(outcomes.filter((outcome) => outcome === 'delivered')).toHaveLength(5);
    expect(server.requests.events).toHaveLength(5);
    expect(await receiver.close(Date.now())).toBe(0);
  });
});
