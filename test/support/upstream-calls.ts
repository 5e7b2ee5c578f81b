// Records every request the simulator serves, from its debug log line, with the time it ended,
// so tests can count the upstream calls one job cost and await "the next call" without sleeping.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface UpstreamCall {
  operation: string;
  /** The job of a Get/Stop call, from its URL. */
  jobId: string | undefined;
  /** performance.now() when the simulator logged it. */
  at: number;
}

export interface UpstreamCallLog {
  /** Pass as the simulator's `logger`. */
  readonly logger: Logger;
  readonly calls: UpstreamCall[];
  /** GetModelInvocationJob calls for this job so far. */
  gets(jobId: string): number;
  /** Resolves with the next `count` GetModelInvocationJob calls for this job, made from now on. */
  nextGets(jobId: string, count: number): Promise<UpstreamCall[]>;
}

export function createUpstreamCallLog(): UpstreamCallLog {
  const calls: UpstreamCall[] = [];
  const waiters = new Set<() => void>();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; operation?: string; url?: string };
        if (entry.msg !== 'simulator request' || !entry.operation) continue;
        const jobId = /\/model-invocation-job\/([^/?]+)/.exec(entry.url ?? '')?.[1];
        calls.push({ operation: entry.operation, jobId: jobId && decodeURIComponent(jobId), at: performance.now() });
        for (const waiter of [...waiters]) waiter();
      }
      done();
    },
  });
  const isGet = (jobId: string) => (call: UpstreamCall) => call.operation === 'GetModelInvocationJob' && call.jobId === jobId;

  return {
    // The sink completes each write at once, so a call is recorded when the simulator logs it.
    logger: pino({ level: 'debug' }, sink),
    calls,
    gets: (jobId) => calls.filter(isGet(jobId)).length,
    nextGets(jobId, count) {
      const from = calls.length;
      return new Promise((resolve) => {
        const check = () => {
          const matching = calls.slice(from).filter(isGet(jobId));
          if (matching.length < count) return;
          waiters.delete(check);
          resolve(matching.slice(0, count));
        };
        waiters.add(check);
      });
    },
  };
}
