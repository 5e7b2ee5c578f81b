// The process logger (pino, JSON lines) and its adapter for Yoga's logging hook.
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import type { YogaLogger } from 'graphql-yoga';

/**
 * Where credentials could end up if someone logged a request, headers or a connection_init
 * payload. The gateway's own log lines name principals by id and never carry credentials.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'connectionParams',
  '*.connectionParams',
  'authorization',
  'apiKey',
  'token',
];

export type LogLevel = Level | 'silent';

export function createLogger({ logLevel }: { logLevel: LogLevel }, destination?: DestinationStream): Logger {
  const options = {
    level: logLevel,
    base: { service: 'bedrock-jobs-gateway' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

export function toYogaLogger(logger: Logger): YogaLogger {
  return {
    debug: (...args) => logger.debug(args.length === 1 ? args[0] : args),
    info: (...args) => logger.info(args.length === 1 ? args[0] : args),
    warn: (...args) => logger.warn(args.length === 1 ? args[0] : args),
    error: (...args) => logger.error(args.length === 1 ? args[0] : args),
  };
}
