// `npm start` (`node dist/main.js`, built by `npm ci`) on a fresh machine: the gateway with the
// embedded simulator, alive and queryable, and a clean exit on SIGTERM.
import { afterEach, describe, expect, it } from 'vitest';
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
  });
});
