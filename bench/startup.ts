// Start-up time: from spawning the gateway as `npm start` does (`node --import tsx src/main.ts`,
// embedded simulator included) to its first `/healthz` 200, polled every 5 ms.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { root } from './child.ts';
import { median } from './stats.ts';

export interface StartupResult {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export async function runStartup({ runs }: { runs: number }): Promise<StartupResult> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push(await timeOneStart());
  return { runs, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) };
}

async function timeOneStart(): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1' },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}) before /healthz answered`);
      const status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return performance.now() - started;
      if (performance.now() - started > 30_000) throw new Error('/healthz did not answer within 30 s');
      await delay(5);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
