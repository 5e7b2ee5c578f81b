// Results as they go on the wire over graphql-ws, for events that bypass the envelop's per-event
// hooks (direct delivery): masked as Yoga would mask them, and without Yoga's internal extensions.
import { GraphQLError, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import { maskError } from 'graphql-yoga';
import type { Logger } from 'pino';

/** Yoga's error masking, as configured for the gateway. */
export interface MaskedErrors {
  isDev: boolean;
  errorMessage: string;
}

/** Masks a result's errors as Yoga's envelop would have; an unexpected error goes to the log. */
export function maskResultErrors(result: ExecutionResult, { isDev, errorMessage }: MaskedErrors, logger: Logger): ExecutionResult {
  if (!result.errors) return result;
  const errors = result.errors.map((error) => {
    const masked = maskError(error, errorMessage, isDev) as GraphQLError;
    if (masked !== error) logger.error({ err: error }, 'unexpected error in a subscription event');
    return masked;
  });
  return { ...result, errors };
}

/** A result's errors as Yoga sends them over HTTP: without its internal extensions (`http`, `unexpected`). */
export function withoutInternals(result: ExecutionResult | FormattedExecutionResult): FormattedExecutionResult {
  if (!result.errors) return result as FormattedExecutionResult;
  const errors = result.errors.map((error) => {
    const { http: _http, unexpected: _unexpected, ...extensions } = error.extensions ?? {};
    const { extensions: _all, ...formatted } = error instanceof GraphQLError ? error.toJSON() : error;
    return Object.keys(extensions).length > 0 ? { ...formatted, extensions } : formatted;
  });
  return { ...(result as FormattedExecutionResult), errors };
}
