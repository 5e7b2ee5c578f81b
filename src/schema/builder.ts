// The Pothos builder. It defines no types: each type lives in its own file under schema/.
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { ErrorCode, createGatewayError } from '../errors.ts';
import type { Context } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    // Upstream gives Date objects; a cached job may carry ISO strings.
    DateTime: { Input: Date; Output: Date | string };
    // Bedrock's Longs (record counts): numbers, exact up to 2^53 - 1.
    SafeInt: { Input: number; Output: number };
    // Records' modelInput and modelOutput: any JSON value.
    JSON: { Input: unknown; Output: unknown };
  };
  // Scopes are set on the root types (schema/index.ts), so every field under them is covered.
  AuthScopes: {
    /** The caller holds `jobs:read`: queries and subscriptions. */
    jobsRead: boolean;
    /** The caller holds `jobs:write`: mutations. */
    jobsWrite: boolean;
    /** The caller holds `results:read`: record contents and download URLs of job outputs. */
    resultsRead: boolean;
  };
}>({
  plugins: [ScopeAuthPlugin],
  // Mirrors the SDK: members are non-null unless the API makes them optional.
  defaultFieldNullability: false,
  scopeAuth: {
    // Refuse a subscription when it starts, not at its first event.
    authorizeOnSubscribe: true,
    authScopes: ({ principal }) => ({
      jobsRead: principal.scopes.has('jobs:read'),
      jobsWrite: principal.scopes.has('jobs:write'),
      resultsRead: principal.scopes.has('results:read'),
    }),
    unauthorizedError: (_parent, _context, info, { failure }) =>
      createGatewayError(
        ErrorCode.FORBIDDEN,
        `${info.parentType.name}.${info.fieldName} needs the ${scopeNameOf(failure) ?? (info.parentType.name === 'Mutation' ? 'jobs:write' : 'jobs:read')} scope, which these credentials do not carry`,
      ),
  },
});

/** The scope a failed check asked for, as credentials name it (`resultsRead` → `results:read`). */
function scopeNameOf(failure: { kind: string; scope?: string; failures?: unknown[] }): string | undefined {
  if (failure.kind === 'AuthScope' && failure.scope) return failure.scope.replace(/[A-Z]/, (c) => `:${c.toLowerCase()}`);
  const [first] = (failure.failures ?? []) as Array<{ kind: string; scope?: string }>;
  return first ? scopeNameOf(first) : undefined;
}
