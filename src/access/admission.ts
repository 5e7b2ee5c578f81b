// Who may come in, and how often: the one admission decision, made the same way for an HTTP
// request, a graphql-ws connection_init and an operation on an admitted socket. It authenticates
// the credentials and takes a token from the caller's bucket (its credential, or its address
// without one); the transports only turn a refusal into their own wire form.
import type { GraphQLError } from 'graphql';
import { ErrorCode, createGatewayError } from '../errors.ts';
import type { TokenBucket } from '../limits/token-bucket.ts';
import type { Authenticator, Credentials } from './authenticator.ts';
import type { Principal } from './scopes.ts';

export type RefusalReason = 'unauthenticated' | 'rate_limited';

/** Why a caller was turned away: the error to send, and the HTTP status and headers that go with it. */
export interface Refusal {
  reason: RefusalReason;
  error: GraphQLError;
  status: 401 | 429;
  headers: Record<string, string>;
}

export type AdmissionResult = { admitted: true; principal: Principal } | ({ admitted: false } & Refusal);

export interface AdmissionOptions {
  authenticator: Authenticator;
  /** Per-caller token buckets (RATE_LIMIT_RPS, RATE_LIMIT_BURST); undefined disables rate limiting. */
  rateLimiter: TokenBucket | undefined;
  /** Told about every refusal (metrics). */
  onRefused?(reason: RefusalReason): void;
}

export interface Admission {
  /** An HTTP request: authenticated, and counted against the caller's rate, failed attempts included. */
  request(credentials: Credentials, address: string): Promise<AdmissionResult>;
  /**
   * A graphql-ws connection_init: authenticated. A failed attempt is counted against the address,
   * so guessing keys over sockets drains the same bucket as over HTTP; an admitted one is not
   * counted (the operations it carries are).
   */
  connection(credentials: Credentials, address: string): Promise<AdmissionResult>;
  /**
   * An operation on an admitted connection: refused once the credential has expired, and, when
   * `counted`, counted against its caller's rate.
   */
  operation(principal: Principal, address: string, counted: boolean): Refusal | undefined;
}

export function createAdmission({ authenticator, rateLimiter, onRefused }: AdmissionOptions): Admission {
  const refuse = (refusal: Refusal): { admitted: false } & Refusal => {
    onRefused?.(refusal.reason);
    return { admitted: false, ...refusal };
  };

  // Undefined while the caller has tokens left.
  const overRate = (principal: Principal | undefined, address: string): Refusal | undefined => {
    const decision = rateLimiter?.take(rateLimitKey(principal, address));
    if (!decision || decision.allowed) return undefined;
    const seconds = Math.ceil(decision.retryAfterMs / 1000);
    return {
      reason: 'rate_limited',
      error: createGatewayError(ErrorCode.LIMIT_EXCEEDED, `Too many requests from these credentials (RATE_LIMIT_RPS); retry in ${seconds} s`),
      status: 429,
      headers: { 'Retry-After': String(seconds) },
    };
  };

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
      if (isRefusal(principal)) return refuse(overRate(undefined, address) ?? principal);
      const limited = overRate(principal, address);
      return limited ? refuse(limited) : { admitted: true, principal };
    },

    async connection(credentials, address) {
      const principal = await authenticate(credentials);
      if (!isRefusal(principal)) return { admitted: true, principal };
      overRate(undefined, address);
      return refuse(principal);
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
      const limited = counted ? overRate(principal, address) : undefined;
      return limited && refuse(limited);
    },
  };
}

const isRefusal = (value: Principal | Refusal): value is Refusal => 'reason' in value;

/** The bucket a caller's requests are counted in: its credential, or its address without one. */
function rateLimitKey(principal: Principal | undefined, address: string): string {
  return principal && principal.kind !== 'anonymous' ? principal.id : `ip:${address}`;
}
