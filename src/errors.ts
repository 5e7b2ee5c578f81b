// The deliberate errors clients see: a GraphQL error with a stable `extensions.code`.
// Anything that is not built here is an internal error and gets masked.
import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';

export const ErrorCode = {
  /** The job does not exist (the field resolves to null). */
  NOT_FOUND: 'NOT_FOUND',
  /** A malformed identifier or argument, rejected before any upstream call. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** Bedrock kept throttling after the SDK's retries. */
  THROTTLED: 'THROTTLED',
  /** Bedrock did not answer, answered 5xx, or timed out. */
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  /** Bedrock (or the gateway) refused the action. */
  FORBIDDEN: 'FORBIDDEN',
  /** The caller presented no valid credentials. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The job is in a state that does not allow the action (e.g. stopping a finished job). */
  CONFLICT: 'CONFLICT',
  /** The account's Bedrock quota would be exceeded. */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  /** A gateway limit was reached (e.g. subscriptions per connection); the message names it. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function createGatewayError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return createGraphQLError(message, { extensions: { code, ...extensions } });
}

export function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}
