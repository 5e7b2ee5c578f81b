// Who is asking, as a hash: the credential headers (and, on graphql-ws, the connection params
// a client authenticates with). Caches that may hold one caller's answers key by it, so that
// answers are only ever shared between requests that present the same credentials.
import { createHash } from 'node:crypto';

/** The request headers that carry a caller's credentials. */
export const CREDENTIAL_HEADERS = ['authorization', 'x-api-key'] as const;

/**
 * A SHA-256 of the credential headers, read with `header`, and of `connectionParams` when given.
 * Callers without credentials all share one session, which is right: they present the same
 * (no) credentials.
 */
export function credentialSession(header: (name: string) => string | null | undefined, connectionParams?: unknown): string {
  const hash = createHash('sha256');
  for (const name of CREDENTIAL_HEADERS) hash.update(`${name}\0${header(name) ?? ''}\0`);
  if (connectionParams !== undefined) hash.update(JSON.stringify(connectionParams) ?? '');
  return hash.digest('hex');
}

/** The session of an operation's context: Yoga's Fetch `request` or graphql-ws's upgrade `req`. */
export function sessionOfContext(context: {
  request?: Request;
  req?: { headers: Record<string, string | string[] | undefined> };
  connectionParams?: unknown;
}): string {
  const { request, req } = context;
  const header = (name: string) => {
    const value = request ? request.headers.get(name) : req?.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return credentialSession(header, context.connectionParams);
}
