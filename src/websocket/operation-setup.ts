// graphql-ws's onSubscribe: what an operation on an admitted socket must pass before it runs —
// the caller's WebSocket rate, the per-connection cap, parsing and validation, the admission
// decision (credential expiry, request rate) — all through Yoga's envelop, so its plugins
// (masking, limits, auth scopes) apply to WebSockets as to HTTP. It answers with the execution
// arguments or the errors to send. The first two are checked as the message arrives, the rest
// at the operation's turn (start-turns.ts).
import type { IncomingMessage } from 'node:http';
import { getOperationAST, type ExecutionArgs, type GraphQLError } from 'graphql';
import type { Context as WsContext, OperationResult, SubscribePayload } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Admission } from '../access/admission.ts';
import type { Principal } from '../access/scopes.ts';
import { ErrorCode, createGatewayError } from '../errors.ts';
import { createOperationRecord, logOperation, recordErrors, requestIdFrom, type OperationRecord } from '../observability/operation-record.ts';
import type { GatewayServerContext } from '../http/server-context.ts';
import type { Context } from '../schema/context.ts';
import type { LiveOperations } from './live-operations.ts';
import { createStartTurns } from './start-turns.ts';

type Yoga = YogaServerInstance<GatewayServerContext, Context>;
type Extra = { socket: WebSocket; request: IncomingMessage };
type Connection = WsContext<Record<string, unknown> | undefined, Extra>;

/** The root value carries Yoga's enveloped execute/subscribe into graphql-ws's callbacks. */
export interface EnvelopedRoot {
  execute(args: ExecutionArgs): OperationResult;
  subscribe(args: ExecutionArgs): OperationResult;
}

export interface OperationSetupOptions {
  yoga: Yoga;
  admission: Admission;
  live: LiveOperations;
  /** Who was admitted on a connection, from its connection_init. */
  principalOf(ctx: WsContext): Principal;
  clientAddress(req: IncomingMessage): string;
  maxSubscriptionsPerConnection: number;
  logger: Logger;
}

export function createOperationSetup(options: OperationSetupOptions) {
  const { yoga, admission, live, logger } = options;
  const starts = createStartTurns();

  const refuse = (record: OperationRecord, id: string, errors: readonly GraphQLError[]) => {
    recordErrors(record, errors);
    logOperation(logger, record, { id });
    return errors;
  };

  /** Everything but the checks made on arrival, at the operation's turn. */
  const setUp = async (ctx: Connection, id: string, payload: SubscribePayload, record: OperationRecord, principal: Principal, address: string) => {
    // Not graphql-ws's connection context: the credentials stay there (nothing downstream needs
    // them, so nothing can log them), and its other members would be four more properties on every
    // operation's context, which V8 would then store as a dictionary (a subscription keeps its
    // context as long as it runs).
    const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
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
      return refuse(record, id, [error as GraphQLError]);
    }
    const errors = validate(schema, document);
    if (errors.length > 0) return refuse(record, id, errors);
    // Queries and mutations over a socket count against the request rate like HTTP ones.
    // Subscription starts only spend from the WebSocket bucket above: a dashboard opening a
    // stream per visible row must not trip the smaller burst meant for request floods.
    const counted = getOperationAST(document, payload.operationName)?.operation !== 'subscription';
    const refusal = admission.operation(principal, address, counted);
    if (refusal) return refuse(record, id, [refusal.error]);
    live.started(ctx, id, record);
    return {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue: await contextFactory(),
      rootValue: { execute, subscribe } satisfies EnvelopedRoot,
    };
  };

  return (ctx: Connection, id: string, payload: SubscribePayload) => {
    const principal = options.principalOf(ctx);
    const record = createOperationRecord('ws', requestIdFrom(undefined));
    record.principal = principal;
    const address = options.clientAddress(ctx.extra.request);
    // Every subscribe message costs a token before it is read, valid or not: reading one (parsing,
    // validating) is the work a flood of them would make. Their own bucket has room for a
    // dashboard's subscription per row at once.
    const flooding = admission.message(principal, address);
    if (flooding) return refuse(record, id, [flooding.error]);
    // ctx.subscriptions already holds this operation's id.
    if (holdsMoreThan(ctx.subscriptions, options.maxSubscriptionsPerConnection)) {
      return refuse(record, id, [
        createGatewayError(
          ErrorCode.LIMIT_EXCEEDED,
          `This connection already runs ${options.maxSubscriptionsPerConnection} operations (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first`,
        ),
      ]);
    }
    // Checked as it arrives, set up at its turn (see start-turns.ts); what waits for it holds
    // little more than the operation's record.
    const turn = starts.wait();
    const start = () => setUp(ctx, id, payload, record, principal, address);
    return turn ? turn.then(start) : start();
  };
}

/**
 * Whether `record` has more than `limit` keys: counts at most limit + 1 of them, allocating
 * nothing, so a subscribe costs the same however many operations the connection runs.
 */
function holdsMoreThan(record: object, limit: number): boolean {
  let keys = 0;
  for (const _ in record) if (++keys > limit) return true;
  return false;
}
