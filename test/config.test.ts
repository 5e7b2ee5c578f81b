// Configuration: defaults, validation, and a bad value stopping start-up with one line.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startProcess } from './support/process.ts';

describe('loadConfig', () => {
  it('should default to the simulator on 0.0.0.0:4000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ backend: 'simulator', host: '0.0.0.0', port: 4000, pollIntervalMs: 1000 });
    expect(config.upstream).toEqual({
      concurrency: 10,
      attemptTimeoutMs: 5000,
      maxAttempts: 3,
      deadlineMs: 25_000,
      pollMaxCallsPerSecond: 10,
      retryMode: 'standard',
      callsPerSecond: 25,
      callsBurst: 100,
    });
  });

  it('should read the poller\'s share as POLL_MAX_CALLS_PER_SECOND, or UPSTREAM_MAX_RPS with a warning', () => {
    expect(loadConfig({ POLL_MAX_CALLS_PER_SECOND: '7' })).toMatchObject({ upstream: { pollMaxCallsPerSecond: 7 }, warnings: [] });
    expect(loadConfig({ UPSTREAM_MAX_RPS: '6' })).toMatchObject({
      upstream: { pollMaxCallsPerSecond: 6 },
      warnings: ['UPSTREAM_MAX_RPS is deprecated: rename it POLL_MAX_CALLS_PER_SECOND'],
    });
    // The new name wins, and the old one is then ignored without a word.
    expect(loadConfig({ POLL_MAX_CALLS_PER_SECOND: '7', UPSTREAM_MAX_RPS: '6' })).toMatchObject({
      upstream: { pollMaxCallsPerSecond: 7 },
      warnings: [],
    });
    // The default share never exceeds a smaller budget.
    expect(loadConfig({ UPSTREAM_CALLS_PER_SECOND: '4' }).upstream.pollMaxCallsPerSecond).toBe(4);
  });

  it.each([
    [{ POLL_MAX_CALLS_PER_SECOND: '30' }, /^POLL_MAX_CALLS_PER_SECOND must be at most UPSTREAM_CALLS_PER_SECOND \(25\), .*\(got "30"\)$/],
    [{ UPSTREAM_MAX_RPS: '50', UPSTREAM_CALLS_PER_SECOND: '40' }, /^UPSTREAM_MAX_RPS must be at most UPSTREAM_CALLS_PER_SECOND \(40\)/],
  ])('should refuse a poller share above the upstream budget (%o)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('should serve the dashboard unless DASHBOARD=false', () => {
    expect(loadConfig({}).dashboard).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).dashboard).toBe(true);
    expect(loadConfig({ DASHBOARD: 'false' }).dashboard).toBe(false);
  });

  it('should poll every 10 s against AWS by default', () => {
    expect(loadConfig({ BEDROCK_BACKEND: 'aws', GATEWAY_API_KEYS: '{"k":["jobs:read"]}' }).pollIntervalMs).toBe(10_000);
  });

  it('should cap connections, time idle sockets out and drain for 10 s by default', () => {
    expect(loadConfig({})).toMatchObject({
      connections: { maxConnections: 2048, maxConnectionsPerIp: 256 },
      serverTimeouts: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5000 },
      shutdownTimeoutMs: 10_000,
    });
    // A headers timeout above the default request timeout raises the request timeout with it.
    expect(loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000' }).serverTimeouts.requestTimeoutMs).toBe(40_000);
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '4000' })).toThrow(
      /^HTTP_REQUEST_TIMEOUT_MS must be at least HTTP_HEADERS_TIMEOUT_MS \(5000\) \(got "4000"\)$/,
    );
  });

  it('should allow 20 streams per credential and a WebSocket burst of 200 starts by default', () => {
    expect(loadConfig({}).limits).toMatchObject({ rateLimitBurst: 40, rateLimitWsBurst: 200, maxStreamsPerCredential: 20 });
    expect(loadConfig({ MAX_STREAMS_PER_CREDENTIAL: '0' }).limits.maxStreamsPerCredential).toBe(0);
  });

  it('should let one credential watch 500 jobs at once by default, and at least 1', () => {
    expect(loadConfig({}).limits.maxWatchedJobsPerCredential).toBe(500);
    expect(loadConfig({ MAX_WATCHED_JOBS_PER_CREDENTIAL: '3' }).limits.maxWatchedJobsPerCredential).toBe(3);
    expect(() => loadConfig({ MAX_WATCHED_JOBS_PER_CREDENTIAL: '0' })).toThrow(/^MAX_WATCHED_JOBS_PER_CREDENTIAL must be an integer from 1 to 1000000 \(got "0"\)$/);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['BEDROCK_BACKEND', 'azure'],
    ['UPSTREAM_CONCURRENCY', '0'],
    ['LOG_LEVEL', 'loud'],
    ['GRAPHIQL', 'maybe'],
    ['DASHBOARD', 'off'],
    ['MAX_CONNECTIONS', '0'],
    ['MAX_CONNECTIONS_PER_IP', '-1'],
    ['SHUTDOWN_TIMEOUT_MS', '1s'],
    ['RATE_LIMIT_WS_BURST', '0'],
    ['MAX_STREAMS_PER_CREDENTIAL', '-1'],
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

describe('security configuration', () => {
  it('should default to auth off with the simulator and on (needing a credential source) with AWS', () => {
    expect(loadConfig({}).auth.required).toBe(false);
    expect(loadConfig({ BEDROCK_BACKEND: 'aws', JWT_SECRET: 'x'.repeat(32) }).auth.required).toBe(true);
    expect(() => loadConfig({ BEDROCK_BACKEND: 'aws' })).toThrow(
      /^AUTH_REQUIRED is true but no credential source is set: set GATEWAY_API_KEYS, JWT_SECRET or JWT_JWKS_URL/,
    );
    expect(loadConfig({ BEDROCK_BACKEND: 'aws', AUTH_REQUIRED: 'false' }).auth.required).toBe(false);
  });

  it('should read API keys with their scopes', () => {
    const { apiKeys } = loadConfig({ GATEWAY_API_KEYS: '{"k1":["jobs:read"],"k2":["jobs:read","jobs:write"]}' }).auth;
    expect([...apiKeys]).toEqual([
      ['k1', ['jobs:read']],
      ['k2', ['jobs:read', 'jobs:write']],
    ]);
  });

  it('should read MODEL_PRICES, with an example table only in simulator mode while it is unset', () => {
    const prices = loadConfig({ MODEL_PRICES: '{"m1":{"input":0.5,"output":1.5}}' }).results;
    expect(prices).toMatchObject({ urlTtlSeconds: 900, examplePrices: false });
    expect([...prices.modelPrices]).toEqual([['m1', { input: 0.5, output: 1.5 }]]);
    const example = loadConfig({}).results;
    expect(example.examplePrices).toBe(true);
    expect(example.modelPrices.size).toBeGreaterThan(0);
    const aws = loadConfig({ BEDROCK_BACKEND: 'aws', AUTH_REQUIRED: 'false', RESULTS_URL_TTL_S: '60' }).results;
    expect(aws).toMatchObject({ urlTtlSeconds: 60, examplePrices: false });
    expect(aws.modelPrices.size).toBe(0);
  });

  it('should turn introspection and GraphiQL off in production unless enabled', () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ introspection: false, graphiql: false, exposeErrorDetails: false });
    expect(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({})).toMatchObject({ introspection: true, graphiql: true, exposeErrorDetails: false });
  });

  it.each([
    ['GATEWAY_API_KEYS', '{"k1": ["jobs:read"]', /^GATEWAY_API_KEYS must be a JSON object mapping each API key to a list of scopes .*\(got invalid JSON\)$/],
    ['GATEWAY_API_KEYS', '["k1"]', /^GATEWAY_API_KEYS must be .*\(got a JSON array\)$/],
    ['GATEWAY_API_KEYS', '{"secret-key-1": "jobs:read"}', /^GATEWAY_API_KEYS must be .*\(entry 1 is not a key with a list of scopes\)$/],
    ['GATEWAY_API_KEYS', '{"secret-key-1": ["jobs:admin"]}', /^GATEWAY_API_KEYS must be .*\(entry 1 has the unknown scope "jobs:admin"\)$/],
    ['JWT_SECRET', 'secret-too-short', /^JWT_SECRET must be at least 32 characters for HS256 \(got 16\)$/],
    ['JWT_JWKS_URL', 'not a url', /^JWT_JWKS_URL must be an https URL \(http only for localhost\) \(got "not a url"\)$/],
    ['JWT_JWKS_URL', 'http://idp.example.com/jwks.json', /^JWT_JWKS_URL must be an https URL/],
    ['AUTH_REQUIRED', 'true', /^AUTH_REQUIRED is true but no credential source is set/],
    ['CORS_ORIGINS', 'app.example.com', /^CORS_ORIGINS must be \* or a comma-separated list of origins .*\(got "app.example.com"\)$/],
    ['CORS_ORIGINS', 'https://app.example.com/path', /^CORS_ORIGINS must be/],
    ['ALLOWED_HOSTS', 'https://jobs.example.com', /^ALLOWED_HOSTS must be \* or a comma-separated list of host names.*\(got "https:\/\/jobs.example.com"\)$/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /^OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/],
    ['MAX_ALIASES', '-1', /^MAX_ALIASES must be an integer from 0 to 1000/],
    ['RATE_LIMIT_RPS', 'fast', /^RATE_LIMIT_RPS must be an integer/],
    ['UPSTREAM_RETRY_MODE', 'legacy', /^UPSTREAM_RETRY_MODE must be one of standard, adaptive/],
    ['INTROSPECTION', 'perhaps', /^INTROSPECTION must be true or false/],
    ['MODEL_PRICES', '{"m": 1', /^MODEL_PRICES must be a JSON object mapping each model id to its USD prices per million tokens.*\(got invalid JSON\)$/],
    ['MODEL_PRICES', '[]', /^MODEL_PRICES must be .*\(got a JSON array\)$/],
    ['MODEL_PRICES', '{"m":{"input":1}}', /^MODEL_PRICES must be .*\(got "m": \{"input":1\}\)$/],
    ['MODEL_PRICES', '{"m":{"input":-1,"output":2}}', /^MODEL_PRICES must be .*\(got "m": /],
    ['RESULTS_URL_TTL_S', '604801', /^RESULTS_URL_TTL_S must be an integer from 1 to 604800/],
    ['BATCH_MIN_RECORDS', '0', /^BATCH_MIN_RECORDS must be an integer from 1 to 1000000 \(got "0"\)$/],
  ])('should reject %s=%s with one line naming it and no secret', (name, value, message) => {
    const run = () => loadConfig({ [name]: value });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
    const text = (() => {
      try {
        run();
      } catch (error) {
        return (error as Error).message;
      }
    })()!;
    expect(text.split('\n')).toHaveLength(1);
    if (name === 'GATEWAY_API_KEYS' || name === 'JWT_SECRET') expect(text).not.toMatch(/secret-key-1|secret-too-short/);
  });
});

describe('documentation', () => {
  it('should list every variable config.ts reads in the README configuration table', async () => {
    const source = await readFile(new URL('../src/config.ts', import.meta.url), 'utf8');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const names = new Set([...source.matchAll(/read\.\w+\('([A-Z0-9_]+)'|env\.([A-Z0-9_]+)/g)].map((m) => m[1] ?? m[2]));
    expect(names.size).toBeGreaterThan(40);
    const rows = readme.split('\n').filter((line) => line.startsWith('| `'));
    const undocumented = [...names].filter((name) => !rows.some((row) => row.includes(`\`${name}\``)));
    expect(undocumented).toEqual([]);
  });
});

describe('start-up with a bad value', () => {
  // Concurrent: each case spawns a process.
  it.concurrent.for([
    [{ PORT: 'abc' }, 'Configuration error: PORT must be an integer from 0 to 65535 (got "abc")'],
    [
      { BEDROCK_BACKEND: 'aws', GATEWAY_API_KEYS: '{oops' },
      'Configuration error: GATEWAY_API_KEYS must be a JSON object mapping each API key to a list of scopes (jobs:read, jobs:write, results:read), e.g. {"key":["jobs:read"]} (got invalid JSON)',
    ],
  ] as const)('should exit 1 with one line naming the variable (%o)', async ([env, line], { expect }) => {
    const child = startProcess('src/main.ts', env as Record<string, string>);
    const code = await child.exited;
    expect(code).toBe(1);
    expect(child.stderr().trim().split('\n')).toEqual([line]);
  });
});

describe('start-up with a deprecated name', () => {
  it('should start with UPSTREAM_MAX_RPS and log one warning naming its new name', async () => {
    const child = startProcess('src/main.ts', { UPSTREAM_MAX_RPS: '5', PORT: '0', HOST: '127.0.0.1' });
    try {
      const warning = await child.waitForLog(/UPSTREAM_MAX_RPS/);
      expect(warning).toMatchObject({ level: 40, msg: 'UPSTREAM_MAX_RPS is deprecated: rename it POLL_MAX_CALLS_PER_SECOND' });
      await child.waitForLog(/^GraphQL ready at /);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await child.exited).toBe(0);
  });
});

