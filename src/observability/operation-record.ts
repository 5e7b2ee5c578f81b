// One log line per GraphQL operation (at debug; see logOperation): what ran, as whom, how long,
// and which error codes it produced, under the request id the client sees in `x-request-id`. No
// credentials, ever.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Principal } from '../access/scopes.ts';
import { errorCodeOf } from '../errors.ts';

/** Facts about one operation, filled in as it goes through the pipeline. */
export interface OperationRecord {
  requestId: string;
  transport: 'http' | 'ws';
  startedAt: number;
  principal?: Principal;
  operationName?: string;
  operationType?: string;
  /** `extensions.code` of the errors the operation produced, without duplicates. */
  readonly errorCodes: Set<string>;
}

// Accepted from clients as is; anything else is replaced, so log lines cannot be forged with it.
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The client's `x-request-id` when it is a plain token, else a fresh UUID. */
export function requestIdFrom(incoming: string | null | undefined): string {
  // Node joins a UUID from 20 pieces, and V8 keeps them apart (480 bytes) until something reads
  // the string whole; a subscription keeps its id as long as it runs. normalize() gives the one
  // piece of 36 characters (56 bytes).
  return incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID().normalize();
}

export function createOperationRecord(transport: OperationRecord['transport'], requestId: string): OperationRecord {
  return new RecordedOperation(requestId, transport);
}

// A class: a subscription keeps its record as long as it runs, and most never fail, so the Set
// of error codes is only made when asked for.
class RecordedOperation implements OperationRecord {
  readonly startedAt = performance.now();
  principal?: Principal;
  operationName?: string;
  operationType?: string;
  private codes: Set<string> | undefined;

  constructor(
    public requestId: string,
    public transport: OperationRecord['transport'],
  ) {}

  get errorCodes(): Set<string> {
    return (this.codes ??= new Set());
  }
}

/** Adds the `extensions.code` of each error (`fallback` for errors without one). */
export function recordErrors(record: OperationRecord | undefined, errors: readonly unknown[] | undefined, fallback = 'INTERNAL'): void {
  for (const error of errors ?? []) record?.errorCodes.add(errorCodeOf(error) ?? fallback);
}

/**
 * Codes of errors that are the gateway's own fault (a bug, masked as "Unexpected error."): their
 * operation's line is a warning, since nothing else logs them with the request id. Every other
 * code is a caller's mistake (BAD_USER_INPUT, NOT_FOUND, UNAUTHENTICATED, limits), which callers
 * can produce at will, or an upstream failure, which bedrock/jobs.ts and results/storage.ts
 * already log per call: those lines stay at debug, counted in the summary (log-summary.ts).
 */
const GATEWAY_FAULTS: ReadonlySet<string> = new Set(['INTERNAL', 'INTERNAL_SERVER_ERROR']);

/** One line per operation: at `debug`, or `warn` when the gateway itself failed it. */
export function logOperation(logger: Logger, record: OperationRecord, extra: Record<string, unknown> = {}): void {
  const faulty = [...record.errorCodes].some((code) => GATEWAY_FAULTS.has(code));
  logger[faulty ? 'warn' : 'debug'](
    {
      requestId: record.requestId,
      transport: record.transport,
      principal: record.principal?.id,
      operationName: record.operationName,
      operationType: record.operationType,
      durationMs: Math.round(performance.now() - record.startedAt),
      errorCodes: record.errorCodes.size > 0 ? [...record.errorCodes] : undefined,
      ...extra,
    },
    'graphql operation',
  );
}
