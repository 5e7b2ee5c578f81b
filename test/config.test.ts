// Configuration: defaults, validation, and a bad value stopping start-up with one line.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startProcess } from './support/process.ts';

describe('loadConfig', () => {
  it('should default to the simulator on 0.0.0.0:4000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ backend: 'simulator', host: '0.0.0.0', port: 4000, pollIntervalMs: 1000 });
    expect(config.upstream).toEqual({ concurrency: 10, attemptTimeoutMs: 5000, maxAttempts: 3, deadlineMs: 25_000, maxRps: 10 });
  });

  it('should serve the dashboard unless DASHBOARD=false', () => {
    expect(loadConfig({}).dashboard).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).dashboard).toBe(true);
    expect(loadConfig({ DASHBOARD: 'false' }).dashboard).toBe(false);
  });

  it('should poll every 10 s against AWS by default', () => {
    expect(loadConfig({ BEDROCK_BACKEND: 'aws' }).pollIntervalMs).toBe(10_000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['BEDROCK_BACKEND', 'azure'],
    ['UPSTREAM_CONCURRENCY', '0'],
    ['LOG_LEVEL', 'loud'],
    ['GRAPHIQL', 'maybe'],
    ['DASHBOARD', 'off'],
  ])('should reject %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must be .*\\(got "${value}"\\)$`));
  });
});

describe('secrets', () => {
  it('should refuse a short EVENTBRIDGE_SECRET without echoing it', () => {
    expect(() => loadConfig({ EVENTBRIDGE_SECRET: 'hunter2' })).toThrow(
      /^EVENTBRIDGE_SECRET must be at least 16 characters \(got 7\)$/,
    );
  });
});

describe('start-up with a bad value', () => {
  it('should exit 1 with one line naming the variable', async () => {
    const child = startProcess('src/main.ts', { PORT: 'abc' });
    const code = await child.exited;
    expect(code).toBe(1);
    expect(child.stderr().trim().split('\n')).toEqual(['Configuration error: PORT must be an integer from 0 to 65535 (got "abc")']);
  });
});
