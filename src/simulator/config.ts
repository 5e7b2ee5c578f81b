// The few variables `npm run simulator` reads, and nothing of the gateway's: a bad gateway
// variable (GATEWAY_API_KEYS, PORT, …) must not stop the simulator. Each rule names the
// variable, the rule and the value it got.
import type { Level } from 'pino';

export interface SimulatorConfig {
  /** HOST: interface to listen on. @default '127.0.0.1' */
  host: string;
  /** SIMULATOR_PORT: port to listen on; 0 picks a free one. @default 4010 */
  port: number;
  /** SIMULATOR_STEP_MS: duration of one lifecycle step of a simulated job. @default 1500 */
  stepMs: number;
  /** LOG_LEVEL. @default 'info' */
  logLevel: Level | 'silent';
}

/** Thrown for a bad variable; the message is one line naming it. */
export class SimulatorConfigError extends Error {
  override name = 'SimulatorConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = Record<string, string | undefined>;

export function loadSimulatorConfig(env: Env = process.env): SimulatorConfig {
  const raw = (name: string): string | undefined => env[name]?.trim() || undefined;
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < min || n > max) fail(name, `an integer from ${min} to ${max}`, value);
    return n;
  };
  const logLevel = raw('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) fail('LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, logLevel);
  const host = raw('HOST');
  return {
    // HOST is the gateway's variable too: its usual 0.0.0.0 (all interfaces) means loopback here,
    // since the simulator accepts the credentials printed in the README.
    host: host === undefined || host === '0.0.0.0' ? '127.0.0.1' : host,
    port: integer('SIMULATOR_PORT', 4010, 0, 65535),
    stepMs: integer('SIMULATOR_STEP_MS', 1500, 1, 3_600_000),
    logLevel: logLevel as SimulatorConfig['logLevel'],
  };
}

function fail(name: string, rule: string, value: string): never {
  throw new SimulatorConfigError(`${name} must be ${rule} (got ${JSON.stringify(value)})`);
}
