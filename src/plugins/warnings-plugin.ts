// Warnings: what a resolver wants the caller to know about an answer that is not an error (the
// job was created, but reading it back failed). Resolvers add them to `context.warnings`; this
// plugin puts them in the result's `extensions.warnings`, beside `data`.
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../schema/context.ts';

export function createWarningsPlugin(): Plugin<Context> {
  return {
    onExecute: ({ args }) => ({
      onExecuteDone({ result, setResult }) {
        const { warnings } = args.contextValue as Context;
        if (warnings.length === 0 || !('data' in result)) return;
        setResult({ ...result, extensions: { ...result.extensions, warnings } });
      },
    }),
  };
}
