// Who may come in, how often, and how many streams they may hold: the one admission decision,
// made the same way for an HTTP request, a graphql-ws connection_init, a message on an admitted
// socket and an HTTP subscription stream. It authenticates the credentials, takes a token from
// the caller's bucket (its credential, or its address without one; failed attempts always from
// the address) and counts the caller's open streams; the transports only turn a refusal into
// their own wire form (HTTP status, socket close code, operation error).
import type { GraphQLError } from 'graphql';
import { ErrorCode, createGatewayError } from '../errors.ts';
import type { TokenBucket } from '../limits/token-bucket.ts';
import type { Authenticator, Credentials } from './authenticator.ts';
import type { Principal } from './scopes.ts';
import { createStreamQuota } from './stream-quota.ts';

export type RefusalReason = 'unauthenticated' | 'rate_limited' | 'too_many_streams';

/** Why a caller was turned away: the error to send, and the HTTP status and headers that go with it. */
export interface Refusal {
  reason: RefusalReason;
  error: GraphQLError;
  status: 401 | 429 | 503;
  headers: Record<string, string>;
}

export type AdmissionResult = { admitted: true; principal: Principal } | ({ admitted: false } & Refusal);

/** A stream slot: `release()` gives it back (once; later calls do nothing). */
export type StreamAdmission = { admitted: true; release(): void } | ({ admitted: false } & Refusal);

export interface AdmissionOptions {
  authenticator: Authenticator;
  /** Per-caller token buckets of requests (RATE_LIMIT_RPS, RATE_LIMIT_BURST); undefined disables rate limiting. */
  rateLimiter: TokenBucket | undefined;
  /**
   * Per-caller token buckets of what starts work on a WebSocket: connection_init and every
   * subscribe message, valid or not (RATE_LIMIT_RPS, RATE_LIMIT_WS_BURST). Its burst is larger
   * than the request burst so that a dashboard opening a subscription per row at once fits; its
   * rate is the same. Undefined: not limited.
   */
  webSocketLimiter?: TokenBucket | undefined;
  /**
   * Most open streams per caller: graphql-ws connections plus HTTP subscription streams
   * (MAX_STREAMS_PER_CREDENTIAL); 0 for no limit. @default 0
   */
  maxStreams?: number;
  /** Told about every refusal (metrics). */
  onRefused?(reason: RefusalReason): void;
}

export interface Admission {
  /** An HTTP request: authenticated, and counted against the caller's rate, failed attempts included. */
  request(credentials: Credentials, address: string): Promise<AdmissionResult>;
  /**
   * A graphql-ws connection_init: authenticated. A failed attempt is counted against the address
   * as over HTTP, so guessing keys over sockets drains the same bucket, and once that is empty
   * the answer is `rate_limited`. An admitted one takes a token from its caller's WebSocket
   * bucket.
   */
  connection(credentials: Credentials, address: string): Promise<AdmissionResult>;
  /**
   * A graphql-ws subscribe message on an admitted connection, before it is read: one token from
   * the caller's WebSocket bucket, whether the message turns out valid or not.
   */
  message(principal: Principal, address: string): Refusal | undefined;
  /**
   * An operation on an admitted connection: refused once the credential has expired, and, when
   * `counted`, counted against its caller's request rate.
   */
  operation(principal: Principal, address: string, counted: boolean): Refusal | undefined;
  /** A stream opening (an admitted WebSocket, an HTTP subscription): one of its caller's stream slots. */
  openStream(principal: Principal, address: string): StreamAdmission;
  /**
   * A failed authentication checked elsewhere (a wrong POST /events/bedrock secret), counted
   * against the address like failed credentials; the refusal once the address is over its rate.
   */
  failedAttempt(address: string): Refusal | undefined;
}

/** Retry-After of a refusal for too many streams: a slot frees when the caller closes one, at a time no one can tell. */
const STREAM_RETRY_AFTER_SECONDS = 5;

export function createAdmission({ authenticator, rateLimiter, webSocketLimiter, maxStreams = 0, onRefused }: AdmissionOptions): Admission {
  const streams = createStreamQuota(maxStreams);

  const refuse = (refusal: Refusal): { admitted: false } & Refusal => {
    onRefused?.(refusal.reason);
    return { admitted: false, ...refusal };
  };

  // Undefined while the caller has tokens left in `limiter`.
  const overRate = (limiter: TokenBucket | undefined, key: string, limits: string, extensions?: Record<string, unknown>): Refusal | undefined => {
    const decision = limiter?.take(key);
    if (!decision || decision.allowed) return undefined;
    const seconds = Math.ceil(decision.retryAfterMs / 1000);
    return {
      reason: 'rate_limited',
      error: createGatewayError(ErrorCode.LIMIT_EXCEEDED, `Too many ${limits}; retry in ${seconds} s`, extensions),
      status: 429,
      headers: { 'Retry-After': String(seconds) },
    };
  };
  const overRequestRate = (principal: Principal | undefined, address: string) =>
    overRate(rateLimiter, rateLimitKey(principal, address), 'requests from these credentials (RATE_LIMIT_RPS)');
  // `limit` tells this refusal from the per-connection cap's, to which a client may adapt.
  const overWebSocketRate = (principal: Principal, address: string) =>
    overRate(
      webSocketLimiter,
      rateLimitKey(principal, address),
      'operations started over WebSockets with these credentials (RATE_LIMIT_RPS, RATE_LIMIT_WS_BURST)',
      { limit: 'RATE_LIMIT_WS_BURST' },
    );

  // The principal behind the credentials, or why there is none. One promise, no extra async
  // frame: every HTTP request passes here.
  const authenticate = (credentials: Credentials): Promise<Principal | Refusal> =>
    authenticator.authenticate(credentials).catch((error: unknown) => ({
      reason: 'unauthenticated' as const,
      error: error as GraphQLError,
      status: 401 as const,
      headers: { 'WWW-Authenticate': 'Bearer' },
    }));

  return {
    async request(credentials, address) {
      const principal = await authenticate(credentials);
      // A failed attempt counts against the address, so guessing keys is rate limited too; being
      // over the rate is the answer then, as it would be with valid credentials.
      if (isRefusal(principal)) return refuse(overRequestRate(undefined, address) ?? principal);
      const limited = overRequestRate(principal, address);
      return limited ? refuse(limited) : { admitted: true, principal };
    },

    async connection(credentials, address) {
      const principal = await authenticate(credentials);
      if (isRefusal(principal)) return refuse(overRequestRate(undefined, address) ?? principal);
      const limited = overWebSocketRate(principal, address);
      return limited ? refuse(limited) : { admitted: true, principal };
    },

    message(principal, address) {
      const limited = overWebSocketRate(principal, address);
      return limited && refuse(limited);
    },

    operation(principal, address, counted) {
      if (principal.expiresAt !== undefined && principal.expiresAt <= Date.now()) {
        return refuse({
          reason: 'unauthenticated',
          error: createGatewayError(ErrorCode.UNAUTHENTICATED, 'The bearer token of this connection has expired; reconnect with a fresh one'),
          status: 401,
          headers: {},
        });
      }
      const limited = counted ? overRequestRate(principal, address) : undefined;
      return limited && refuse(limited);
    },

    openStream(principal, address) {
      const release = streams.open(rateLimitKey(principal, address));
      if (release) return { admitted: true, release };
      return refuse({
        reason: 'too_many_streams',
        error: createGatewayError(
          ErrorCode.LIMIT_EXCEEDED,
          `These credentials already hold ${maxStreams} open streams, WebSockets and SSE subscriptions together (MAX_STREAMS_PER_CREDENTIAL); close one, or run several operations on one WebSocket`,
          { limit: 'MAX_STREAMS_PER_CREDENTIAL' },
        ),
        status: 503,
        headers: { 'Retry-After': String(STREAM_RETRY_AFTER_SECONDS) },
      });
    },

    failedAttempt(address) {
      const limited = overRequestRate(undefined, address);
      return limited && refuse(limited);
    },
  };
}

const isRefusal = (value: Principal | Refusal): value is Refusal => 'reason' in value;

/** The bucket a caller is counted in: its credential, or its address without one. */
function rateLimitKey(principal: Principal | undefined, address: string): string {
  return principal && principal.kind !== 'anonymous' ? principal.id : `ip:${address}`;
}
