// `npm run simulator`: the Bedrock simulator (and its S3) on its own port, for pointing any SDK
// client at it. Besides its JSON log it prints, for people, where it listens, its region and
// credentials, and commands to copy: the AWS CLI and the gateway against it.
import { pino } from 'pino';
import { loadSimulatorConfig, SimulatorConfigError } from './config.ts';
import { DEMO_BUCKET } from './demo-data.ts';
import { SIMULATOR_CREDENTIALS, SIMULATOR_REGION, startSimulator } from './index.ts';

async function main() {
  const config = loadSimulatorConfig();
  const logger = pino({ level: config.logLevel, base: { service: 'bedrock-simulator' } });
  const simulator = await startSimulator({ host: config.host, port: config.port, stepMs: config.stepMs, logger });
  logger.info(
    { region: SIMULATOR_REGION, accessKeyId: SIMULATOR_CREDENTIALS.accessKeyId },
    `Bedrock simulator at ${simulator.url}: use AWS_ENDPOINT_URL_BEDROCK=${simulator.url} and AWS_ENDPOINT_URL_S3=${simulator.url} (path-style S3) with the simulator's credentials`,
  );
  // The seeded demo jobs, the same ids on every start (the simulator's random stream is seeded).
  const demoJobs = simulator.engine.list({ maxResults: 100 }).jobs.map((job) => `${job.jobId}  ${job.status.padEnd(18)} ${job.jobName}`);
  // Plain lines on stdout whatever LOG_LEVEL says: they are what this command is run for.
  console.log(usage(simulator.url, demoJobs));
  const shutdown = () => void simulator.close().then(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** What to point a client at, and commands to copy (POSIX shell). */
function usage(url: string, demoJobs: readonly string[]): string {
  const { accessKeyId, secretAccessKey } = SIMULATOR_CREDENTIALS;
  const keys = `AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey}`;
  // aws mode defaults to AUTH_REQUIRED=true and a 10 s poll; a local simulator wants neither.
  const gateway = [
    'BEDROCK_BACKEND=aws',
    `AWS_ENDPOINT_URL_BEDROCK=${url}`,
    `AWS_ENDPOINT_URL_S3=${url}`,
    `AWS_REGION=${SIMULATOR_REGION}`,
    keys,
    'AUTH_REQUIRED=false HOST=127.0.0.1 POLL_INTERVAL_MS=1000',
    'npm start',
  ].join(' ');
  return [
    '',
    'Bedrock simulator running (Bedrock, and S3 path-style, on one port; Ctrl-C stops it)',
    `  endpoint           ${url}`,
    `  region             ${SIMULATOR_REGION}`,
    `  access key id      ${accessKeyId}`,
    `  secret access key  ${secretAccessKey}`,
    '',
    'AWS CLI:',
    `  ${keys} aws bedrock list-model-invocation-jobs --endpoint-url ${url} --region ${SIMULATOR_REGION}`,
    `  ${keys} aws s3 ls s3://${DEMO_BUCKET}/ --recursive --endpoint-url ${url} --region ${SIMULATOR_REGION}`,
    ...(demoJobs.length > 0 ? ['', 'Demo jobs:', ...demoJobs.map((line) => `  ${line}`)] : []),
    '',
    'The gateway against it (from this repository, in another terminal):',
    `  ${gateway}`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof SimulatorConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
