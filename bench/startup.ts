// Start-up time: from spawning the gateway as `npm start` does (`node dist/main.js`, embedded
// simulator included) to its first `/healthz` 200, polled every 5 ms; and the same for a bare
// graphql-yoga server started the same way (bare-server.mjs), the baseline. Runs alternate.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { root } from './child.ts';
import { median } from './stats.ts';

export interface StartupTimes {
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface StartupResult extends StartupTimes {
  runs: number;
  /** The bare graphql-yoga baseline. */
  bare: StartupTimes;
}

export async function runStartup({ runs }: { runs: number }): Promise<StartupResult> {
  const gateway: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < runs; run++) {
    gateway.push(await timeOneStart('dist/main.js'));
    bare.push(await timeOneStart('bench/bare-server.mjs'));
  }
  return { runs, ...summary(gateway), bare: summary(bare) };
}

const summary = (times: number[]): StartupTimes => ({ medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) });

async function timeOneStart(entry: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1' },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${entry} exited (${child.exitCode}) before /healthz answered`);
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
