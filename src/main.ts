// Entry point: config → gateway → listen; SIGTERM/SIGINT → graceful close.
import { ConfigError, loadConfig } from './config.ts';
import { createGateway } from './gateway.ts';
import { createLogger } from './logger.ts';

/**
 * How long after SHUTDOWN_TIMEOUT_MS a shutdown that has not finished is given up on (the
 * subscriptions' completions, WebSocket close frames, Redis and tracing come after it).
 */
const FORCED_EXIT_GRACE_MS = 10_000;

async function main() {
  const config = loadConfig();
  const logger = createLogger(config);
  const gateway = await createGateway(config, { logger });
  const url = await gateway.start();
  logger.info(
    { backend: config.backend, upstream: gateway.simulator?.url ?? 'aws' },
    config.backend === 'simulator'
      ? `Bedrock backend: embedded simulator at ${gateway.simulator?.url} (set BEDROCK_BACKEND=aws for the real service)`
      : 'Bedrock backend: AWS (SDK default region, credentials and endpoint)',
  );
  logger.info(`GraphQL ready at ${url}/graphql${config.graphiql ? ' (open it in a browser for GraphiQL)' : ''}`);
  if (config.dashboard) logger.info(`Live jobs dashboard at ${url}/`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      // A second signal: the operator does not want to wait for the drain.
      logger.warn({ signal }, 'second signal: exiting without waiting for the drain');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal, shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutting down: draining requests in flight');
    // close() bounds each wait; this only guards against one that hangs anyway.
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + FORCED_EXIT_GRACE_MS).unref();
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
