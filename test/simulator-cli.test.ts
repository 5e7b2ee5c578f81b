// `npm run simulator` for people: it prints its endpoint, region and credentials, the seeded demo
// jobs (the same ids on every start), and commands that work when copied: the AWS CLI (run here
// when `aws` is installed) and the gateway against it, run here as printed.
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION } from '../src/simulator/index.ts';
import { awsFreeEnv, createEmptyHome } from './support/aws-free-env.ts';
import { startProcess, type ChildProcessHandle } from './support/process.ts';

// A test that times out never reaches its own cleanup: kill what it started here instead.
const leftovers: ChildProcessHandle[] = [];
afterEach(() => {
  for (const child of leftovers.splice(0)) child.kill('SIGKILL');
});

let home: { path: string; remove(): Promise<void> };
let simulator: ChildProcessHandle;
let text: string;
beforeAll(async () => {
  home = await createEmptyHome();
  simulator = startProcess('dist/simulator/main.js', awsFreeEnv(home.path, { HOST: '127.0.0.1', SIMULATOR_PORT: '0', LOG_LEVEL: 'warn' }));
  // The text is written at once, after the server listens; the gateway command is its last line.
  await vi.waitFor(() => expect(simulator.stdout()).toMatch(/npm start\n/), { timeout: 10_000, interval: 20 });
  text = simulator.stdout();
});
afterAll(async () => {
  simulator.kill('SIGTERM');
  await simulator.exited;
  await home.remove();
});

/** The value on the row `label` of the printed table. */
const row = (label: string) => new RegExp(`^  ${label} +(\\S+)$`, 'm').exec(text)?.[1];
/** The printed command line that contains `marker`, without its indent. */
const command = (marker: string) => text.split('\n').find((line) => line.includes(marker))?.trim() ?? '';

describe('npm run simulator', () => {
  it('should print its endpoint, region and credentials as plain lines on stdout', () => {
    const endpoint = row('endpoint');
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(row('region')).toBe(SIMULATOR_REGION);
    expect(row('access key id')).toBe(SIMULATOR_CREDENTIALS.accessKeyId);
    expect(row('secret access key')).toBe(SIMULATOR_CREDENTIALS.secretAccessKey);
  });

  it('should list the seeded demo jobs, whose ids are the same on every start', () => {
    for (const [jobId, status, jobName] of [
      ['was98kwzp9qr', 'Completed', 'support-ticket-triage-2024-06'],
      ['oifrco1kgbpv', 'PartiallyCompleted', 'product-review-sentiment-q2'],
      ['k5s7zfy8e9fn', 'InProgress', 'search-query-embeddings-refresh'],
    ]) {
      expect(text).toMatch(new RegExp(`^  ${jobId}  ${status} +${jobName}$`, 'm'));
    }
  });

  const awsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;

  it.skipIf(!awsCli)('should print an AWS CLI command that lists its jobs as printed', async () => {
    const line = command('aws bedrock list-model-invocation-jobs');
    expect(line).toBe(
      `AWS_ACCESS_KEY_ID=${SIMULATOR_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SIMULATOR_CREDENTIALS.secretAccessKey} aws bedrock list-model-invocation-jobs --endpoint-url ${row('endpoint')} --region ${SIMULATOR_REGION}`,
    );
    const cli = spawn('sh', ['-c', line], { env: awsFreeEnv(home.path, { PATH: process.env.PATH ?? '' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    cli.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    expect(code).toBe(0);
    const listed = (JSON.parse(out) as { invocationJobSummaries: Array<{ jobArn: string }> }).invocationJobSummaries;
    expect(listed.map((job) => job.jobArn.split('/').pop())).toContain('was98kwzp9qr');
  }, 30_000);

  it('should print a gateway command that starts and reads jobs and their S3 results as printed', async () => {
    const line = command('npm start');
    const endpoint = row('endpoint')!;
    expect(line).toMatch(/^BEDROCK_BACKEND=aws .* npm start$/);
    const assignments = Object.fromEntries(
      line
        .replace(/ npm start$/, '')
        .split(' ')
        .map((word) => word.split('=') as [string, string]),
    );
    expect(assignments).toMatchObject({
      BEDROCK_BACKEND: 'aws',
      AWS_ENDPOINT_URL_BEDROCK: endpoint,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: SIMULATOR_REGION,
      AWS_ACCESS_KEY_ID: SIMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SIMULATOR_CREDENTIALS.secretAccessKey,
    });
    // `npm start` is `node dist/main.js`; PORT=0 so that the test takes a free port.
    const gateway = startProcess('dist/main.js', awsFreeEnv(home.path, { ...assignments, PORT: '0', DASHBOARD: 'false' }));
    leftovers.push(gateway);
    const ready = await gateway.waitForLog(/^GraphQL ready at /);
    const url = /at (http:\/\/\S+)\/graphql/.exec(String(ready.msg))![1]!;
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ modelInvocationJob(jobIdentifier: "was98kwzp9qr") { jobName status results { manifest { totalRecordCount } records(first: 1) { nodes { recordId } } } } }',
      }),
    });
    expect(await response.json()).toEqual({
      data: {
        modelInvocationJob: {
          jobName: 'support-ticket-triage-2024-06',
          status: 'COMPLETED',
          results: { manifest: { totalRecordCount: 12_000 }, records: { nodes: [{ recordId: expect.any(String) }] } },
        },
      },
    });
    gateway.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  });
});
