// The process logger (pino, JSON lines) and its adapter for Yoga's logging hook.
import { pino, type Logger } from 'pino';
import type { YogaLogger } from 'graphql-yoga';
import type { Config } from './config.ts';

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'bedrock-jobs-gateway' },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]'], censor: '[redacted]' },
  });
}

export function toYogaLogger(logger: Logger): YogaLogger {
  return {
    debug: (...args) => logger.debug(args.length === 1 ? args[0] : args),
    info: (...args) => logger.info(args.length === 1 ? args[0] : args),
    warn: (...args) => logger.warn(args.length === 1 ? args[0] : args),
    error: (...args) => logger.error(args.length === 1 ? args[0] : args),
  };
}
