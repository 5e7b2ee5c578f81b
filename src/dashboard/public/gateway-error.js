// How the page names what went wrong talking to the gateway: a GatewayError carries a code, taken
// from a GraphQL error's `extensions.code` or derived from an HTTP status or a WebSocket close.
import { readApiKey } from './api-key.js';
export class GatewayError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The code of any error: a GatewayError's own, 'ERROR' for the rest. */
export function errorCode(error) {
  return error instanceof GatewayError ? error.code : 'ERROR';
}

/**
 * "`what` failed (CODE): message", plus what to do where an API key can help: UNAUTHENTICATED
 * (no key, or one the gateway does not know) asks for a key; FORBIDDEN (a known key without the
 * scope) adds `forbiddenHint`, which names the scope.
 */
export function describeProblem(error, what, forbiddenHint = '') {
  const code = errorCode(error);
  const hint =
    code === 'UNAUTHENTICATED'
      ? readApiKey()
        ? ' The gateway does not accept this API key: check it, or enter another under “API key”.'
        : ' This gateway needs an API key: enter one under “API key”.'
      : code === 'FORBIDDEN' && forbiddenHint
        ? ` ${forbiddenHint}`
        : '';
  return `${what} (${code}): ${error.message}${ending(error.message)}${hint}`;
}

/** A full stop after a message that has none, so that a hint reads as a sentence of its own. */
function ending(message) {
  return /[.!?…)]$/.test(message) ? '' : '.';
}

/** The code for an HTTP answer that carried no GraphQL result. */
export function httpStatusCode(status) {
  return status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 429 ? 'THROTTLED' : 'HTTP_' + status;
}

/** The first GraphQL error of a result, as a GatewayError. */
export function firstError(errors) {
  const error = Array.isArray(errors) ? errors[0] : undefined;
  return new GatewayError(error?.extensions?.code ?? 'ERROR', error?.message ?? 'The gateway answered without data.');
}

/**
 * The first error reported at or below `path` (e.g. ['modelInvocationJob', 'failed']), as a
 * GatewayError; null when that part of the answer has none.
 */
export function errorBelow(errors, path) {
  const below = (errors ?? []).filter((error) => path.every((key, index) => error.path?.[index] === key));
  return below.length > 0 ? firstError(below) : null;
}

/** What a subscription's error sink received (GraphQL errors, a close event, an Error) as a GatewayError. */
export function streamError(error) {
  if (Array.isArray(error)) return firstError(error);
  if (isCloseEvent(error)) {
    return new GatewayError(closeCodeName(error.code), error.reason || `The connection closed (${error.code}).`);
  }
  return new GatewayError('ERROR', error instanceof Error ? error.message : String(error));
}

export function isCloseEvent(value) {
  return Boolean(value) && typeof value === 'object' && 'code' in value && 'reason' in value;
}

/**
 * This gateway closes a socket with 4403 when its credentials are missing, unknown or expired (the
 * reason says which); a key that lacks a scope is admitted and each operation answers FORBIDDEN.
 */
function closeCodeName(code) {
  return code === 4401 || code === 4403 ? 'UNAUTHENTICATED' : 'CLOSED_' + code;
}
