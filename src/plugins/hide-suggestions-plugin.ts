// "Did you mean …?" hints name fields, arguments, types, enum values and input fields a client
// did not ask about, so they tell as much about the schema as introspection does. With
// introspection off they are left out of every error, on HTTP and graphql-ws alike: those of
// validation (graphql-js's own `hideSuggestions`) and those of variable coercion, which runs at
// execution.
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

// graphql-js's didYouMean: ` Did you mean "a", "b", or "c"?`, or `… the enum value "A"?`.
// Suggested names are GraphQL names, which never contain a question mark.
const SUGGESTION = /\s*Did you mean [^?]*\?/;
const SUGGESTIONS = new RegExp(SUGGESTION.source, 'g');

export function createHideSuggestionsPlugin(): Plugin {
  return {
    onValidate({ validateFn, setValidationFn }) {
      // Yoga and the graphql-ws transport pass the schema and document only (envelop would pass
      // a TypeInfo where graphql-js 16.15 takes its options).
      setValidationFn((schema, document, rules) => validateFn(schema, document, rules, { hideSuggestions: true }));
    },
    // Yoga's executor (@graphql-tools/executor) coerces variables with graphql-js's
    // coerceInputValue without passing `hideSuggestions` on, so the suggestions for enum values
    // and input fields in variables are cut from its errors here.
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          const cleaned = withoutSuggestions(result);
          if (cleaned !== result) setResult(cleaned);
        },
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          const cleaned = withoutSuggestions(result);
          if (cleaned !== result) setResult(cleaned);
        },
      };
    },
  };
}

function withoutSuggestions(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.some((error) => SUGGESTION.test(error.message))) return result;
  return { ...result, errors: result.errors.map(withoutSuggestion) };
}

function withoutSuggestion(error: GraphQLError): GraphQLError {
  if (!SUGGESTION.test(error.message)) return error;
  const { nodes, source, positions, path, extensions } = error;
  // Not the original error: its message has the suggestion too.
  return new GraphQLError(error.message.replace(SUGGESTIONS, ''), { nodes, source, positions, path, extensions });
}
