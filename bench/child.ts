// Parent side of a benchmark child process: spawn a TypeScript entry with an IPC channel, wait
// for its "ready" message, then send it commands and await the answers. Servers under load run
// in children so that their CPU and memory are not mixed with the load generator's.
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

export interface Child<Ready> {
  readonly ready: Ready;
  readonly process: ChildProcess;
  /** Sends a command; resolves with the child's answer. */
  request<T = unknown>(command: Record<string, unknown>): Promise<T>;
  /** SIGTERM, then waits for the exit. */
  close(): Promise<void>;
}

/** What a child entry sends back: `{ id, ok: true, value }` or `{ id, ok: false, error }`. */
interface Answer {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export async function startChild<Ready>(
  entry: string,
  {
    args = [],
    env = {},
    nodeOptions = [],
    cwd = root,
  }: { args?: string[]; env?: Record<string, string>; nodeOptions?: string[]; /** Where `entry` is, and the child runs. */ cwd?: string } = {},
): Promise<Child<Ready>> {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', entry, ...args], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'silent', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;

  const ready = await new Promise<Ready>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${entry} exited (${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('message', (message: { ready?: Ready }) => {
      child.off('exit', onExit);
      resolve(message.ready as Ready);
    });
  });
  child.on('message', (message: Answer) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new Error(message.error));
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${entry} exited (${code})`));
    pending.clear();
  });

  return {
    ready,
    process: child,
    request: <T>(command: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ ...command, id });
      }),
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A child process's memory, after a full GC when it runs with --expose-gc. */
/** Resolves once `condition` holds, asking every 20 ms (a child's state, over IPC). */
export async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

// Started by the first `longestStall`: it wakes the process every millisecond.
let loopDelay: IntervalHistogram | undefined;

/**
 * What every child answers alike: `cpu` (user + system time so far, ms), `memory`, and
 * `longestStall`: the longest the event loop was held (ms, to 1 ms) since the previous one.
 */
function answerProcessCommand(type: string): { value: number | MemorySample } | undefined {
  if (type === 'longestStall') {
    const longest = loopDelay ? loopDelay.max / 1e6 : 0;
    loopDelay ??= monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    loopDelay.reset();
    return { value: longest };
  }
  if (type === 'cpu') {
    const { user, system } = process.cpuUsage();
    return { value: (user + system) / 1000 };
  }
  if (type === 'memory') {
    // Two passes: the first can leave finalisable objects for the second.
    globalThis.gc?.();
    globalThis.gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    return { value: { rss, heapUsed, external, arrayBuffers } };
  }
  return undefined;
}

/** Child side: announce readiness and answer commands (`cpu` and `memory` here, the rest with `handle`). */
export function serveParent<Ready>(ready: Ready, handle: (command: { type: string } & Record<string, any>) => unknown): void {
  process.on('message', async (command: { id: number; type: string } & Record<string, any>) => {
    try {
      const value = answerProcessCommand(command.type)?.value ?? (await handle(command));
      process.send!({ id: command.id, ok: true, value });
    } catch (error) {
      process.send!({ id: command.id, ok: false, error: error instanceof Error ? error.stack : String(error) });
    }
  });
  // Without this the child would outlive a parent that crashed.
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready });
}
