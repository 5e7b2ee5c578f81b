// `npm run simulator` as a process: it reads only its own variables, so a gateway variable that
// would stop the gateway does not stop it, and a bad variable of its own is one line on stderr.
import { afterEach, describe, expect, it } from 'vitest';
import { startProcess, type ChildProcessHandle } from '../support/process.ts';

// A test that times out never reaches its own cleanup: kill what it started here instead.
const leftovers: ChildProcessHandle[] = [];
afterEach(() => {
  for (const child of leftovers.splice(0)) child.kill('SIGKILL');
});

function startSimulatorProcess(env: Record<string, string>): ChildProcessHandle {
  const child = startProcess('src/simulator/main.ts', { HOST: '127.0.0.1', SIMULATOR_PORT: '0', LOG_LEVEL: 'info', ...env });
  leftovers.push(child);
  return child;
}

describe('npm run simulator', () => {
  it('should start and answer despite bad gateway variables, and exit 0 on SIGTERM', async () => {
    const child = startSimulatorProcess({ GATEWAY_API_KEYS: 'not json', JWT_SECRET: 'short', PORT: 'not-a-port' });
    try {
      const ready = await child.waitForLog(/^Bedrock simulator at /);
      expect(ready).toMatchObject({ service: 'bedrock-simulator', region: 'us-east-1', accessKeyId: 'AKIDSIMULATOR' });
      const url = /at (http:\/\/\S+):/.exec(String(ready.msg))![1]!;
      const response = await fetch(`${url}/model-invocation-jobs`);
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await child.exited).toBe(0);
  });

  it('should exit 1 with one line naming a bad variable of its own', async () => {
    const child = startSimulatorProcess({ SIMULATOR_STEP_MS: 'fast' });
    expect(await child.exited).toBe(1);
    expect(child.stderr()).toBe('Configuration error: SIMULATOR_STEP_MS must be an integer from 1 to 3600000 (got "fast")\n');
    expect(child.stdout()).toBe('');
  });
});
