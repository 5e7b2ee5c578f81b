// A real redis-server on a free loopback port, for the scale-out tests, which can stop it and
// start it again on the same port (an outage), or freeze it (a Redis that stops answering). Where the binary is missing those tests are
// skipped with a loud warning, unless REQUIRE_REDIS=1 (CI), where they fail instead.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** Whether redis-server can run here; throws when it cannot and REQUIRE_REDIS=1. */
export function redisServerAvailable(): boolean {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return true;
  if (process.env.REQUIRE_REDIS === '1') {
    throw new Error(`REQUIRE_REDIS=1 but ${REDIS_SERVER} cannot run (${probe.error?.message ?? probe.stderr}); install redis-server`);
  }
  console.warn(
    [
      '',
      '################################################################################',
      `#  SKIPPING the Redis scale-out tests: ${REDIS_SERVER} is not installed.`.padEnd(79) + '#',
      '#  Install it (Debian: apt-get install -y redis-server) to run them;'.padEnd(79) + '#',
      '#  CI sets REQUIRE_REDIS=1, which turns this skip into a failure.'.padEnd(79) + '#',
      '################################################################################',
      '',
    ].join('\n'),
  );
  return false;
}

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server (an outage); its data is gone, as after a restart without persistence. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
  /** Stops it for good. */
  close(): Promise<void>;
}

/** A port nothing listens on right now: bind 0, read it, let it go. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const started = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      started.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) resolve();
      });
      started.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${output}`)));
    });
    started.stdout!.resume();
    started.stderr!.resume();
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGCONT'); // a paused server would not act on SIGTERM
    running.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    close: stop,
  };
}
