// `npm run simulator`: the Bedrock simulator (and its S3) on its own port, for pointing any SDK
// client at it.
import { pino } from 'pino';
import { loadSimulatorConfig, SimulatorConfigError } from './config.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator } from './index.ts';

async function main() {
  const config = loadSimulatorConfig();
  const logger = pino({ level: config.logLevel, base: { service: 'bedrock-simulator' } });
  const simulator = await startSimulator({ host: config.host, port: config.port, stepMs: config.stepMs, logger });
  logger.info(
    { region: SIMULATOR_REGION, accessKeyId: SIMULATOR_CREDENTIALS.accessKeyId },
    `Bedrock simulator at ${simulator.url}: use AWS_ENDPOINT_URL_BEDROCK=${simulator.url} and AWS_ENDPOINT_URL_S3=${simulator.url} (path-style S3) with the simulator's credentials`,
  );
  const shutdown = () => void simulator.close().then(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof SimulatorConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
