// What an HTTP error answer may carry beyond its message and code. Yoga answers a malformed JSON
// body with `extensions.originalError: { name, message }`, the parser's message, which quotes
// the body: a client's bytes echoed back in every mode, production included. Only with
// NODE_ENV=development (the documented detail of errors) does an answer keep the message; other
// modes keep the name alone (`SyntaxError`), which also keeps Yoga's status: it answers 400, not
// 200, for an error whose `originalError` is not a GraphQL error.
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

export interface ErrorDetailsOptions {
  /** Keep the message of `originalError` (NODE_ENV=development). */
  exposeDetails: boolean;
}

export function createErrorDetailsPlugin({ exposeDetails }: ErrorDetailsOptions): Plugin {
  if (exposeDetails) return {};
  return {
    onResultProcess({ result, setResult }) {
      // A stream's events are masked as they go (no originalError outside development).
      // Most answers have no error: they pass untouched, with no setResult.
      if (isAsyncIterable(result)) return;
      if (Array.isArray(result)) {
        const cleaned = result.map(withoutOriginalErrors);
        if (cleaned.some((one, i) => one !== result[i])) setResult(cleaned);
      } else {
        const cleaned = withoutOriginalErrors(result);
        if (cleaned !== result) setResult(cleaned);
      }
    },
  };
}

function withoutOriginalErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.some(hasOriginalError)) return result;
  return { ...result, errors: result.errors.map((error) => (hasOriginalError(error) ? withNameOnly(error) : error)) };
}

const hasOriginalError = (error: GraphQLError) => error.extensions?.originalError != null;

function withNameOnly(error: GraphQLError): GraphQLError {
  const { name } = error.extensions.originalError as { name?: unknown };
  const extensions = { ...error.extensions, originalError: { name: typeof name === 'string' ? name : 'Error' } };
  const { nodes, source, positions, path } = error;
  return new GraphQLError(error.message, { nodes, source, positions, path, extensions });
}
