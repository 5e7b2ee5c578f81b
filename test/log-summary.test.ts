// At LOG_LEVEL=info operations write no line each: one summary line per interval counts them
// (by type, errors by code, refusals, subscriptions, Bedrock calls), written only when anything
// happened; at debug every operation has its line too.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger, type LogLevel } from '../src/logger.ts';
import { createOperationRecord, logOperation } from '../src/observability/operation-record.ts';
import { startSimulator, type Simulator } from '../src/simulator/index.ts';
import { createWsClient, subscribeWs } from './support/subscriptions.ts';

const started: Array<{ gateway: Gateway; simulator: Simulator }> = [];
afterEach(async () => {
  for (const { gateway, simulator } of started.splice(0)) {
    await gateway.close();
    await simulator.close();
  }
});

/** A gateway whose log lines are kept (parsed), with a summary at most `intervalMs` after traffic. */
async function start(logLevel: LogLevel, intervalMs: number) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ logLevel }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const simulator = await startSimulator({ seed: false });
  const config = loadConfig({ BEDROCK_BACKEND: 'simulator', HOST: '127.0.0.1', PORT: '0', DASHBOARD: 'false', LOG_LEVEL: logLevel });
  const gateway = await createGateway(config, { simulator, logger, processMetrics: false, logSummaryIntervalMs: intervalMs });
  started.push({ gateway, simulator });
  const url = await gateway.start();
  const post = async (query: string) => {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return (await response.json()) as { errors?: unknown[] };
  };
  return { url, gateway, simulator, lines, post };
}

const summaries = (lines: Array<Record<string, unknown>>) => lines.filter((line) => /^last \d+ s: /.test(String(line.msg)));
const operationLines = (lines: Array<Record<string, unknown>>) => lines.filter((line) => line.msg === 'graphql operation');

/** Three jobs found, two not, one document that does not parse, and a subscription to a finished job. */
async function traffic(t: Awaited<ReturnType<typeof start>>) {
  const jobs = t.simulator.engine.addJobs(3, { status: 'InProgress' }, { paused: true });
  const finished = t.simulator.engine.createJob({ status: 'Completed' }, { paused: true });
  for (const job of jobs) await t.post(`{ modelInvocationJob(jobIdentifier: "${job.jobId}") { status } }`);
  await t.post('{ modelInvocationJob(jobIdentifier: "zzzzzzzzzzzz") { status } }');
  await t.post('{ modelInvocationJob(jobIdentifier: "yyyyyyyyyyyy") { status } }');
  await t.post('{ modelInvocationJob(');
  const client = createWsClient(t.url);
  await subscribeWs(client, `subscription { modelInvocationJobStatusChanged(jobIdentifier: "${finished.jobId}") { status } }`).done;
  await client.dispose();
}

describe('log summary', () => {
  it('should write no line per operation at info, and one summary line with the counts', async () => {
    const t = await start('info', 2000);
    await traffic(t);
    await expect.poll(() => summaries(t.lines).length, { timeout: 5000 }).toBe(1);
    expect(operationLines(t.lines)).toEqual([]);
    const [summary] = summaries(t.lines);
    expect(summary).toMatchObject({
      level: 30,
      operations: { query: 5, subscription: 1 },
      errors: { NOT_FOUND: 2 },
      refused: { invalid: 1 },
      subscriptions: { started: 1, open: 0 },
      // Three jobs and the subscribed one found, two not (a 4xx answer: rejected).
      upstreamCalls: { success: 4, rejected: 2 },
    });
    expect(summary!.msg).toMatch(
      /^last [12] s: 5 queries, 1 subscription started \(0 open\); errors: NOT_FOUND 2; refused: invalid 1; Bedrock calls: 6 \(success 4, rejected 2\)$/,
    );
    // Nothing happened since: closing writes no second summary.
    await t.gateway.close();
    expect(summaries(t.lines)).toHaveLength(1);
  });

  it('should write every operation at debug, besides the summary', async () => {
    const t = await start('debug', 60_000);
    await traffic(t);
    await expect.poll(() => operationLines(t.lines).length).toBe(7);
    expect(operationLines(t.lines).every((line) => line.level === 20)).toBe(true);
    expect(operationLines(t.lines).map((line) => line.errorCodes ?? [])).toEqual(
      expect.arrayContaining([['NOT_FOUND'], ['GRAPHQL_PARSE_FAILED']]),
    );
    // The interval has not passed: the summary comes with the shutdown.
    expect(summaries(t.lines)).toEqual([]);
    await t.gateway.close();
    expect(summaries(t.lines)).toEqual([expect.objectContaining({ operations: { query: 5, subscription: 1 } })]);
  });

  it('should write nothing at all when nothing happened', async () => {
    const t = await start('info', 50);
    await t.gateway.close();
    expect(summaries(t.lines)).toEqual([]);
  });
});

describe('per-operation lines', () => {
  const levelOf = (errorCodes: string[]) => {
    const lines: Array<{ level: number }> = [];
    const logger = createLogger({ logLevel: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number }) });
    const record = createOperationRecord('http', 'req-1');
    for (const code of errorCodes) record.errorCodes.add(code);
    logOperation(logger, record);
    return lines[0]!.level;
  };

  it("should be debug for callers' mistakes and upstream failures, warn for the gateway's own", () => {
    expect(levelOf([])).toBe(20);
    for (const code of ['NOT_FOUND', 'BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'LIMIT_EXCEEDED', 'THROTTLED', 'UPSTREAM_UNAVAILABLE', 'GRAPHQL_PARSE_FAILED']) {
      expect(levelOf([code])).toBe(20);
    }
    expect(levelOf(['INTERNAL'])).toBe(40);
    expect(levelOf(['NOT_FOUND', 'INTERNAL_SERVER_ERROR'])).toBe(40);
  });
});
