// graphql-ws on the gateway's HTTP server: sockets admitted at connection_init by the one
// admission decision (access/admission.ts), each holding one of its caller's stream slots until
// it closes; operations set up through Yoga's envelop (operation-setup.ts), subscription events
// written directly (direct-delivery.ts), one log line per operation (live-operations.ts).
import type { IncomingMessage, Server } from 'node:http';
import type { Context as WsContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { isAsyncIterable, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Admission, RefusalReason } from '../access/admission.ts';
import type { Principal } from '../access/scopes.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { recordErrors, type OperationRecord } from '../observability/operation-record.ts';
import { countOperationErrors } from '../plugins/operation-observability-plugin.ts';
import type { GatewayServerContext } from '../http/server-context.ts';
import type { Context } from '../schema/context.ts';
import { pipeableResultsOf } from '../subscriptions/shared-execution-plugin.ts';
import { corkUntilNextTick, deliverDirectly, type DeliveryHooks } from './direct-delivery.ts';
import { createLiveOperations } from './live-operations.ts';
import { createOperationSetup, type EnvelopedRoot } from './operation-setup.ts';
import { closeAtExpiry } from './token-expiry.ts';
import { maskResultErrors, withoutInternals, type MaskedErrors } from './wire-results.ts';

type Yoga = YogaServerInstance<GatewayServerContext, Context>;

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
  /** Whether the upgrade's Host header is one the gateway answers (ALLOWED_HOSTS); if not, 421. */
  isAllowedHost(host: string | undefined): boolean;
  maskedErrors: MaskedErrors;
  metrics: GatewayMetrics;
  logger: Logger;
};

/**
 * How a socket refused at connection_init is closed, by reason (an unauthenticated one with 4403,
 * as graphql-ws itself would, which its clients retry). 4429 is graphql-ws's "too many" code: its
 * clients treat it as fatal and stop, which is what a key guesser or a flood should do. 1013 Try
 * Again Later is one they retry with their backoff: a stream slot frees when another of the
 * caller's streams closes.
 */
const CLOSE_ON_REFUSAL: Record<Exclude<RefusalReason, 'unauthenticated'>, [code: number, reason: string]> = {
  rate_limited: [4429, 'Too many requests'],
  too_many_streams: [1013, 'Try again later: too many open streams (MAX_STREAMS_PER_CREDENTIAL)'],
};

/**
 * graphql-ws on the HTTP server's `/graphql` upgrades. Credentials come in the connection_init
 * payload; a socket without valid ones is closed with 4403 and the reason why (no credentials, an
 * unknown key, an invalid token), one from a caller over its rate with 4429, one beyond its
 * caller's open streams with 1013.
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
    // Another Host: a DNS-rebinding page is same-origin with itself (http/allowed-hosts.ts).
    verifyClient: ({ origin, req }: { origin?: string; req: IncomingMessage }, done: (ok: boolean, code?: number, reason?: string) => void) => {
      if (!options.isAllowedHost(req.headers.host)) return done(false, 421, 'Misdirected Request');
      done(!origin || isSameOrigin(origin, req.headers.host) || options.isAllowedOrigin(origin));
    },
  });
  const principals = new WeakMap<object, Principal>();
  const live = createLiveOperations(logger);
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
        const { socket, request } = ctx.extra;
        const address = options.clientAddress(request);
        const result = await admission.connection(credentials, address);
        if (!result.admitted) {
          logger.debug({ reason: result.error.message }, `websocket refused: ${result.reason}`);
          // Unauthenticated: 4403, as graphql-ws closes a refused connection_init, but with the reason
          // saying what was wrong instead of its "Forbidden", so that a client can tell missing or
          // wrong credentials from a missing scope (which never closes the socket: each operation
          // answers FORBIDDEN).
          if (result.reason === 'unauthenticated') socket.close(4403, closeReason(result.error.message));
          else socket.close(...CLOSE_ON_REFUSAL[result.reason]);
          return false;
        }
        // Closed while authenticating: nothing to hold a slot for (its close event has passed).
        if (socket.readyState !== socket.OPEN) return false;
        const stream = admission.openStream(result.principal, address);
        if (!stream.admitted) {
          logger.debug({ reason: stream.error.message }, 'websocket refused: too many streams');
          socket.close(...CLOSE_ON_REFUSAL.too_many_streams);
          return false;
        }
        socket.once('close', stream.release);
        principals.set(ctx, result.principal);
        if (result.principal.expiresAt !== undefined) closeAtExpiry(socket, result.principal.expiresAt, logger);
        return true;
      },
      onSubscribe: createOperationSetup({
        yoga,
        admission,
        live,
        principalOf: (ctx) => principals.get(ctx)!,
        clientAddress: options.clientAddress,
        maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection,
        logger,
      }),
      // Subscriptions whose events can be piped skip graphql-ws's per-event path, and the
      // iterator the envelop wrapped around them: it is ended through the results themselves, so
      // the wrappers (closures over the operation's arguments and every plugin's hooks, 3 KB a
      // subscription) are let go once it has started.
      onOperation: (ctx, id, _payload, args, result) => {
        const results = pipeableResultsOf(args.contextValue);
        if (!results || !isAsyncIterable(result)) return;
        const target = { socket: ctx.extra.socket, connection: ctx.extra.request.socket, id, operation: live.record(ctx, id) };
        return deliverDirectly(results, results, target, deliveryHooks);
      },
      onNext: (ctx, id, _payload, _args, result) => {
        recordErrors(live.record(ctx, id), (result as { errors?: unknown[] }).errors);
        // Fan-out: one event reaches many operations of a connection in the same tick. Corking
        // the connection's TCP socket until the tick ends writes all their messages with one
        // syscall instead of one each.
        corkUntilNextTick(ctx.extra.request.socket);
        return result.errors ? withoutInternals(result) : undefined;
      },
      onComplete: (ctx, id) => live.completed(ctx, id),
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
    drain: (timeoutMs: number) => live.drain(timeoutMs),
    dispose: () => disposable.dispose(),
  };
}

/** A close frame's reason holds at most 123 bytes (RFC 6455); a longer text is cut, with an ellipsis. */
function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= 123) return text;
  const characters = [...text];
  while (Buffer.byteLength(characters.join('')) > 120) characters.pop();
  return `${characters.join('')}…`;
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
