// What a caller may do: the scopes credentials carry, and the principal a request runs as.

/**
 * Every scope the gateway knows. `jobs:read`: queries and subscriptions; `jobs:write`: mutations;
 * `results:read`: the contents of jobs' outputs (records and download URLs), which are customer data.
 */
export const SCOPES = ['jobs:read', 'jobs:write', 'results:read'] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return (SCOPES as readonly unknown[]).includes(value);
}

/** Who a request runs as. */
export interface Principal {
  /**
   * A stable id that is not a secret, used in logs, metrics and rate limits:
   * `key:<first 12 hex digits of the key's SHA-256>`, `jwt:<sub>`, or `anonymous` when auth is off.
   */
  readonly id: string;
  readonly kind: 'api-key' | 'jwt' | 'anonymous';
  readonly scopes: ReadonlySet<Scope>;
  /** When the credential stops being valid (a JWT's `exp`), in ms since the epoch. */
  readonly expiresAt?: number;
}

/** The caller when AUTH_REQUIRED=false: every scope. */
export const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', kind: 'anonymous', scopes: new Set(SCOPES) });
