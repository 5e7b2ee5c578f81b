// Who is asking: the credential headers (and, on graphql-ws, the connection params a client
// authenticates with) as one string. Caches that may hold one caller's answers key by it, so
// that answers are only ever shared between requests that present the same credentials.

/** The request headers that carry a caller's credentials. */
export const CREDENTIAL_HEADERS = ['authorization', 'x-api-key'] as const;

/**
 * The credentials a request presents, as one unambiguous string: the credential headers read with
 * `header`, and `connectionParams` when given. Callers without credentials all share one value,
 * which is right: they present the same (no) credentials. It holds secrets, so it only ever
 * serves as an in-memory key or goes into a hash (the response cache's keys, which clients see
 * as ETags, are SHA-256 digests).
 */
export function credentialSession(header: (name: string) => string | null | undefined, connectionParams?: unknown): string {
  return JSON.stringify([...CREDENTIAL_HEADERS.map((name) => header(name) ?? null), connectionParams ?? null]);
}

/**
 * The session of an operation's context: the authenticated principal when there is one (over
 * graphql-ws the credentials travel in connection_init, which the context does not keep), else
 * Yoga's Fetch `request` or graphql-ws's upgrade `req`.
 */
export function sessionOfContext(context: {
  principal?: { id: string };
  request?: Request;
  req?: { headers: Record<string, string | string[] | undefined> };
  connectionParams?: unknown;
}): string {
  if (context.principal) return JSON.stringify(['principal', context.principal.id]);
  const { request, req } = context;
  const header = (name: string) => {
    const value = request ? request.headers.get(name) : req?.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return credentialSession(header, context.connectionParams);
}
