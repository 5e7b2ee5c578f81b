// The operations running on a transport's sockets: each one's log record until it completes, and
// how many there are, so a graceful shutdown can wait for their completions.
import type { Logger } from 'pino';
import { logOperation, type OperationRecord } from '../observability/operation-record.ts';

export interface LiveOperations {
  /** An operation started on the connection `ctx` (graphql-ws's context object) under `id`. */
  started(ctx: object, id: string, record: OperationRecord): void;
  /** Its log record, while it runs. */
  record(ctx: object, id: string): OperationRecord | undefined;
  /** It completed: its log line is written. */
  completed(ctx: object, id: string): void;
  /** Resolves once every operation has sent its completion, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
}

export function createLiveOperations(logger: Logger): LiveOperations {
  const records = new WeakMap<object, Map<string, OperationRecord>>();
  let count = 0;
  let onIdle: (() => void) | undefined;

  return {
    started(ctx, id, record) {
      count += 1;
      let byId = records.get(ctx);
      if (!byId) records.set(ctx, (byId = new Map()));
      byId.set(id, record);
    },

    record: (ctx, id) => records.get(ctx)?.get(id),

    completed(ctx, id) {
      const byId = records.get(ctx);
      const record = byId?.get(id);
      if (record) {
        byId!.delete(id);
        logOperation(logger, record);
      }
      count -= 1;
      if (count === 0) onIdle?.();
    },

    drain: (timeoutMs) =>
      new Promise<void>((resolve) => {
        if (count === 0) return resolve();
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          onIdle = undefined;
          // Let the completion messages reach the sockets before they close.
          setImmediate(resolve);
        }
        onIdle = done;
      }),
  };
}
