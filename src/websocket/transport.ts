// graphql-ws on the gateway's HTTP server: authentication at connection_init, operations
// through Yoga's envelop (so its plugins apply to WebSockets too), per-connection limits,
// subscription events written directly (direct-delivery.ts), one log line per operation.
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, getOperationAST, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import type { Context as WsContext, OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { isAsyncIterable, maskError, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Admission } from '../access/admission.ts';
import type { Principal } from '../access/scopes.ts';
import { ErrorCode, createGatewayError } from '../errors.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { countOperationErrors } from '../plugins/operation-observability-plugin.ts';
import { createOperationRecord, logOperation, recordErrors, requestIdFrom, type OperationRecord } from '../observability/operation-record.ts';
import type { GatewayServerContext } from '../plugins/server-context.ts';
import { pipeableResultsOf } from '../subscriptions/shared-execution-plugin.ts';
import type { Context } from '../schema/context.ts';
import { corkUntilNextTick, deliverDirectly, type DeliveryHooks } from './direct-delivery.ts';

type Yoga = YogaServerInstance<GatewayServerContext, Context>;

/** Yoga's error masking, as configured for the gateway. */
export interface MaskedErrors {
  isDev: boolean;
  errorMessage: string;
}

// The root value carries Yoga's enveloped execute/subscribe into graphql-ws's callbacks.
interface EnvelopedRoot {
  execute(args: ExecutionArgs): OperationResult;
  subscribe(args: ExecutionArgs): OperationResult;
}

/** graphql-ws limits and timers (WS_* variables). */
export interface WebSocketLimits {
  /** Most operations one graphql-ws connection may run at once. */
  maxSubscriptionsPerConnection: number;
  /** Interval of server pings; a peer that does not answer is dropped. */
  keepAliveMs: number;
  /** Time a client has to send connection_init before the socket is closed (4408). */
  connectionInitTimeoutMs: number;
}

export type WebSocketTransportOptions = WebSocketLimits & {
  /** Largest message accepted; a bigger one closes the socket with 1009. */
  maxMessageBytes: number;
  admission: Admission;
  clientAddress(req: IncomingMessage): string;
  /** Browser origins allowed besides the gateway's own (CORS_ORIGINS). */
  isAllowedOrigin(origin: string): boolean;
  maskedErrors: MaskedErrors;
  metrics: GatewayMetrics;
  logger: Logger;
};

/**
 * graphql-ws on the HTTP server's `/graphql` upgrades. Operations go through
 * `yoga.getEnveloped`, so Yoga's plugins (masking, limits, auth scopes) apply to WebSockets too.
 * Credentials come in the connection_init payload; a socket without valid ones is closed with 4403.
 */
export function createWebSocketTransport(server: Server, yoga: Yoga, options: WebSocketTransportOptions) {
  const { admission, metrics, logger } = options;
  const wsServer = new WebSocketServer({
    server,
    path: '/graphql',
    maxPayload: options.maxMessageBytes,
    // No compression: subscription events are framed by websocket/direct-delivery.ts, which
    // relies on ws writing its own frames synchronously, as it does without extensions.
    perMessageDeflate: false,
    // CORS does not cover WebSockets: refuse browser pages from other origins at the upgrade.
    verifyClient: ({ origin, req }: { origin?: string; req: IncomingMessage }) =>
      !origin || isSameOrigin(origin, req.headers.host) || options.isAllowedOrigin(origin),
  });
  const principals = new WeakMap<object, Principal>();
  const records = new WeakMap<object, Map<string, OperationRecord>>();
  let operations = 0;
  let onIdle: (() => void) | undefined;

  const finish = (ctx: object, id: string) => {
    const record = records.get(ctx)?.get(id);
    if (!record) return;
    records.get(ctx)!.delete(id);
    logOperation(logger, record);
  };

  const deliveryHooks: DeliveryHooks<OperationRecord | undefined> = {
    toPayload: (result) => withoutInternals(maskResultErrors(result, options.maskedErrors, logger)),
    onErrors: (errors, record) => countOperationErrors(metrics, record, 'subscription', errors),
  };

  const disposable = useServer(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onConnect: async (ctx) => {
        const params = lowerCaseKeys(ctx.connectionParams);
        const credentials = { apiKey: params['x-api-key'], authorization: params['authorization'] };
        const result = await admission.connection(credentials, options.clientAddress(ctx.extra.request));
        if (!result.admitted) {
          logger.info({ reason: result.error.message }, 'websocket refused: not authenticated');
          return false;
        }
        principals.set(ctx, result.principal);
        if (result.principal.expiresAt !== undefined) closeAtExpiry(ctx.extra.socket, result.principal.expiresAt, logger);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const principal = principals.get(ctx)!;
        const record = createOperationRecord('ws', requestIdFrom(undefined));
        record.principal = principal;
        const refuse = (errors: readonly GraphQLError[]) => {
          recordErrors(record, errors);
          logOperation(logger, record, { id });
          return errors;
        };
        // ctx.subscriptions already holds this operation's id.
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
          return refuse([
            createGatewayError(
              ErrorCode.LIMIT_EXCEEDED,
              `This connection already runs ${options.maxSubscriptionsPerConnection} operations (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first`,
            ),
          ]);
        }
        // The credentials stay here: nothing downstream needs them, so nothing can log them.
        const { connectionParams: _credentials, ...connection } = ctx;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...connection,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          principal,
          operation: record,
        } as GatewayServerContext);
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return refuse([error as GraphQLError]);
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return refuse(errors);
        // Queries and mutations over a socket count against the request rate like HTTP ones.
        // Starting a subscription does not: the per-connection cap bounds those, and a dashboard
        // opening a stream per visible row must not trip a limit meant for request floods.
        const counted = getOperationAST(document, payload.operationName)?.operation !== 'subscription';
        const refusal = admission.operation(principal, options.clientAddress(ctx.extra.request), counted);
        if (refusal) return refuse([refusal.error]);
        operations += 1;
        if (!records.has(ctx)) records.set(ctx, new Map());
        records.get(ctx)!.set(id, record);
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
      },
      // Subscriptions whose events can be piped skip graphql-ws's per-event path.
      onOperation: (ctx, id, _payload, args, result) => {
        const results = pipeableResultsOf(args.contextValue);
        if (!results || !isAsyncIterable(result)) return;
        const operation = records.get(ctx)?.get(id);
        return deliverDirectly(results, result[Symbol.asyncIterator](), { socket: ctx.extra.socket, connection: ctx.extra.request.socket, id, operation }, deliveryHooks);
      },
      onNext: (ctx, id, _payload, _args, result) => {
        recordErrors(records.get(ctx)?.get(id), (result as { errors?: unknown[] }).errors);
        // Fan-out: one event reaches many operations of a connection in the same tick. Corking
        // the connection's TCP socket until the tick ends writes all their messages with one
        // syscall instead of one each.
        corkUntilNextTick(ctx.extra.request.socket);
        return result.errors ? withoutInternals(result) : undefined;
      },
      onComplete: (ctx, id) => {
        finish(ctx, id);
        operations -= 1;
        if (operations === 0) onIdle?.();
      },
    },
    wsServer,
    options.keepAliveMs || undefined,
  );
  // ws reports a client's protocol violations (oversized message, bad frame, invalid UTF-8) as
  // socket errors after closing with the right code (1009, 1002, 1007). graphql-ws would print
  // them to stderr as internal errors; they are the client's, so they go to the log at debug.
  wsServer.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error) => logger.debug({ err: error }, 'websocket closed on a protocol error'));
  });

  return {
    get connections() {
      return wsServer.clients.size;
    },
    /** Resolves once every operation has sent its completion, or after `timeoutMs`. */
    drain: (timeoutMs: number) =>
      new Promise<void>((resolve) => {
        if (operations === 0) return resolve();
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          onIdle = undefined;
          // Let the completion messages reach the sockets before they close.
          setImmediate(resolve);
        }
        onIdle = done;
      }),
    dispose: () => disposable.dispose(),
  };
}

function isSameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** connection_init payload entries by lower-case name, string values only. */
function lowerCaseKeys(params: WsContext['connectionParams']): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    if (typeof value === 'string') result[key.toLowerCase()] = value;
  }
  return result;
}

/** A result's errors as Yoga's masking leaves them (what graphql-ws's own path would send). */
// setTimeout's longest delay (about 24.8 days); longer waits are made of several.
const LONGEST_TIMEOUT_MS = 2_147_483_647;

/**
 * Closes the socket when its bearer token expires, with 4403 as for a refused connection_init:
 * what runs on it was allowed by that token only. graphql-ws clients retry after a 4403 (it may
 * be lifted), and a client whose `connectionParams` is a function then presents a fresh token.
 */
function closeAtExpiry(socket: WebSocket, expiresAt: number, logger: Logger): void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const left = expiresAt - Date.now();
    if (left > 0) {
      timer = setTimeout(check, Math.min(left, LONGEST_TIMEOUT_MS));
      return;
    }
    logger.info('websocket closed: its bearer token expired');
    socket.close(4403, 'Bearer token expired; reconnect with a fresh one');
  };
  check();
  socket.once('close', () => clearTimeout(timer));
}

/** Masks a result's errors as Yoga's envelop would have (for events that bypass it). */
function maskResultErrors(result: ExecutionResult, { isDev, errorMessage }: MaskedErrors, logger: Logger): ExecutionResult {
  if (!result.errors) return result;
  const errors = result.errors.map((error) => {
    const masked = maskError(error, errorMessage, isDev) as GraphQLError;
    if (masked !== error) logger.error({ err: error }, 'unexpected error in a subscription event');
    return masked;
  });
  return { ...result, errors };
}

/** A result's errors as Yoga sends them over HTTP: without its internal extensions (`http`, `unexpected`). */
function withoutInternals(result: ExecutionResult | FormattedExecutionResult): FormattedExecutionResult {
  if (!result.errors) return result as FormattedExecutionResult;
  const errors = result.errors.map((error) => {
    const { http: _http, unexpected: _unexpected, ...extensions } = error.extensions ?? {};
    const { extensions: _all, ...formatted } = error instanceof GraphQLError ? error.toJSON() : error;
    return Object.keys(extensions).length > 0 ? { ...formatted, extensions } : formatted;
  });
  return { ...(result as FormattedExecutionResult), errors };
}
