// The gateway's own AWS credentials failing at run time (none to be loaded, or refused by AWS) are
// the operator's to fix: clients get UPSTREAM_UNAVAILABLE saying so, without the SDK's details or
// a stack, and the log gets one warn line with the SDK's reason and no stack. Bedrock and S3
// alike, through the real SDK against the simulator on loopback.
import { CredentialsProviderError } from '@smithy/core/config';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../src/bedrock/circuit-breaker.ts';
import { createBedrockClient, type UpstreamTarget } from '../src/bedrock/client.ts';
import { createInProcessJobCache } from '../src/bedrock/job-cache.ts';
import { createJobsApi } from '../src/bedrock/jobs.ts';
import { createTerminalJobCache } from '../src/bedrock/terminal-job-cache.ts';
import { loadConfig } from '../src/config.ts';
import { createResultsStorage, type S3Target } from '../src/results/storage.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator, type Simulator } from '../src/simulator/index.ts';
import { startGatewayProcess } from './support/gateway-process.ts';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ seed: false });
});
afterAll(() => simulator.close());

type Credentials = UpstreamTarget['credentials'];
/** What the SDK's default chain throws when no provider has credentials. */
const noCredentials = (() =>
  Promise.reject(new CredentialsProviderError('Could not load credentials from any providers', { tryNextLink: false }))) as unknown as Credentials;
const wrongSecret: Credentials = { accessKeyId: SIMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' };
const unknownKey: Credentials = { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: SIMULATOR_CREDENTIALS.secretAccessKey };

/** A logger that keeps its lines, parsed. */
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void (raw.push(line), lines.push(JSON.parse(line) as Record<string, unknown>)) });
  return { logger, lines, raw };
}

/** The JSON a client would get for this error, as Yoga serialises it. */
const wire = (error: unknown) => JSON.parse(JSON.stringify(error)) as Record<string, unknown>;

describe('Bedrock calls with failing gateway credentials', () => {
  const jobsWith = (credentials: Credentials) => {
    const config = loadConfig({ UPSTREAM_MAX_ATTEMPTS: '1' });
    const client = createBedrockClient(config.upstream, { endpoint: simulator.url, region: SIMULATOR_REGION, credentials });
    const log = capture();
    const jobs = createJobsApi({ client, cache: createInProcessJobCache(createTerminalJobCache(10)), deadlineMs: 2000, logger: log.logger });
    return { jobs, log, close: () => client.destroy() };
  };

  it('should answer UPSTREAM_UNAVAILABLE, clearly and without a stack, when no credentials can be loaded', async () => {
    const { jobs, log, close } = jobsWith(noCredentials);
    const job = simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    simulator.resetStats();
    const error = await jobs.getJob(job.jobId).catch((caught: unknown) => caught);
    close();
    expect(error).toMatchObject({
      message:
        'The gateway could not load its AWS credentials for Bedrock GetModelInvocationJob: its operator must provide them (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an SSO login, or an instance or task role)',
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(wire(error)).toEqual({ message: (error as Error).message, extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    // Nothing was sent.
    expect(simulator.stats().calls.GetModelInvocationJob).toBe(0);
    expect(log.lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'upstream call failed', operation: 'GetModelInvocationJob', code: 'UPSTREAM_UNAVAILABLE', reason: 'CredentialsProviderError: Could not load credentials from any providers' }),
    ]);
    expect(log.raw[0]).not.toMatch(/stack|\\n\s+at /);
  });

  it('should keep the circuit closed however many calls fail for want of credentials: Bedrock is not down', async () => {
    const config = loadConfig({ UPSTREAM_MAX_ATTEMPTS: '1', CIRCUIT_BREAKER_FAILURES: '2' });
    const client = createBedrockClient(config.upstream, { endpoint: simulator.url, region: SIMULATOR_REGION, credentials: noCredentials });
    const circuitBreaker = createCircuitBreaker(config.circuitBreaker);
    const jobs = createJobsApi({ client, cache: createInProcessJobCache(createTerminalJobCache(10)), deadlineMs: 2000, logger: pino({ level: 'silent' }), circuitBreaker });
    const job = simulator.engine.createJob({ status: 'InProgress' }, { paused: true });
    const messages = [];
    for (let call = 0; call < 5; call++) messages.push(await jobs.getJob(job.jobId).catch((caught: Error) => caught.message));
    client.destroy();
    expect(circuitBreaker.state).toBe('closed');
    expect(new Set(messages)).toEqual(new Set([expect.stringMatching(/^The gateway could not load its AWS credentials/)]));
  });

  it.each([
    ['a wrong secret', wrongSecret, 'InvalidSignatureException'],
    ['an unknown access key id', unknownKey, 'UnrecognizedClientException'],
  ])('should answer UPSTREAM_UNAVAILABLE naming rejected credentials for %s', async (_case, credentials, name) => {
    const { jobs, log, close } = jobsWith(credentials);
    const error = await jobs.listJobs({ maxResults: 1 }).catch((caught: unknown) => caught);
    close();
    expect(error).toMatchObject({
      message: `AWS rejected the gateway's credentials for Bedrock ListModelInvocationJobs (${name}: expired or not valid): its operator must renew them`,
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: 40, code: 'UPSTREAM_UNAVAILABLE', reason: expect.stringMatching(new RegExp(`^${name}: `)) });
    expect(log.raw[0]).not.toMatch(/stack/);
  });
});

describe('S3 calls with failing gateway credentials', () => {
  const storageWith = (credentials: Credentials) => {
    const log = capture();
    const target: S3Target = { endpoint: simulator.url, region: SIMULATOR_REGION, credentials, forcePathStyle: true };
    const storage = createResultsStorage({ target, attemptTimeoutMs: 2000, maxAttempts: 1, retryMode: 'standard', deadlineMs: 3000, logger: log.logger });
    return { storage, log };
  };

  it('should answer UPSTREAM_UNAVAILABLE when no credentials can be loaded, for calls and download URLs', async () => {
    const { storage, log } = storageWith(noCredentials);
    await expect(storage.list('acme-ml-batch', 'output/')).rejects.toMatchObject({
      message: expect.stringMatching(/^The gateway could not load its AWS credentials for S3 ListObjectsV2 on s3:\/\/acme-ml-batch\/output\/: its operator must provide them/),
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    await expect(storage.presignGet('acme-ml-batch', 'output/a.jsonl.out', 60)).rejects.toMatchObject({
      message: expect.stringMatching(/^The gateway could not load its AWS credentials for a download URL of s3:\/\/acme-ml-batch\/output\/a\.jsonl\.out/),
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    storage.close();
    expect(log.lines.map((line) => [line.level, line.msg, line.reason])).toEqual([
      [40, 'S3 call failed', 'CredentialsProviderError: Could not load credentials from any providers'],
      [40, 'S3 call failed', 'CredentialsProviderError: Could not load credentials from any providers'],
    ]);
    expect(log.raw.join('')).not.toMatch(/stack/);
  });

  it.each([
    ['a wrong secret', wrongSecret, 'SignatureDoesNotMatch'],
    ['an unknown access key id', unknownKey, 'InvalidAccessKeyId'],
  ])('should answer UPSTREAM_UNAVAILABLE, not FORBIDDEN, when S3 says it rejects %s', async (_case, credentials, name) => {
    const { storage } = storageWith(credentials);
    // S3 answers HEAD with a bare 403: it cannot be told from access denied, so the message says both.
    await expect(storage.head('acme-ml-batch', 'output/manifest.json.out')).rejects.toMatchObject({
      message: expect.stringMatching(/\(HeadObject: \w+\): its credentials need s3:ListBucket and s3:GetObject on the job's output, or are expired or not valid$/),
      extensions: { code: 'FORBIDDEN' },
    });
    await expect(storage.list('acme-ml-batch', 'output/')).rejects.toMatchObject({
      message: `AWS rejected the gateway's credentials for S3 ListObjectsV2 on s3://acme-ml-batch/output/ (${name}: expired or not valid): its operator must renew them`,
      extensions: { code: 'UPSTREAM_UNAVAILABLE', s3Error: name },
    });
    storage.close();
  });
});

describe('a gateway process whose credentials AWS rejects', () => {
  it('should answer each query with UPSTREAM_UNAVAILABLE and one warn line per call, no stack', async () => {
    const gateway = await startGatewayProcess(simulator, { AWS_SECRET_ACCESS_KEY: 'not-the-secret', UPSTREAM_MAX_ATTEMPTS: '1', DASHBOARD: 'false' });
    try {
      const response = await gateway.graphql('{ modelInvocationJob(jobIdentifier: "abcdefghijkl") { jobId } }');
      expect(response.errors).toEqual([
        {
          message: "AWS rejected the gateway's credentials for Bedrock GetModelInvocationJob (InvalidSignatureException: expired or not valid): its operator must renew them",
          path: ['modelInvocationJob'],
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'UPSTREAM_UNAVAILABLE' },
        },
      ]);
      const warning = await gateway.child.waitForLog(/^upstream call failed$/);
      expect(warning).toMatchObject({ level: 40, operation: 'GetModelInvocationJob', reason: expect.stringMatching(/^InvalidSignatureException: /) });
      expect(warning).not.toHaveProperty('err');
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.child.exited;
    }
  });
});
