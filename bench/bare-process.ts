// A benchmark child: the baseline, a bare graphql-yoga server with default options on node:http,
// answering a trivial query. Whatever the gateway costs on top of this is its overhead. With
// BARE_BODY_LIMIT=off, Yoga's request body limit is off (maxRequestBodySize: false): by default
// Yoga pipes every body through a byte-counting stream, which the gateway does without.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { serveParent } from './child.ts';

export const BARE_QUERY = '{ hello }';

const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
  logging: false,
  ...(process.env.BARE_BODY_LIMIT === 'off' ? { maxRequestBodySize: false as const } : {}),
});
const server = createServer(yoga);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveParent({ url: `http://127.0.0.1:${port}` }, () => null);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
