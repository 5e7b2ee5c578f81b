// The start-up baseline: a bare graphql-yoga server on node:http, plain JavaScript started with
// `node`, as `npm start` starts the compiled gateway. It answers /healthz like the gateway does.
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
  healthCheckEndpoint: '/healthz',
  logging: false,
});
createServer(yoga).listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
