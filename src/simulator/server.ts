// The simulator's HTTP face: a node:http server that speaks Bedrock's restJson1 wire format for
// the four model-invocation-job operations, checks SigV4 on every request, applies injected
// faults, and answers errors the way AWS does (status + x-amzn-errortype + {"message"}). The same
// port serves S3, path-style, for the jobs' inputs and outputs (s3/s3-handler.ts): requests
// signed for `s3` (or presigned, or unsigned) that are not on Bedrock's paths go there.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createCallStats, type CallStats } from './call-stats.ts';
import { seedDemoJobs } from './demo-data.ts';
import { createEngine, type SimulatorEngine } from './engine.ts';
import { SimulatorError } from './errors.ts';
import { createEventBridgeEmitter, type EventBridgeTarget } from './event-bridge.ts';
import { FaultInjector, type SimulatorFaults, type SimulatorOperation } from './faults.ts';
import { inspectInput } from './job-data/job-input.ts';
import { createJobOutputWriter } from './job-data/job-outputs.ts';
import { createRandom } from './random.ts';
import { createObjectStore } from './s3/object-store.ts';
import { createS3Access } from './s3/s3-access.ts';
import { createS3Authenticator } from './s3/s3-auth.ts';
import { createS3Controls, type SimulatorS3 } from './s3/s3-controls.ts';
import { createS3Handler } from './s3/s3-handler.ts';
import { createS3Stats } from './s3/s3-stats.ts';
import { createSigV4Verifier, type SigV4Verifier } from './sigv4.ts';
import { readBody } from './read-body.ts';
import { parseCreateRequest, parseJobIdentifier, parseListQuery, parseQueryString, toSparseWireSummary, toWireJob } from './wire.ts';

/** The only credentials the simulator accepts; sign with these (service `bedrock`, or `s3` for its S3). */
export const SIMULATOR_CREDENTIALS = { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' } as const;

export interface SimulatorOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Interval of the lifecycle clock that moves every running job a step. @default 1500 */
  stepMs?: number;
  /** Start with the demo jobs (and keep a few demo jobs running). @default true */
  seed?: boolean;
  /** Seed of every random choice (ids, outcomes, injected faults). @default 1 */
  randomSeed?: number;
  /** Receives one debug line per request and listener errors. @default silent */
  logger?: Logger;
  /** Most unfinished jobs at once; CreateModelInvocationJob beyond it answers ServiceQuotaExceededException. @default unlimited */
  maxJobs?: number;
  /**
   * Publish a "Batch Inference Job State Change" event, as Bedrock does through EventBridge, on
   * every job status change (creation included; record-count-only changes send nothing): a JSON
   * POST to `url`, with `x-eventbridge-secret: <secret>` when `secret` is set, as an EventBridge API
   * destination with an API-key connection would. Best effort: no retries, 2 s timeout, failures
   * only counted in `stats()` and logged at debug. Jobs that exist before it is set (the demo seed)
   * send nothing for their creation. Change it later with `setEventBridgeTarget()`. Throws
   * TypeError at start for a URL that is not absolute http(s).
   * @default unset (no events)
   */
  eventBridge?: EventBridgeTarget;
  /**
   * Most bytes of generated S3 objects (job outputs, demo inputs) held at once; beyond it the
   * least recently read are dropped and generated again when next read. @default 64 MiB
   */
  generatedObjectCacheBytes?: number;
  /**
   * Bedrock's minimum number of records per job: a job whose input exists and holds fewer fails
   * at validation with a message naming both numbers (made-up inputs are never held to it).
   * @default 100
   */
  minRecordsPerJob?: number;
}

export interface SimulatorStats {
  /** Calls received per operation (after authentication). */
  calls: Record<SimulatorOperation, number>;
  /** The most calls of each operation ever in flight at once. */
  maxInFlight: Record<SimulatorOperation, number>;
  /** Calls in flight now, all operations. */
  inFlight: number;
  /** EventBridge events the target answered with a 2xx. */
  eventsSent: number;
  /** EventBridge events that failed (non-2xx, network error, timeout) or were dropped while too many were pending. */
  eventsFailed: number;
}

export interface Simulator {
  /** Base URL for the SDK's `endpoint`, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly engine: SimulatorEngine;
  stats(): SimulatorStats;
  /** Zero the call and event counts; maxInFlight restarts from what is in flight now. */
  resetStats(): void;
  /** Set, replace or clear (undefined) where job state change events go; see `SimulatorOptions.eventBridge`. */
  setEventBridgeTarget(target: EventBridgeTarget | undefined): void;
  /** Fault injection for tests (Bedrock operations only). */
  readonly faults: SimulatorFaults;
  /** The simulator's S3: objects, access denials and counters, for tests. */
  readonly s3: SimulatorS3;
  /** Stops the clock and event delivery, drops held and open connections, and resolves once the port is closed. */
  close(): Promise<void>;
}

/** Largest request body accepted (CreateModelInvocationJob bodies are a few KiB at most). */
const MAX_BODY_BYTES = 1 << 20;

interface Route {
  operation: SimulatorOperation;
  /** Raw (still encoded) `{jobIdentifier}` label, for the operations that have one. */
  label?: string;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const { logger } = options;
  const randomSeed = options.randomSeed ?? 1;
  // First, so that a bad target throws before anything runs.
  const events = createEventBridgeEmitter({ target: options.eventBridge, logger });
  const objects = createObjectStore({ generatedCacheBytes: options.generatedObjectCacheBytes });
  const engine = createEngine({
    stepMs: options.stepMs,
    randomSeed,
    maxJobs: options.maxJobs,
    logger,
    inspectInput: (config) => inspectInput(objects, config),
    minRecordsPerJob: options.minRecordsPerJob,
  });
  // First among the listeners, so that a job is never seen finished before its outputs exist.
  engine.onChange(createJobOutputWriter(objects));
  const stopDemo = (options.seed ?? true) ? seedDemoJobs(engine, objects) : () => {};
  engine.onChange(events.listener);
  const faults = new FaultInjector(createRandom(randomSeed ^ 0x27d4eb2f));
  const calls = createCallStats();
  const secretFor = (id: string) => (id === SIMULATOR_CREDENTIALS.accessKeyId ? SIMULATOR_CREDENTIALS.secretAccessKey : undefined);
  const verify = createSigV4Verifier({ service: 'bedrock', secretFor });
  /** One controller per request not yet closed, so close() can release their waits. */
  const active = new Set<AbortController>();
  const handle = createRequestHandler({ engine, faults, calls, verify, active, logger });
  const s3Access = createS3Access();
  const s3Stats = createS3Stats();
  const handleS3 = createS3Handler({
    store: objects,
    access: s3Access,
    stats: s3Stats,
    authenticate: createS3Authenticator({ secretFor }),
    logger,
  });

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const query = parseQueryString(q < 0 ? '' : url.slice(q + 1));
    if (serviceOf(rawPath, req.headers.authorization, query) === 's3') void handleS3(req, res, { rawPath, query });
    else void handle(req, res);
  });
  let url: string;
  try {
    url = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (error) {
    stopDemo();
    engine.dispose();
    await events.close();
    throw error;
  }
  logger?.info({ url }, 'Bedrock simulator listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    engine,
    faults,
    s3: createS3Controls(objects, s3Access, s3Stats),
    stats: () => ({ ...calls.snapshot(), eventsSent: events.counts().sent, eventsFailed: events.counts().failed }),
    resetStats() {
      calls.reset();
      events.resetCounts();
    },
    setEventBridgeTarget: (target) => events.setTarget(target),
    close() {
      closed ??= Promise.all([
        new Promise<void>((resolve) => {
          stopDemo();
          engine.dispose();
          for (const abort of active) abort.abort(new Error('simulator closed'));
          active.clear();
          server.close(() => resolve());
          server.closeAllConnections();
        }),
        events.close(),
      ]).then(() => {});
      return closed;
    },
  };
}

interface RequestHandlerParts {
  engine: SimulatorEngine;
  faults: FaultInjector;
  calls: CallStats;
  verify: SigV4Verifier;
  /** Where each request's controller lives until its response closes. */
  active: Set<AbortController>;
  logger: Logger | undefined;
}

/** Authenticate, route, apply faults, run the operation, answer; every error the way AWS answers it. */
function createRequestHandler({ engine, faults, calls, verify, active, logger }: RequestHandlerParts) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = randomUUID();
    // Aborts when the client goes away or the simulator closes, releasing latency and hang waits.
    const abort = new AbortController();
    const { signal } = abort;
    active.add(abort);
    res.once('close', () => {
      active.delete(abort);
      abort.abort(new Error('connection closed'));
    });
    let operation: SimulatorOperation | undefined;
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      const query = parseQueryString(q < 0 ? '' : url.slice(q + 1));
      const body = await readBody(req, MAX_BODY_BYTES, () => new SimulatorError('RequestEntityTooLargeException', `Request body exceeds ${MAX_BODY_BYTES} bytes.`));
      await verify({ method: req.method ?? 'GET', rawPath, query, headers: req.headers, body });
      const route = matchRoute(req.method ?? 'GET', rawPath);
      operation = route.operation;
      calls.begin(operation);
      try {
        const injected = await faults.apply(operation, signal);
        if (injected) throw injected;
        send(res, requestId, 200, runOperation(engine, route, query, body, faults));
      } finally {
        calls.end(operation);
      }
    } catch (error) {
      if (signal.aborted) {
        res.destroy();
        return;
      }
      const failure =
        error instanceof SimulatorError
          ? error
          : new SimulatorError('InternalServerException', 'An internal server error occurred. Retry your request.');
      if (!(error instanceof SimulatorError)) logger?.error({ err: error, operation }, 'simulator request failed');
      send(res, requestId, failure.statusCode, { message: failure.message }, failure.name);
    } finally {
      logger?.debug(
        { operation, method: req.method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'simulator request',
      );
    }
  };
}

function runOperation(engine: SimulatorEngine, route: Route, query: [string, string][], body: Buffer, faults: SimulatorFaults): unknown {
  switch (route.operation) {
    case 'GetModelInvocationJob': {
      const id = parseJobIdentifier(route.label ?? '');
      const job = engine.get(id);
      if (!job) throw new SimulatorError('ResourceNotFoundException', `Model invocation job ${id} not found.`);
      return toWireJob(job);
    }
    case 'ListModelInvocationJobs': {
      const page = engine.list(parseListQuery(query));
      const summary = faults.sparseSummaries ? toSparseWireSummary : toWireJob;
      return { invocationJobSummaries: page.jobs.map(summary), nextToken: page.nextToken };
    }
    case 'CreateModelInvocationJob':
      return { jobArn: engine.submit(parseCreateRequest(body)).jobArn };
    case 'StopModelInvocationJob':
      engine.stop(parseJobIdentifier(route.label ?? ''));
      return {};
  }
}

/** Listens and resolves with the base URL clients use (loopback for a wildcard address). */
function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
      resolve(`http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`);
    });
  });
}

/**
 * Which service a request is for. Bedrock's paths are Bedrock's (so no bucket may be named
 * model-invocation-job[s]); elsewhere, a request signed for `s3`, presigned, or unsigned is S3's,
 * and one signed for anything else is Bedrock's, which refuses or does not know it.
 */
function serviceOf(rawPath: string, authorization: string | undefined, query: readonly [string, string][]): 'bedrock' | 's3' {
  const first = rawPath.split('/')[1] ?? '';
  if (first === 'model-invocation-job' || first === 'model-invocation-jobs') return 'bedrock';
  if (authorization) return /Credential=[^/,\s]*\/[^/,\s]*\/[^/,\s]*\/s3\//.test(authorization) ? 's3' : 'bedrock';
  if (query.some(([name]) => name === 'X-Amz-Algorithm' || name === 'X-Amz-Credential')) return 's3';
  return first === '' ? 'bedrock' : 's3';
}

function matchRoute(method: string, rawPath: string): Route {
  const segments = rawPath.split('/');
  // ['', 'model-invocation-job', '{id}', 'stop'] — a %2F inside an encoded ARN stays in its segment.
  if (segments[0] === '') {
    const [, resource, label, action] = segments;
    if (segments.length === 2 && resource === 'model-invocation-jobs' && method === 'GET') {
      return { operation: 'ListModelInvocationJobs' };
    }
    if (resource === 'model-invocation-job') {
      if (segments.length === 2 && method === 'POST') return { operation: 'CreateModelInvocationJob' };
      if (segments.length === 3 && label && method === 'GET') return { operation: 'GetModelInvocationJob', label };
      if (segments.length === 4 && label && action === 'stop' && method === 'POST') {
        return { operation: 'StopModelInvocationJob', label };
      }
    }
  }
  throw new SimulatorError('UnknownOperationException', `No operation matches ${method} ${rawPath}.`);
}


function send(res: ServerResponse, requestId: string, status: number, payload: unknown, errorType?: string): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(body);
}
