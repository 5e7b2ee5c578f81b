// Credentials → principal: API keys (`x-api-key`) and bearer JWTs (`Authorization: Bearer …`),
// the same on HTTP and in graphql-ws's connection_init payload. Never logs or echoes a secret.
import { createHash } from 'node:crypto';
import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Logger } from 'pino';
import { ErrorCode, createGatewayError } from '../errors.ts';
import { ANONYMOUS, isScope, type Principal, type Scope } from './scopes.ts';

/** Where credentials come from (AUTH_REQUIRED, GATEWAY_API_KEYS, JWT_*). */
export interface AuthConfig {
  /** Every GraphQL request and WebSocket must carry valid credentials. */
  required: boolean;
  /** API key → its scopes (GATEWAY_API_KEYS). */
  apiKeys: ReadonlyMap<string, readonly Scope[]>;
  /** HS256 shared secret for bearer tokens. */
  jwtSecret: string | undefined;
  /** JSON Web Key Set for bearer tokens signed with asymmetric keys. */
  jwksUrl: URL | undefined;
  /** Required `iss` of bearer tokens, when set. */
  jwtIssuer: string | undefined;
  /** Required `aud` of bearer tokens, when set. */
  jwtAudience: string | undefined;
}

/** What a request presented, as sent (header values or connection_init payload entries). */
export interface Credentials {
  /** The `x-api-key` value. */
  apiKey?: string | null;
  /** The `Authorization` value, e.g. `Bearer eyJ…`. */
  authorization?: string | null;
}

export interface Authenticator {
  /** Whether requests without credentials are refused (AUTH_REQUIRED). */
  readonly required: boolean;
  /**
   * The principal behind the credentials. Rejects with an UNAUTHENTICATED GraphQL error when auth
   * is required and they are missing or invalid. With auth off every caller is ANONYMOUS.
   */
  authenticate(credentials: Credentials): Promise<Principal>;
}

export interface AuthenticatorOptions {
  /** Told when signing keys cannot be fetched (the identity provider's problem, not the caller's). */
  logger?: Logger;
  /** Timeout of one JWKS download. @default 5000 */
  jwksTimeoutMs?: number;
  /** Allowed clock skew for `exp`/`nbf`, in seconds. @default 30 */
  clockToleranceSeconds?: number;
}

// Asymmetric algorithms accepted from a JWKS; HS256 only with JWT_SECRET, so a public key can
// never be used as an HMAC secret (algorithm confusion).
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Longer values are refused before any parsing. */
const MAX_CREDENTIAL_LENGTH = 8192;

export function createAuthenticator(config: AuthConfig, options: AuthenticatorOptions = {}): Authenticator {
  if (!config.required) {
    return { required: false, authenticate: async () => ANONYMOUS };
  }

  // Keys are kept by digest: a lookup compares digests, so timing reveals nothing about a key.
  const apiKeys = new Map<string, Principal>();
  for (const [key, scopes] of config.apiKeys) {
    const digest = sha256(key);
    apiKeys.set(digest, { id: `key:${digest.slice(0, 12)}`, kind: 'api-key', scopes: new Set(scopes) });
  }

  const secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;
  const jwks = config.jwksUrl
    ? createRemoteJWKSet(config.jwksUrl, { timeoutDuration: options.jwksTimeoutMs ?? 5000 })
    : undefined;
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? JWKS_ALGORITHMS : [])];
  const getKey: JWTVerifyGetKey = (header, token) => {
    if (header.alg === 'HS256' && secret) return secret;
    if (jwks) return jwks(header, token);
    throw new joseErrors.JOSEAlgNotAllowed(`"alg" (Algorithm) Header Parameter value not allowed`);
  };

  const unauthenticated = (message: string) => createGatewayError(ErrorCode.UNAUTHENTICATED, message);

  const verifyBearer = async (authorization: string): Promise<Principal> => {
    if (algorithms.length === 0) throw unauthenticated('Bearer tokens are not accepted by this gateway; use an API key');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('Unsupported Authorization header: expected "Bearer <token>"');
    const token = match[1]!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        algorithms,
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
        requiredClaims: ['exp'],
        clockTolerance: options.clockToleranceSeconds ?? 30,
      }));
    } catch (error) {
      if (!(error instanceof joseErrors.JOSEError) || error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
        options.logger?.warn({ err: error, jwksUrl: config.jwksUrl?.href }, 'could not fetch the JWT signing keys');
      }
      throw unauthenticated(`Invalid bearer token: ${describeJoseError(error)}`);
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(/\s+/).filter(isScope) : [];
    return {
      id: `jwt:${typeof payload.sub === 'string' ? payload.sub.slice(0, 128) : sha256(token).slice(0, 12)}`,
      kind: 'jwt',
      scopes: new Set<Scope>(scopes),
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
    };
  };

  return {
    required: true,
    async authenticate({ apiKey, authorization }) {
      if ((apiKey?.length ?? 0) > MAX_CREDENTIAL_LENGTH || (authorization?.length ?? 0) > MAX_CREDENTIAL_LENGTH) {
        throw unauthenticated('Credentials too long');
      }
      if (apiKey && authorization) throw unauthenticated('Send either x-api-key or Authorization, not both');
      if (apiKey) {
        const principal = apiKeys.get(sha256(apiKey));
        if (!principal) throw unauthenticated('Invalid API key');
        return principal;
      }
      if (authorization) return verifyBearer(authorization);
      throw unauthenticated(
        'Authentication required: send an API key in the x-api-key header or a bearer token in the Authorization header',
      );
    },
  };
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

// jose's messages name the failed check ("exp" claim timestamp check failed) and never the token.
function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JOSEError) return error.message;
  return 'could not be verified';
}
