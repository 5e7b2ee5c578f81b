// The response cache: a query whose answer is made only of finished jobs is answered from memory
// the next time the same credentials send it, without parsing, validating or executing it.
// Finished jobs never change, so such an answer cannot go stale; anything else is never cached.
//
// Safety rules, each covered by test/response-cache.test.ts:
// - Entries are keyed by a hash of the query, its variables and the credential headers
//   (`authorization`, `x-api-key`), so two credentials never share one, whatever the auth
//   plugins in front decide.
// - Only queries whose root fields all just load jobs (CACHEABLE_ROOT_FIELDS) and whose loaded
//   jobs are all finished are stored; mutations, lists, introspection and subscriptions never are.
// - An answer with any error (NOT_FOUND included) is never stored.
import { hash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Kind, getOperationAST, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createInMemoryCache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { credentialSession } from '../access/credential-session.ts';
import { CACHEABLE_ROOT_FIELDS } from '../schema/cacheability.ts';
import type { Context } from '../schema/context.ts';
import type { GatewayServerContext } from '../http/server-context.ts';

export interface ResponseCacheOptions {
  /** Most query responses kept (per credential, only those whose jobs are all finished); 0 turns the cache off. */
  maxEntries: number;
  /** How long a cached response is served; bounds how long it outlives a revoked credential. */
  ttlMs: number;
}

export interface ResponseCachePluginOptions extends ResponseCacheOptions {
  /** Told of each request answered from the cache, with its response, before that is sent. */
  onHit?(serverContext: GatewayServerContext & { res?: ServerResponse }, response: Response): void;
}

// How the response cache marks the results it serves (@graphql-yoga/plugin-response-cache 3.x).
const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

/**
 * Yoga plugin. List it after every plugin that authenticates or limits requests: a hit is
 * answered in `onParams`, before context building and execution, so those checks must run in
 * `onRequest`/`onParams` to apply to cached answers too.
 */
export function createResponseCachePlugin(options: ResponseCachePluginOptions): Plugin<{}, GatewayServerContext> {
  const cache = createInMemoryCache({ max: options.maxEntries });
  const hits = new WeakSet<Request>();
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        useResponseCache({
          cache,
          ttl: options.ttlMs,
          // HTTP only: graphql-ws operations carry no Fetch request, and subscriptions are
          // never cached anyway.
          enabled: (request) => request !== undefined,
          session: (request) => credentialSession((name) => request.headers.get(name)),
          // One synchronous SHA-256 of an unambiguous string (the default hashes through WebCrypto,
          // asynchronously). The key is also the ETag clients see, so the credentials stay hashed.
          buildResponseCacheKey: ({ documentString, operationName, variableValues, sessionId }) => {
            let text: string;
            try {
              text = JSON.stringify([documentString, operationName ?? null, variableValues ?? null, sessionId ?? null]);
            } catch {
              // Variables too deep to serialise (a hostile request): a key nothing else can match.
              return randomUUID();
            }
            return hash('sha256', text);
          },
          // Only the context knows whether every job served was finished; 0 means "do not store".
          onTtl: ({ ttl, context }) => ((context as Partial<Context>).cacheability?.cacheable ? ttl : 0),
          // Cached answers are only ever finished jobs, which no mutation can change.
          invalidateViaMutation: false,
          includeExtensionMetadata: false,
        }),
      );
    },
    onResultProcess({ request, result }) {
      if ((result as { [SERVED_FROM_CACHE]?: boolean })[SERVED_FROM_CACHE]) hits.add(request);
    },
    onResponse({ request, response, serverContext }) {
      if (hits.has(request)) options.onHit?.(serverContext, response);
    },
    onExecute({ args }) {
      const context = args.contextValue as Partial<Context>;
      if (!onlyCacheableRootFields(args.document, args.operationName ?? undefined)) context.cacheability?.markVolatile();
    },
  };
}

/** True for a query whose root fields (through fragments) are all in CACHEABLE_ROOT_FIELDS. */
function onlyCacheableRootFields(document: DocumentNode, operationName: string | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query') return false;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const seen = new Set<string>();
  const check = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.every((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return CACHEABLE_ROOT_FIELDS.has(selection.name.value);
        case Kind.INLINE_FRAGMENT:
          return check(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          if (seen.has(name)) return true;
          seen.add(name);
          const fragment = fragments.get(name);
          return fragment !== undefined && check(fragment.selectionSet);
        }
      }
    });
  return check(operation.selectionSet);
}
