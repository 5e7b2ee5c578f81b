// Runs an entry point as a child process and collects its output: compiled JavaScript (`dist/…`,
// what `npm start` runs) with plain node, TypeScript sources through tsx.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildProcessHandle {
  readonly pid: number;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first JSON log line whose `msg` matches, logged before or after the call. */
  waitForLog(pattern: RegExp): Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): void;
}

export function startProcess(entry: string, env: Record<string, string>): ChildProcessHandle {
  const child = spawn(process.execPath, entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let partial = '';
  const entries: Array<Record<string, unknown>> = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: Record<string, unknown>) => void }> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      entries.push(entry);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(String(entry.msg))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(entry);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid!,
    exited,
    stdout: () => out,
    stderr: () => err,
    waitForLog: (pattern) =>
      new Promise((resolve, reject) => {
        const seen = entries.find((entry) => pattern.test(String(entry.msg)));
        if (seen) return resolve(seen);
        waiters.push({ pattern, resolve });
        exited.then((code) => reject(new Error(`process exited (${code}) before logging ${pattern}: ${err}`)));
      }),
    kill: (signal = 'SIGTERM') => child.kill(signal),
  };
}
