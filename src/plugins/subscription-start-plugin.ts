// A subscription keeps its context for as long as it runs: once it has started, what only its
// start needed is let go (see forgetCheckedScopes in schema/context.ts).
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { forgetCheckedScopes, type Context } from '../schema/context.ts';

export function createSubscriptionStartPlugin(): Plugin {
  // The same hooks for every operation: nothing is made per subscription.
  const started = {
    onSubscribeResult({ args, result }: { args: { contextValue: unknown }; result: unknown }) {
      if (isAsyncIterable(result)) forgetCheckedScopes(args.contextValue as Context);
    },
  };
  return { onSubscribe: () => started };
}
