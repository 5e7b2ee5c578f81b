// `npm start` (`node dist/main.js`, built by `npm ci`) on a fresh machine: the gateway with the
// embedded simulator, alive and queryable, nothing but JSON log lines, and a clean exit on SIGTERM.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/simulator/index.ts';
import { awsBackendAt } from './support/gateway-process.ts';
import { startProcess, type ChildProcessHandle } from './support/process.ts';

// A test that times out never reaches its own cleanup: kill what it started here instead.
const leftovers: ChildProcessHandle[] = [];
afterEach(() => {
  for (const child of leftovers.splice(0)) child.kill('SIGKILL');
});

describe('npm start', () => {
  it('should serve the gateway with the embedded simulator and exit 0 on SIGTERM', async () => {
    const child = startProcess('dist/main.js', { PORT: '0', HOST: '127.0.0.1' });
    leftovers.push(child);
    try {
      const backend = await child.waitForLog(/^Bedrock backend: embedded simulator/);
      expect(backend.backend).toBe('simulator');
      const ready = await child.waitForLog(/^GraphQL ready at /);
      const url = /at (http:\/\/\S+)\/graphql/.exec(String(ready.msg))![1]!;

      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ modelInvocationJob(jobIdentifier: "zzzzzzzzzzzz") { jobId } }' }),
      });
      const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(body.errors[0]!.extensions.code).toBe('NOT_FOUND');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await child.exited).toBe(0);
    // One JSON line each, nothing in between: the AWS SDK's 8-line Node-version warning is off,
    // replaced by a line of our own where it applies.
    expect(child.stderr()).toBe('');
    const lines = child.stdout().split('\n').filter(Boolean);
    expect(lines.every((line) => line.startsWith('{'))).toBe(true);
    const nodeNotices = lines.filter((line) => line.includes('need Node.js 22 or later'));
    expect(nodeNotices).toHaveLength(Number(process.versions.node.split('.')[0]) < 22 ? 1 : 0);
  });
});

describe('what start-up loads', () => {
  const recorder = new URL('./support/record-modules.mjs', import.meta.url).href;

  // The URLs of the modules `node dist/main.js` loads before it is ready, with these variables.
  const modulesLoadedBy = async (env: Record<string, string>) => {
    const dir = await mkdtemp(join(tmpdir(), 'gateway-modules-'));
    const file = join(dir, 'modules.txt');
    const child = startProcess('dist/main.js', {
      PORT: '0',
      HOST: '127.0.0.1',
      GRAPHIQL: 'false',
      NODE_OPTIONS: `--import ${recorder}`,
      RECORD_MODULES_FILE: file,
      ...env,
    });
    leftovers.push(child);
    try {
      await child.waitForLog(/^GraphQL ready at /);
      return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    } finally {
      child.kill('SIGTERM');
      await child.exited;
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('should load no simulator, Redis, OpenTelemetry or S3 code against AWS without REDIS_URL or an OTLP endpoint', async () => {
    const simulator = await startSimulator({ seed: false });
    try {
      const loaded = await modulesLoadedBy(awsBackendAt(simulator));
      expect(loaded.some((url) => url.endsWith('/dist/gateway.js'))).toBe(true);
      // The S3 SDK (~270 ms to import) loads on the first request that reads a job's results.
      expect(loaded.filter((url) => /\/dist\/simulator\/|\/ioredis\/|\/@opentelemetry\/(sdk|exporter)|\/@aws-sdk\/(client-s3|s3-request-presigner)\//.test(url))).toEqual([]);
    } finally {
      await simulator.close();
    }
  });

  it('should load the simulator in simulator mode', async () => {
    const loaded = await modulesLoadedBy({});
    expect(loaded.some((url) => url.endsWith('/dist/simulator/index.js'))).toBe(true);
  });
});
