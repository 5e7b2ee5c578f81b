// A benchmark child: the embedded simulator and the gateway, configured from the environment
// like `npm start` and compiled as `npm start` runs it (dist/), answering the parent's commands
// over IPC (jobs to create or move, simulator call counts; CPU and memory as every child, see
// child.ts).
import { pino } from 'pino';
import type { SimulatedJobStatus } from '../src/simulator/index.ts';
import { serveParent } from './child.ts';

// The compiled gateway (dist/, what `npm start` runs), typed by its sources.
const compiled = <T>(path: string) => import(new URL(`../dist/${path}`, import.meta.url).href) as Promise<T>;
const { loadConfig } = await compiled<typeof import('../src/config.ts')>('config.js');
const { createGateway } = await compiled<typeof import('../src/gateway.ts')>('gateway.js');
const { startSimulator } = await compiled<typeof import('../src/simulator/index.ts')>('simulator/index.js');

export interface GatewayProcessReady {
  url: string;
  simulatorUrl: string;
  /** A COMPLETED job: never changes, so its answers may come from cache. */
  finishedJobId: string;
  /** An IN_PROGRESS job that never moves: every answer needs an upstream call. */
  unfinishedJobId: string;
}

const logger = pino({ level: 'silent' });
// Jobs never move on their own: the benchmark moves them.
const simulator = await startSimulator({ seed: false, stepMs: 3_600_000, logger });
// One load generator is one client: the per-client request rate, stream, connection and watch
// caps and the upstream call budget would measure those limits, not the gateway, so they are off
// (or out of reach) unless the environment sets them.
const config = loadConfig({
  RATE_LIMIT_RPS: '0',
  MAX_STREAMS_PER_CREDENTIAL: '0',
  MAX_CONNECTIONS_PER_IP: '0',
  MAX_CONNECTIONS: '1000000',
  MAX_WATCHED_JOBS_PER_CREDENTIAL: '1000000',
  UPSTREAM_CALLS_PER_SECOND: '100000',
  UPSTREAM_CALLS_BURST: '100000',
  ...process.env,
  BEDROCK_BACKEND: 'simulator',
  HOST: '127.0.0.1',
  PORT: '0',
});
const gateway = await createGateway(config, { simulator, logger });
const url = await gateway.start();

const [finished] = simulator.engine.addJobs(1, { status: 'Completed' }, { paused: true, totalRecordCount: 1000 });
const [unfinished] = simulator.engine.addJobs(1, { status: 'InProgress' }, { paused: true, totalRecordCount: 1000 });

serveParent<GatewayProcessReady>(
  { url, simulatorUrl: simulator.url, finishedJobId: finished!.jobId, unfinishedJobId: unfinished!.jobId },
  (command) => {
    switch (command.type) {
      case 'pollRounds':
        return gateway.poller.stats().rounds;
      case 'calls':
        return simulator.stats().calls;
      case 'resetCalls':
        return simulator.resetStats();
      case 'addJobs':
        return simulator.engine
          .addJobs(command.count as number, { status: command.status as SimulatedJobStatus }, { paused: true, totalRecordCount: 1000 })
          .map((job) => job.jobId);
      case 'setStatus':
        simulator.engine.setStatus(command.jobId as string, command.status as SimulatedJobStatus);
        return null;
      // At once: the next poll round sees them all.
      case 'setStatuses':
        for (const jobId of command.jobIds as string[]) simulator.engine.setStatus(jobId, command.status as SimulatedJobStatus);
        return null;
      case 'openStreams':
        return gateway.feed.size;
      default:
        throw new Error(`unknown command ${command.type}`);
    }
  },
);

process.once('SIGTERM', () => {
  void gateway
    .close()
    .then(() => simulator.close())
    .finally(() => process.exit(0));
});
