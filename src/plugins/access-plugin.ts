// HTTP admission: every GraphQL request is admitted (access/admission.ts) before its body is
// parsed, or taken as decided when the replay in front of Yoga decided it already
// (http/replayed-answers.ts); a refusal is answered 401 UNAUTHENTICATED or 429 LIMIT_EXCEEDED.
// A subscription over HTTP (SSE or multipart) is a stream: it takes one of its caller's stream
// slots (503 LIMIT_EXCEEDED with Retry-After when they are all taken), gives it back when it
// ends, and ends when its bearer token expires. graphql-ws sockets are admitted by the same
// decision in websocket/transport.ts.
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Admission, Refusal } from '../access/admission.ts';
import { withLifetime } from '../access/stream-lifetime.ts';
import { ErrorCode, createGatewayError, errorCodeOf } from '../errors.ts';
import type { GatewayServerContext } from '../http/server-context.ts';

export interface AccessPluginOptions {
  admission: Admission;
  /** The client's address (for unauthenticated rate limiting). */
  clientAddress(serverContext: GatewayServerContext): string;
}

/** What an operation's context holds that matters here; `request` only over HTTP. */
type AccessContext = GatewayServerContext & { request?: Request };

export function createAccessPlugin({ admission, clientAddress }: AccessPluginOptions): Plugin<{}, GatewayServerContext> {
  return {
    async onRequestParse({ request, serverContext }) {
      const result =
        serverContext.admitted ??
        (await admission.request(
          { apiKey: request.headers.get('x-api-key'), authorization: request.headers.get('authorization') },
          clientAddress(serverContext),
        ));
      const record = serverContext.operation;
      if (!result.admitted) {
        record?.errorCodes.add(errorCodeOf(result.error) as ErrorCode);
        throw asHttpError(result);
      }
      serverContext.principal = result.principal;
      if (record) record.principal = result.principal;
    },

    onSubscribe({ args }) {
      const context = args.contextValue as AccessContext;
      // Over graphql-ws the socket is the stream: admitted, counted and ended at expiry there.
      const principal = context.principal;
      if (!context.request || !principal) return undefined;
      return {
        // Only a subscription that really streams takes a slot (one that failed to start is a
        // single result). Its source is already set up, as a query's upstream calls would be;
        // returned at once if refused, it has cost one request from the caller's rate.
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          const stream = admission.openStream(principal, clientAddress(context));
          if (!stream.admitted) {
            context.operation?.errorCodes.add(ErrorCode.LIMIT_EXCEEDED);
            Promise.resolve(result.return?.()).catch(() => undefined);
            setResult({ errors: [asHttpError(stream)] });
            return;
          }
          setResult(withLifetime<ExecutionResult>(result, { expiresAt: principal.expiresAt, expired: expiredResult, onEnd: stream.release }));
        },
      };
    },
  };
}

/**
 * A refusal as a GraphQL error with an HTTP status: Yoga answers it in the format the client
 * accepts (an SSE `next` event too) with that status, and strips `extensions.http` from the body.
 */
function asHttpError({ error, status, headers }: Refusal) {
  return createGatewayError(errorCodeOf(error) as ErrorCode, error.message, { ...error.extensions, http: { status, headers } });
}

/** The last event of a stream whose bearer token expired: the client must subscribe again with a fresh one. */
function expiredResult(): ExecutionResult {
  return {
    errors: [createGatewayError(ErrorCode.UNAUTHENTICATED, 'The bearer token of this stream has expired; subscribe again with a fresh one')],
  };
}
