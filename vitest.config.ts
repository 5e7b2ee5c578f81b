import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 has no "exports" map: Node (and so Pothos, loaded by Node) takes its CommonJS
    // entry while Vite would take index.mjs, and two copies of graphql cannot share a schema.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Test files share a worker's module cache instead of re-importing the AWS SDK, graphql and
    // Yoga per file: that import was half of the suite's CPU time. Metrics registries, loaders and
    // limiters are per gateway. The only module-level state in src/ is the frames direct delivery
    // batches for the current turn of the event loop (emptied every turn) and weak maps keyed by
    // a gateway's own sockets, results and contexts (websocket/direct-delivery.ts,
    // subscriptions/shared-execution-plugin.ts): nothing a test can leak into the next. No test
    // mocks modules.
    isolate: false,
  },
});
