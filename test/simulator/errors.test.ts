// Errors as AWS sends them, as the SDK sees them, and SigV4 checking of every request.
import {
  AccessDeniedException,
  BedrockServiceException,
  ConflictException,
  GetModelInvocationJobCommand,
  InternalServerException,
  ListModelInvocationJobsCommand,
  ThrottlingException,
  type BedrockClient,
} from '@aws-sdk/client-bedrock';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, type Simulator, type SimulatorOperation } from '../../src/simulator/index.ts';
import { clientFor, errorOf, Sha256, useSimulator } from './harness.ts';

let sim: Simulator;
let client: BedrockClient;
beforeAll(async () => {
  sim = await useSimulator();
  client = clientFor(sim);
});

const get = (jobIdentifier = 'abcdefabcdef') => client.send(new GetModelInvocationJobCommand({ jobIdentifier }));

describe('error types', () => {
  const cases = [
    ['throttle', ThrottlingException, 429, 'client'],
    ['internal', InternalServerException, 500, 'server'],
    ['accessDenied', AccessDeniedException, 403, 'client'],
    ['conflict', ConflictException, 400, 'client'],
  ] as const;

  for (const [kind, type, status, fault] of cases) {
    it(`should arrive as the SDK's ${type.name} (${status})`, async () => {
      sim.faults.failNext(1, kind);
      const error = await errorOf(get());
      expect(error).toBeInstanceOf(type);
      expect(error.name).toBe(type.name);
      expect(error.$metadata.httpStatusCode).toBe(status);
      expect((error as BedrockServiceException).$fault).toBe(fault);
      expect(error.message).not.toBe('');
    });
  }

  it('should send status, x-amzn-errortype and a JSON message on the wire', async () => {
    sim.faults.failNext(1, 'throttle');
    const response = await signedFetch(sim, 'GET', '/model-invocation-jobs');
    expect(response.status).toBe(429);
    expect(response.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({ message: expect.any(String) });
  });

  it('should answer UnknownOperationException for a path that is no operation', async () => {
    const response = await signedFetch(sim, 'GET', '/model-invocation-job/abcdefabcdef/stop');
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});

describe('SigV4', () => {
  it('should answer 403 MissingAuthenticationTokenException to an unsigned request', async () => {
    const response = await fetch(`${sim.url}/model-invocation-jobs`);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('should answer 403 UnrecognizedClientException to an unknown access key', async () => {
    const stranger = clientFor(sim, { credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: SIMULATOR_CREDENTIALS.secretAccessKey } });
    const error = await errorOf(stranger.send(new ListModelInvocationJobsCommand({})));
    expect(error).toBeInstanceOf(BedrockServiceException);
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('should answer 403 InvalidSignatureException to a wrong secret', async () => {
    const impostor = clientFor(sim, { credentials: { accessKeyId: SIMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: 'guess' } });
    const error = await errorOf(impostor.send(new ListModelInvocationJobsCommand({})));
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toMatch(/signature we calculated does not match/);
  });

  it('should answer InvalidSignatureException when the body, query or service differs from what was signed', async () => {
    const body = JSON.stringify({ jobName: 'x' });
    const tamperedBody = await signedFetch(sim, 'POST', '/model-invocation-job', { body, sendBody: body.replace('x', 'y') });
    expect(tamperedBody.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    // Without the x-amz-content-sha256 header the body hash is still part of the signature.
    const bare = { body, applyChecksum: false };
    const intact = await signedFetch(sim, 'POST', '/model-invocation-job', bare);
    expect(intact.headers.get('x-amzn-errortype')).toBe('ValidationException');
    const tamperedBare = await signedFetch(sim, 'POST', '/model-invocation-job', { ...bare, sendBody: body.replace('x', 'y') });
    expect(tamperedBare.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    const tamperedQuery = await signedFetch(sim, 'GET', '/model-invocation-jobs', { query: { maxResults: '5' }, sendQuery: 'maxResults=6' });
    expect(tamperedQuery.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    const otherService = await signedFetch(sim, 'GET', '/model-invocation-jobs', { service: 's3' });
    expect(otherService.status).toBe(403);
    expect(otherService.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    const stale = await signedFetch(sim, 'GET', '/model-invocation-jobs', { signingDate: new Date(Date.now() - 3_600_000) });
    expect(stale.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(((await stale.json()) as { message: string }).message).toMatch(/Signature expired/);
  });

  it('should accept a request signed by @smithy/signature-v4 with awkward query characters and an encoded ARN', async () => {
    const job = sim.engine.createJob({ jobName: 'odd-name' });
    const listed = await signedFetch(sim, 'GET', '/model-invocation-jobs', {
      query: { nameContains: "a b+c/d*(e)!'~%", maxResults: '10', sortOrder: 'Ascending' },
    });
    // Signed correctly, so past authentication: the name is refused by the API's own pattern.
    expect(listed.status).toBe(400);
    expect(listed.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(((await listed.json()) as { message: string }).message).toContain('nameContains');
    const got = await signedFetch(sim, 'GET', `/model-invocation-job/${encodeURIComponent(job.jobArn)}`);
    expect(got.status).toBe(200);
    expect(((await got.json()) as { jobName: string }).jobName).toBe('odd-name');
  });

  it('should answer 403 to an unsigned x-amz-date and 400 to more query parameters than any operation takes', async () => {
    // Both are refused before any signature is computed, so a made-up one will do.
    const forged = (signedHeaders: string, query = '') => {
      const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
      const credential = `${SIMULATOR_CREDENTIALS.accessKeyId}/${amzDate.slice(0, 8)}/${SIMULATOR_REGION}/bedrock/aws4_request`;
      return fetch(`${sim.url}/model-invocation-jobs${query}`, {
        headers: {
          'x-amz-date': amzDate,
          authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders}, Signature=${'0'.repeat(64)}`,
        },
      });
    };
    const unsignedDate = await forged('host');
    expect(unsignedDate.status).toBe(403);
    expect(unsignedDate.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(((await unsignedDate.json()) as { message: string }).message).toMatch(/X-Amz-Date/);
    const crowded = await forged('host;x-amz-date', `?${Array.from({ length: 101 }, (_, i) => `p${i}=1`).join('&')}`);
    expect(crowded.status).toBe(400);
    expect(crowded.headers.get('x-amzn-errortype')).toBe('ValidationException');
    const fine = await forged('host;x-amz-date', '?maxResults=5');
    expect(fine.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  });

  it('should not count rejected requests in stats', async () => {
    sim.resetStats();
    await fetch(`${sim.url}/model-invocation-jobs`);
    const stranger = clientFor(sim, { credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' } });
    await errorOf(stranger.send(new ListModelInvocationJobsCommand({})));
    const calls: Record<SimulatorOperation, number> = sim.stats().calls;
    expect(Object.values(calls).every((n) => n === 0)).toBe(true);
  });
});

interface SignedFetchOptions {
  query?: Record<string, string>;
  body?: string;
  /** Send this body instead of the signed one. */
  sendBody?: string;
  /** Send this raw query instead of the signed one. */
  sendQuery?: string;
  service?: string;
  signingDate?: Date;
  /** Whether the signer adds the x-amz-content-sha256 header. @default true */
  applyChecksum?: boolean;
}

/** fetch(), signed with the SDK's own signer, optionally tampered with after signing. */
async function signedFetch(target: Simulator, method: string, path: string, options: SignedFetchOptions = {}): Promise<Response> {
  const url = new URL(target.url);
  const signer = new SignatureV4({
    service: options.service ?? 'bedrock',
    region: SIMULATOR_REGION,
    credentials: SIMULATOR_CREDENTIALS,
    sha256: Sha256,
    applyChecksum: options.applyChecksum,
  });
  const signed = await signer.sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query: options.query ?? {},
      headers: {
        host: url.host,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body,
    },
    { signingDate: options.signingDate },
  );
  const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query =
    options.sendQuery ??
    Object.entries(options.query ?? {})
      .map(([k, v]) => `${escape(k)}=${escape(v)}`)
      .join('&');
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
  return fetch(`${target.url}${path}${query ? `?${query}` : ''}`, { method, headers, body: options.sendBody ?? options.body });
}
