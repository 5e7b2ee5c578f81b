// Who may send GraphQL over HTTP, and how often: authenticates every GraphQL request before its
// body is read (401 UNAUTHENTICATED) and applies the per-caller rate limit (429 LIMIT_EXCEEDED).
// graphql-ws does the same at connection_init and per operation in gateway.ts.
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Authenticator } from '../access/authenticator.ts';
import type { Principal } from '../access/scopes.ts';
import { ErrorCode, createGatewayError, errorCodeOf } from '../errors.ts';
import type { TokenBucket } from '../limits/token-bucket.ts';
import type { GatewayServerContext } from './server-context.ts';

export interface AccessPluginOptions {
  authenticator: Authenticator;
  /** Per-caller token buckets; undefined disables rate limiting. */
  rateLimiter: TokenBucket | undefined;
  /** The client's address (for unauthenticated rate limiting). */
  clientAddress(serverContext: GatewayServerContext): string;
  /** Told about every refused request (metrics). */
  onRejected?(reason: 'unauthenticated' | 'rate_limited'): void;
}

/** The bucket a caller's requests are counted in: its credential, or its address without one. */
export function rateLimitKey(principal: Principal | undefined, address: string): string {
  return principal && principal.kind !== 'anonymous' ? principal.id : `ip:${address}`;
}

/** LIMIT_EXCEEDED for a caller out of tokens; the message names the limit. */
export function rateLimitError(retryAfterMs: number) {
  return createGatewayError(
    ErrorCode.LIMIT_EXCEEDED,
    `Too many requests from these credentials (RATE_LIMIT_RPS); retry in ${Math.ceil(retryAfterMs / 1000)} s`,
  );
}

export function createAccessPlugin(options: AccessPluginOptions): Plugin<{}, GatewayServerContext> {
  const { authenticator, rateLimiter } = options;

  // Refusals are thrown as GraphQL errors with an HTTP status: Yoga answers them in the format the
  // client accepts and strips `extensions.http` from the body.
  const refuse = (error: GraphQLError, status: number, headers: Record<string, string>) =>
    createGatewayError(errorCodeOf(error) as ErrorCode, error.message, { ...error.extensions, http: { status, headers } });

  return {
    async onRequestParse({ request, serverContext }) {
      const address = options.clientAddress(serverContext);
      let principal: Principal | undefined;
      let failure: GraphQLError | undefined;
      try {
        principal = await authenticator.authenticate({
          apiKey: request.headers.get('x-api-key'),
          authorization: request.headers.get('authorization'),
        });
      } catch (error) {
        failure = error as GraphQLError;
      }
      // Failed attempts count against the address, so guessing keys is rate limited too.
      const decision = rateLimiter?.take(rateLimitKey(principal, address));
      const record = serverContext.operation;
      if (decision && !decision.allowed) {
        options.onRejected?.('rate_limited');
        record?.errorCodes.add(ErrorCode.LIMIT_EXCEEDED);
        throw refuse(rateLimitError(decision.retryAfterMs), 429, { 'Retry-After': String(Math.ceil(decision.retryAfterMs / 1000)) });
      }
      if (failure || !principal) {
        options.onRejected?.('unauthenticated');
        record?.errorCodes.add(ErrorCode.UNAUTHENTICATED);
        throw refuse(failure ?? createGatewayError(ErrorCode.UNAUTHENTICATED, 'Not authenticated'), 401, {
          'WWW-Authenticate': 'Bearer',
        });
      }
      serverContext.principal = principal;
      if (record) record.principal = principal;
    },
  };
}
