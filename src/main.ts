// Entry point: config → (aws mode) region and credentials → gateway → listen; SIGTERM/SIGINT →
// graceful close.
import { AwsSetupError, checkAwsSetup } from './bedrock/client.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createGateway } from './gateway.ts';
import { createLogger } from './logger.ts';

/**
 * How long after SHUTDOWN_TIMEOUT_MS a shutdown that has not finished is given up on (the
 * subscriptions' completions, WebSocket close frames, Redis and tracing come after it).
 */
const FORCED_EXIT_GRACE_MS = 10_000;

/**
 * The AWS SDK's documented switch (aws/aws-sdk-js-v3#7983) for the 8-line
 * NodeVersionSupportWarning it prints in the middle of start-up on Node < 22.
 */
const SDK_NODE_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
/** The Node.js major that AWS SDK releases after the first week of January 2027 require. */
const SDK_NEXT_NODE_MAJOR = 22;

async function main() {
  const sdkNodeNotice = quietSdkNodeWarning();
  const config = loadConfig();
  const logger = createLogger(config);
  if (sdkNodeNotice) logger.info(sdkNodeNotice);
  // Before anything starts: without a region or credentials every query would fail later.
  const aws = config.backend === 'aws' ? await checkAwsSetup(config.upstream) : undefined;
  for (const warning of aws?.warnings ?? []) logger.warn(warning);
  const gateway = await createGateway(config, { logger });
  const url = await gateway.start();
  if (aws) {
    logger.info(
      { backend: config.backend, upstream: aws.endpoint ?? 'aws', region: aws.region, credentials: aws.credentialSource },
      `Bedrock backend: AWS, region ${aws.region}, endpoint ${aws.endpoint ?? "the SDK's default"}, credentials from ${aws.credentialSource}`,
    );
  } else {
    logger.info(
      { backend: config.backend, upstream: gateway.simulator?.url },
      `Bedrock backend: embedded simulator at ${gateway.simulator?.url} (set BEDROCK_BACKEND=aws for the real service)`,
    );
  }
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

/**
 * Turns the SDK's multi-line Node-version warning off, unless the operator set the switch either
 * way, and returns the one line to log instead (on a Node older than the SDK's next minimum).
 */
function quietSdkNodeWarning(): string | undefined {
  if (process.env[SDK_NODE_WARNING_SWITCH] !== undefined) return undefined;
  process.env[SDK_NODE_WARNING_SWITCH] = 'true';
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= SDK_NEXT_NODE_MAJOR) return undefined;
  return `Node.js ${process.version}: fine for this gateway and its pinned AWS SDK; AWS SDK releases after the first week of January 2027 need Node.js ${SDK_NEXT_NODE_MAJOR} or later`;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof AwsSetupError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
