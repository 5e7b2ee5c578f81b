// A benchmark child: the baseline, a bare graphql-yoga server with default options on node:http,
// answering a trivial query. Whatever the gateway costs on top of this is its overhead.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { serveParent } from './child.ts';

export const BARE_QUERY = '{ hello }';

const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
  logging: false,
});
const server = createServer(yoga);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveParent({ url: `http://127.0.0.1:${port}` }, () => null);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
