// The gateway: one HTTP server carrying Yoga (GET, POST, SSE, GraphiQL) on one port.
// Owns the lifecycle of everything it starts: the server, the Bedrock client, the simulator.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { Logger } from 'pino';
import { createBedrockClient } from './bedrock/client.ts';
import { createJobsApi } from './bedrock/jobs.ts';
import { createTerminalJobCache } from './bedrock/terminal-job-cache.ts';
import type { Config } from './config.ts';
import { createLogger, toYogaLogger } from './logger.ts';
import { schema } from './schema/index.ts';
import { createContext, type Context } from './schema/context.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator, type Simulator } from './simulator/index.ts';
import { exampleQuery } from './example-query.ts';

export interface GatewayOptions {
  logger?: Logger;
  /**
   * With BEDROCK_BACKEND=simulator, use this simulator instead of starting one. The caller
   * keeps ownership: `close()` leaves it running. Tests use it to read counters and inject faults.
   */
  simulator?: Simulator;
}

export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, never>, Context>;
  readonly server: Server;
  /** The simulator in use (simulator mode only). */
  readonly simulator: Simulator | undefined;
  /** Listens on the configured host and port; resolves with the base URL. */
  start(): Promise<string>;
  /** Stops accepting, closes connections and everything the gateway started. */
  close(): Promise<void>;
}

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config);
  const ownsSimulator = config.backend === 'simulator' && !options.simulator;
  const simulator =
    config.backend === 'simulator'
      ? (options.simulator ?? (await startSimulator({ stepMs: config.simulator.stepMs, logger: logger.child({ component: 'simulator' }) })))
      : undefined;

  const client = createBedrockClient(
    config.upstream,
    simulator ? { endpoint: simulator.url, region: SIMULATOR_REGION, credentials: SIMULATOR_CREDENTIALS } : {},
  );
  const jobs = createJobsApi({
    client,
    terminalCache: createTerminalJobCache(config.terminalCacheSize),
    deadlineMs: config.upstream.deadlineMs,
    logger,
  });

  const yoga = createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    logging: toYogaLogger(logger),
    // Served from the installed package, not a CDN, so it works offline and under a strict CSP.
    renderGraphiQL,
    graphiql: config.graphiql && {
      title: 'Bedrock jobs gateway',
      defaultQuery: exampleQuery(simulator?.engine.list({ maxResults: 3 }).jobs.map((job) => job.jobId) ?? []),
    },
    context: () =>
      createContext({
        jobs,
        upstreamConcurrency: config.upstream.concurrency,
        maxBatchIdentifiers: config.maxBatchIdentifiers,
      }),
  });

  const server = createServer(yoga);

  return {
    yoga,
    server,
    simulator,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
          resolve(`http://${host}:${port}`);
        });
      }),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await yoga.dispose();
      client.destroy();
      if (ownsSimulator) await simulator?.close();
    },
  };
}
