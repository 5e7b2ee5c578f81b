// `npm start` with BEDROCK_BACKEND=aws resolves the region and credentials with the SDK's own
// providers before it listens: without one it exits 1 with one line naming what is missing and
// how to provide it, within seconds; with them it says where it calls and with whose credentials.
// Everything stays on loopback: HOME is an empty directory, no AWS_* variable of this machine
// reaches the child, and the instance metadata service is never asked.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator } from '../src/simulator/index.ts';
import { awsFreeEnv, createEmptyHome } from './support/aws-free-env.ts';
import { startProcess, type ChildProcessHandle } from './support/process.ts';

// A test that times out never reaches its own cleanup: kill what it started here instead.
const leftovers: ChildProcessHandle[] = [];
afterEach(() => {
  for (const child of leftovers.splice(0)) child.kill('SIGKILL');
});

// Empty, or holding only the ~/.aws/config a test writes.
let home: string;
let slowHome: string;
let profileHome: string;
const homes: Array<{ path: string; remove(): Promise<void> }> = [];
beforeAll(async () => {
  homes.push(...(await Promise.all([createEmptyHome(), createEmptyHome(), createEmptyHome()])));
  [home, slowHome, profileHome] = homes.map((made) => made.path) as [string, string, string];
});
afterAll(() => Promise.all(homes.map((made) => made.remove())));

/** `npm start` in aws mode with only `env` besides the test's empty HOME. */
function startAws(env: Record<string, string>, dir = home): ChildProcessHandle {
  const child = startProcess('dist/main.js', awsFreeEnv(dir, { BEDROCK_BACKEND: 'aws', AUTH_REQUIRED: 'false', HOST: '127.0.0.1', PORT: '0', DASHBOARD: 'false', ...env }));
  leftovers.push(child);
  return child;
}

/** Runs to its exit; resolves with the code, stderr's lines and how long it took. */
async function failedStart(env: Record<string, string>, dir?: string) {
  const startedAt = performance.now();
  const child = startAws(env, dir);
  const code = await child.exited;
  return { code, lines: child.stderr().split('\n').filter(Boolean), stdout: child.stdout(), ms: performance.now() - startedAt };
}

describe('BEDROCK_BACKEND=aws at start-up', () => {
  it('should exit 1 with one line naming AWS_REGION when no region is set', async () => {
    const { code, lines, stdout, ms } = await failedStart({});
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Configuration error: BEDROCK_BACKEND=aws needs an AWS region and none is set: set AWS_REGION \(e\.g\. AWS_REGION=us-east-1\)/);
    expect(lines[0]).toContain('AWS_PROFILE');
    expect(stdout).not.toMatch(/GraphQL ready/);
    expect(ms).toBeLessThan(5000);
  });

  it('should exit 1 with one line naming every way to provide credentials when there are none', async () => {
    const { code, lines, stdout, ms } = await failedStart({ AWS_REGION: 'eu-west-1' });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    const [line] = lines as [string];
    expect(line).toMatch(/^Configuration error: BEDROCK_BACKEND=aws needs AWS credentials and found none: /);
    for (const way of ['AWS_PROFILE', '~/.aws/config', 'aws sso login', 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'instance or task role']) {
      expect(line).toContain(way);
    }
    // The SDK's own semantics: any value but "false" turns the instance metadata service off.
    expect(line).toContain('the instance metadata service was not asked: AWS_EC2_METADATA_DISABLED is set');
    expect(stdout).not.toMatch(/GraphQL ready/);
    expect(ms).toBeLessThan(5000);
  });

  it('should name the profile AWS_PROFILE asks for when it has no credentials', async () => {
    const { code, lines } = await failedStart({ AWS_REGION: 'eu-west-1', AWS_PROFILE: 'nightly-batch' });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('(AWS_PROFILE=nightly-batch gave none: no such profile with credentials in ~/.aws/config or ~/.aws/credentials)');
  });

  it('should refuse a region the SDK does not accept, naming AWS_REGION', async () => {
    const { code, lines } = await failedStart({ AWS_REGION: 'us east 1' });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^Configuration error: BEDROCK_BACKEND=aws cannot use the AWS region: .*"us east 1".*; set AWS_REGION to a region name such as us-east-1$/)]);
  });

  it('should give up on credentials that take longer than 5 s, with one line', async () => {
    const dir = slowHome;
    await mkdir(join(dir, '.aws'));
    // A credential_process that never answers in time (an unlocked password manager, say).
    await writeFile(join(dir, '.aws', 'config'), `[profile slow]\nregion = us-east-1\ncredential_process = ${process.execPath} -e "setTimeout(() => {}, 8000)"\n`);
    const { code, lines, ms } = await failedStart({ AWS_PROFILE: 'slow' }, dir);
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^Configuration error: BEDROCK_BACKEND=aws could not load AWS credentials within 5 s \(a credential_process/)]);
    expect(ms).toBeLessThan(7500);
  });

  it("should start with a profile from ~/.aws/config, say where it calls with whose credentials, and turn the SDK's warnings into lines of ours", async () => {
    const simulator = await startSimulator({ seed: false });
    try {
      const dir = profileHome;
      await mkdir(join(dir, '.aws'));
      const { accessKeyId, secretAccessKey } = SIMULATOR_CREDENTIALS;
      await writeFile(
        join(dir, '.aws', 'config'),
        `[profile batch]\nregion = ${SIMULATOR_REGION}\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`,
      );
      // Keys besides the profile: the SDK would print a 9-line warning to the console on the first call.
      const child = startAws({ AWS_PROFILE: 'batch', AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_ENDPOINT_URL_BEDROCK: simulator.url }, dir);
      expect(await child.waitForLog(/^Both AWS_PROFILE and AWS_ACCESS_KEY_ID/)).toMatchObject({
        level: 40,
        msg: 'Both AWS_PROFILE and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set: the AWS SDK uses the profile (a later SDK may prefer the keys); unset one of them',
      });
      const backend = await child.waitForLog(/^Bedrock backend: AWS/);
      expect(backend).toMatchObject({
        backend: 'aws',
        region: SIMULATOR_REGION,
        upstream: simulator.url,
        msg: `Bedrock backend: AWS, region ${SIMULATOR_REGION}, endpoint ${simulator.url}, credentials from a shared config profile`,
      });
      const ready = await child.waitForLog(/^GraphQL ready at /);
      const url = /at (http:\/\/\S+)\/graphql/.exec(String(ready.msg))![1]!;
      const job = simulator.engine.createJob({ status: 'Completed' }, { paused: true });
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ modelInvocationJob(jobIdentifier: "${job.jobId}") { status } }` }),
      });
      expect(await response.json()).toEqual({ data: { modelInvocationJob: { status: 'COMPLETED' } } });
      child.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      // Nothing but JSON lines: no SDK warning (Node version, credential sources) in between, also
      // after the gateway's own client resolved its credentials for the query.
      expect(child.stderr()).toBe('');
      expect(child.stdout().split('\n').filter(Boolean).every((line) => line.startsWith('{'))).toBe(true);
    } finally {
      await simulator.close();
    }
  });
});
