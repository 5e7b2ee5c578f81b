// Per GraphQL operation, on HTTP and graphql-ws alike: metrics by operation name and type,
// error codes, refusals at parse/validation, and (when tracing is on) a span that covers the
// resolvers, so upstream calls made while resolving become its children.
import { getOperationAST, type ExecutionArgs } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ErrorCode, errorCodeOf } from '../errors.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { Tracing } from '../observability/tracing.ts';
import { recordErrors, type OperationRecord } from '../observability/operation-record.ts';
import type { GatewayServerContext } from '../http/server-context.ts';

export interface OperationObservabilityOptions {
  metrics: GatewayMetrics;
  tracing: Tracing;
}

type Errors = readonly unknown[] | undefined;

/** Longest operation name logged and traced: a client's 90 KB name must not make 90 KB log lines. */
const MAX_LOGGED_NAME = 128;

function describe(args: ExecutionArgs) {
  const operation = getOperationAST(args.document, args.operationName);
  const name = operation?.name?.value;
  const bounded = name !== undefined && name.length > MAX_LOGGED_NAME ? `${name.slice(0, MAX_LOGGED_NAME)}…` : name;
  return { name: bounded, type: operation?.operation ?? 'unknown' };
}

const recordOf = (context: unknown) => (context as GatewayServerContext | undefined)?.operation;

/** Errors an operation produced: in its log line and in the error metrics by code. */
export function countOperationErrors(metrics: GatewayMetrics, record: OperationRecord | undefined, type: string, errors: Errors): void {
  recordErrors(record, errors);
  for (const error of errors ?? []) metrics.countError(type, errorCodeOf(error) ?? 'INTERNAL');
}

export function createOperationObservabilityPlugin({ metrics, tracing }: OperationObservabilityOptions): Plugin {
  const countErrors = (record: OperationRecord | undefined, type: string, errors: Errors) => countOperationErrors(metrics, record, type, errors);

  // graphql-js's syntax and validation errors carry no code: recorded under the names other
  // GraphQL servers give them, so that they are not taken for the gateway's own failures (INTERNAL).
  const refused = (record: OperationRecord | undefined, errors: Errors, code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED') => {
    recordErrors(record, errors, code);
    const limited = errors?.some((error) => errorCodeOf(error) === ErrorCode.LIMIT_EXCEEDED);
    metrics.countRejection(limited ? 'limit_exceeded' : 'invalid');
  };

  const begin = (args: ExecutionArgs) => {
    const { name, type } = describe(args);
    const record = recordOf(args.contextValue);
    if (record) {
      record.operationName = name;
      record.operationType = type;
    }
    return { name, type, record, startedAt: performance.now() };
  };

  const spanOptions = (name: string | undefined, type: string) => ({
    kind: 'server' as const,
    attributes: { 'graphql.operation.name': name ?? '', 'graphql.operation.type': type },
  });

  return {
    onParse({ context }) {
      return ({ result }) => {
        if (result instanceof Error) refused(recordOf(context), [result], 'GRAPHQL_PARSE_FAILED');
      };
    },
    onValidate({ context }) {
      return ({ valid, result }) => {
        if (!valid) refused(recordOf(context), result, 'GRAPHQL_VALIDATION_FAILED');
      };
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const { name, type, record, startedAt } = begin(args);
      if (tracing.enabled) {
        setExecuteFn((executeArgs) => tracing.span(`${type} ${name ?? '(anonymous)'}`, spanOptions(name, type), () => executeFn(executeArgs)));
      }
      return {
        onExecuteDone({ result }) {
          metrics.observeOperation(name, type, (performance.now() - startedAt) / 1000);
          if (!isAsyncIterable(result)) countErrors(record, type, result.errors);
        },
      };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const { name, type, record, startedAt } = begin(args);
      if (tracing.enabled) {
        setSubscribeFn((subscribeArgs) => tracing.span(`${type} ${name ?? '(anonymous)'}`, spanOptions(name, type), () => subscribeFn(subscribeArgs)));
      }
      return {
        onSubscribeResult({ result }) {
          metrics.observeOperation(name, type, (performance.now() - startedAt) / 1000);
          if (!isAsyncIterable(result)) {
            countErrors(record, type, result.errors);
            return;
          }
          return { onNext: ({ result: event }) => countErrors(record, type, event.errors) };
        },
        onSubscribeError({ error }) {
          countErrors(record, type, [error]);
        },
      };
    },
  };
}
