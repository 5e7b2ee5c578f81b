// Issue 14, item 2: shutting down answers what is in flight. close() (and SIGTERM) stops
// accepting connections, lets in-flight queries and mutations finish with `connection: close`
// for up to SHUTDOWN_TIMEOUT_MS, and only then cuts what is left. Requests are held in flight by
// the simulator (`faults.hang`) until the shutdown has begun.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/index.ts';
import { startGatewayProcess } from './support/gateway-process.ts';
import { useLeftovers } from './support/leftovers.ts';
import { startTestGateway } from './support/test-gateway.ts';

const leftovers = useLeftovers();
const JOB = `query($id: String!) { modelInvocationJob(jobIdentifier: $id) { jobId status } }`;
const CREATE = `mutation($input: CreateModelInvocationJobInput!) { createModelInvocationJob(input: $input) { jobArn jobName status } }`;
const input = (jobName: string) => ({
  jobName,
  roleArn: 'arn:aws:iam::123456789012:role/BedrockBatchRole',
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://my-bucket/input/records.jsonl' } },
  outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://my-bucket/output/' } },
});
// Every request answered from the simulator, nothing from caches or limits.
const ENV = { RATE_LIMIT_RPS: '0', RESPONSE_CACHE_SIZE: '0', POLL_INTERVAL_MS: '600000' };

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/** POSTs an operation on a keep-alive connection of `agent`; rejects when the connection is cut. */
function post(url: string, agent: Agent, query: string, variables: Record<string, unknown>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/graphql`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(body) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query, variables }));
  });
}

const keepAliveAgent = () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 100 });
  leftovers.push(() => agent.destroy());
  return agent;
};

/** A gateway on a simulator of the test's own, closed by the test (or, at the latest, after it). */
async function startGateway(env: Record<string, string> = {}) {
  const t = await startTestGateway({ ...ENV, ...env });
  leftovers.push(async () => {
    t.simulator.faults.reset();
    await t.gateway.close();
    await t.simulator.close();
  });
  return t;
}

/** Holds every call of `operation` at the simulator; resolves once `count` are held. */
function holdCalls(simulator: Simulator, operation: 'GetModelInvocationJob' | 'CreateModelInvocationJob') {
  simulator.faults.operations = [operation];
  simulator.faults.hang = true;
  return (count: number) => vi.waitFor(() => expect(simulator.stats().inFlight).toBe(count), { timeout: 10_000 });
}

const refusedConnection = (url: string) =>
  new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port) });
    socket.once('connect', () => resolve('connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

describe('graceful shutdown', () => {
  it('should answer all 40 queries in flight when close() is called, each with connection: close', async () => {
    const t = await startGateway();
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const held = holdCalls(t.simulator, 'GetModelInvocationJob');
    const agent = keepAliveAgent();
    const answers = Promise.allSettled(Array.from({ length: 40 }, () => post(t.url, agent, JOB, { id: job.jobId })));
    await held(40);

    const closed = t.gateway.close();
    t.simulator.faults.hang = false;
    const settled = await answers;
    expect(settled.filter((answer) => answer.status === 'rejected')).toEqual([]);
    for (const answer of settled as Array<PromiseFulfilledResult<Answer>>) {
      expect(answer.value).toMatchObject({
        status: 200,
        headers: { connection: 'close' },
        body: { data: { modelInvocationJob: { jobId: job.jobId, status: 'IN_PROGRESS' } } },
      });
      expect(answer.value.body.errors).toBeUndefined();
    }
    await closed;
  });

  it('should answer every createModelInvocationJob that reached Bedrock, and create exactly those jobs', async () => {
    const t = await startGateway();
    const held = holdCalls(t.simulator, 'CreateModelInvocationJob');
    const agent = keepAliveAgent();
    const answers = Promise.allSettled(Array.from({ length: 20 }, (_, i) => post(t.url, agent, CREATE, { input: input(`drain-${i}`) })));
    await held(20);

    const closed = t.gateway.close();
    t.simulator.faults.hang = false;
    const settled = await answers;
    expect(settled.filter((answer) => answer.status === 'rejected')).toEqual([]);
    const created = (settled as Array<PromiseFulfilledResult<Answer>>).map((answer) => {
      expect(answer.value.status).toBe(200);
      expect(answer.value.body.errors).toBeUndefined();
      return answer.value.body.data.createModelInvocationJob as { jobArn: string; jobName: string; status: string };
    });
    expect(created.map((job) => job.jobName).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `drain-${i}`).sort());
    expect(new Set(created.map((job) => job.jobArn)).size).toBe(20);
    const upstream = t.simulator.engine.list({ maxResults: 100 }).jobs;
    expect(upstream.map((job) => job.jobArn).sort()).toEqual(created.map((job) => job.jobArn).sort());
    await closed;
  });

  it('should cut a request that outlives SHUTDOWN_TIMEOUT_MS and still finish closing', async () => {
    const t = await startGateway({ SHUTDOWN_TIMEOUT_MS: '100' });
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const held = holdCalls(t.simulator, 'GetModelInvocationJob');
    const answer = post(t.url, keepAliveAgent(), JOB, { id: job.jobId });
    await held(1);

    await t.gateway.close();
    await expect(answer).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|ECONNREFUSED)$/) });
  });

  it('should refuse new connections and close idle keep-alive sockets at once, while requests in flight finish', async () => {
    const t = await startGateway();
    const job = t.simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const idleAgent = keepAliveAgent();
    expect((await post(t.url, idleAgent, JOB, { id: job.jobId })).headers.connection).toBe('keep-alive');
    const [idle] = Object.values(idleAgent.freeSockets).flat();
    const idleClosed = new Promise((resolve) => idle!.once('close', resolve));

    const held = holdCalls(t.simulator, 'GetModelInvocationJob');
    const answer = post(t.url, keepAliveAgent(), JOB, { id: job.jobId });
    await held(1);
    const closed = t.gateway.close();
    expect(await refusedConnection(t.url)).toBe('ECONNREFUSED');
    await idleClosed;

    t.simulator.faults.hang = false;
    expect(await answer).toMatchObject({ status: 200, headers: { connection: 'close' } });
    await closed;
  });

  it('should send 1001 to a WebSocket peer that never answers it, and not wait for its answer', { timeout: 10_000 }, async () => {
    const t = await startGateway();
    const peer = connect({ host: '127.0.0.1', port: Number(new URL(t.url).port) });
    leftovers.push(() => peer.destroy());
    let received = Buffer.alloc(0);
    const upgraded = new Promise<void>((resolve) =>
      peer.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.includes('\r\n\r\n')) resolve();
      }),
    );
    const peerClosed = new Promise((resolve) => peer.once('close', resolve));
    peer.write(
      'GET /graphql HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
    );
    await upgraded;
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);

    // The peer never answers the close frame: ws alone would wait 30 s for it.
    await t.gateway.close();
    await peerClosed;
    const frame = received.subarray(received.indexOf('\r\n\r\n') + 4);
    expect(frame[0]).toBe(0x88); // FIN + close
    expect(frame.readUInt16BE(2)).toBe(1001);
  });

  it('should answer the queries in flight when the process gets SIGTERM, then exit 0', async () => {
    const simulator = await startSimulator({ seed: false });
    leftovers.push(() => simulator.close());
    const job = simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const gateway = await startGatewayProcess(simulator, ENV);
    leftovers.push(() => gateway.child.kill('SIGKILL'));
    const held = holdCalls(simulator, 'GetModelInvocationJob');
    const agent = keepAliveAgent();
    const answers = Promise.allSettled(Array.from({ length: 40 }, () => post(gateway.url, agent, JOB, { id: job.jobId })));
    await held(40);

    gateway.child.kill('SIGTERM');
    await gateway.child.waitForLog(/^shutting down/);
    simulator.faults.hang = false;
    const settled = await answers;
    expect(settled.filter((answer) => answer.status === 'rejected')).toEqual([]);
    for (const answer of settled as Array<PromiseFulfilledResult<Answer>>) {
      expect(answer.value).toMatchObject({ status: 200, body: { data: { modelInvocationJob: { jobId: job.jobId } } } });
    }
    expect(await gateway.child.exited).toBe(0);
  });
});
