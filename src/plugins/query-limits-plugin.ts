// Limits on the shape of an operation, checked before anything runs, on HTTP and graphql-ws
// alike: graphql-armor's depth, alias, token, cost and directive limits, plus introspection and
// field suggestions turned off unless allowed. A refused operation gets LIMIT_EXCEEDED naming
// the variable that sets the limit.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  getNamedType,
  isIntrospectionType,
  type ASTVisitor,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode, createGatewayError } from '../errors.ts';
import type { GatewayServerContext } from '../http/server-context.ts';
import { createHideSuggestionsPlugin } from './hide-suggestions-plugin.ts';

/** The shape limits every operation is checked against (MAX_* variables). */
export interface QueryLimits {
  /** Deepest field nesting of an operation (fragments flattened; introspection's __schema exempt). */
  maxDepth: number;
  /** Most aliases in an operation. */
  maxAliases: number;
  /** Most lexical tokens in a document. */
  maxTokens: number;
  /** Highest static cost of an operation (graphql-armor's cost model). */
  maxCost: number;
  /** Most directives in an operation. */
  maxDirectives: number;
  /** Largest request body (HTTP) or message (WebSocket), in bytes. */
  maxBodyBytes: number;
}

export interface QueryLimitsOptions {
  limits: QueryLimits;
  /** Allow introspection (and "did you mean" suggestions, which leak the same information). */
  introspection: boolean;
}

type ArmorReject = (context: ValidationContext | null, error: GraphQLError) => void;

/** Turns armor's "Syntax Error: Query depth limit of 8 exceeded, found 9." into our error. */
function limitError(error: GraphQLError, variable: string): GraphQLError {
  const detail = error.message.replace(/^Syntax Error: /, '').replace(/\.$/, '');
  return createGatewayError(ErrorCode.LIMIT_EXCEEDED, `${detail} (${variable})`, { limit: variable });
}

// Validation rules report through the context; the token limit runs inside the parser, which has
// no context, so it throws, and the parse fails with the error.
const reportAs =
  (variable: string): ArmorReject =>
  (context, error) => {
    if (context) context.reportError(limitError(error, variable));
    else throw limitError(error, variable);
  };

/** Like graphql's NoSchemaIntrospectionCustomRule, with a code and the variable to change. */
const NoIntrospection: ValidationRule = (context): ASTVisitor => ({
  Field(node) {
    const type = context.getType();
    if (type && isIntrospectionType(getNamedType(type))) {
      context.reportError(
        new GraphQLError(`Introspection is disabled on this gateway (INTROSPECTION=false); "${node.name.value}" is not allowed`, {
          nodes: node,
          extensions: { code: ErrorCode.FORBIDDEN },
        }),
      );
    }
  },
});

export function createQueryLimitsPlugins({ limits, introspection }: QueryLimitsOptions): Plugin[] {
  const common = { propagateOnRejection: false, exposeLimits: true };
  const plugins: Plugin[] = [
    {
      // Request bodies up to MAX_REQUEST_BODY_BYTES (Yoga's own maxRequestBodySize is off: it
      // pipes every body through a counting stream, a cost per request even with a Content-Length).
      onRequestParse({ request, requestParser, setRequestParser, fetchAPI, serverContext }) {
        const refuse = (detail: string) => bodyTooLarge(serverContext as GatewayServerContext, detail);
        const declared = request.headers.get('content-length');
        if (declared !== null) {
          // Node's HTTP parser never reads past the Content-Length: nothing more to count.
          const length = Number(declared);
          if (length > limits.maxBodyBytes) throw refuse(`Request body of ${length} bytes exceeds the limit of ${limits.maxBodyBytes}`);
          return;
        }
        if (!request.body || !requestParser) return;
        // Chunked: read the body up to the limit, and no further.
        setRequestParser(async (chunked) => {
          const body = await readAtMost(chunked.body!, limits.maxBodyBytes);
          if (!body) throw refuse(`Request body exceeds the limit of ${limits.maxBodyBytes} bytes`);
          return requestParser(new fetchAPI.Request(chunked.url, { method: chunked.method, headers: chunked.headers, body }));
        });
      },
    },
    EnvelopArmorPlugin({
      maxDepth: { ...common, n: limits.maxDepth, flattenFragments: true, onReject: [reportAs('MAX_QUERY_DEPTH')] },
      maxAliases: { ...common, n: limits.maxAliases, onReject: [reportAs('MAX_ALIASES')] },
      maxTokens: { ...common, n: limits.maxTokens, onReject: [reportAs('MAX_TOKENS')] },
      costLimit: { ...common, maxCost: limits.maxCost, onReject: [reportAs('MAX_QUERY_COST')] },
      maxDirectives: { ...common, n: limits.maxDirectives, onReject: [reportAs('MAX_DIRECTIVES')] },
      // It hides field suggestions only; hide-suggestions-plugin.ts hides every kind.
      blockFieldSuggestion: { enabled: false },
    }) as Plugin,
  ];
  if (!introspection) {
    plugins.push({ onValidate: ({ addValidationRule }) => addValidationRule(NoIntrospection) }, createHideSuggestionsPlugin());
  }
  return plugins;
}

function bodyTooLarge(serverContext: GatewayServerContext, detail: string): GraphQLError {
  serverContext.operation?.errorCodes.add(ErrorCode.LIMIT_EXCEEDED);
  return createGatewayError(ErrorCode.LIMIT_EXCEEDED, `${detail} (MAX_REQUEST_BODY_BYTES)`, {
    limit: 'MAX_REQUEST_BODY_BYTES',
    http: { status: 413 },
  });
}

/** The whole stream, or undefined (and the stream cancelled) as soon as it passes `limit` bytes. */
async function readAtMost(stream: ReadableStream<Uint8Array>, limit: number): Promise<Buffer<ArrayBuffer> | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    length += read.value.byteLength;
    if (length > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks);
}
