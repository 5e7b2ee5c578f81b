// `npm run simulator`: the Bedrock simulator on its own port, for pointing any SDK client at it.
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator } from './index.ts';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config);
  const simulator = await startSimulator({ host: config.host === '0.0.0.0' ? '127.0.0.1' : config.host, port: config.simulator.port, stepMs: config.simulator.stepMs, logger });
  logger.info(
    { region: SIMULATOR_REGION, accessKeyId: SIMULATOR_CREDENTIALS.accessKeyId },
    `Bedrock simulator at ${simulator.url}: use AWS_ENDPOINT_URL_BEDROCK=${simulator.url} with the simulator's credentials`,
  );
  const shutdown = () => void simulator.close().then(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
