// One log line per GraphQL operation: what ran, as whom, how long, and which error codes it
// produced, under the request id the client sees in `x-request-id`. No credentials, ever.
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
  errorCodes: Set<string>;
}

// Accepted from clients as is; anything else is replaced, so log lines cannot be forged with it.
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The client's `x-request-id` when it is a plain token, else a fresh UUID. */
export function requestIdFrom(incoming: string | null | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export function createOperationRecord(transport: OperationRecord['transport'], requestId: string): OperationRecord {
  return { requestId, transport, startedAt: performance.now(), errorCodes: new Set() };
}

/** Adds the `extensions.code` of each error (INTERNAL for errors without one). */
export function recordErrors(record: OperationRecord | undefined, errors: readonly unknown[] | undefined): void {
  for (const error of errors ?? []) record?.errorCodes.add(errorCodeOf(error) ?? 'INTERNAL');
}

export function logOperation(logger: Logger, record: OperationRecord, extra: Record<string, unknown> = {}): void {
  logger.info(
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
