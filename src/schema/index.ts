// The executable schema: imports every type file, then builds. Only the gateway imports this.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './date-time.ts';
import './model-invocation-job-status.ts';
import './data-config.ts';
import './model-invocation-job.ts';
import './model-invocation-job-status-change.ts';

// Scopes live on the root types, so a new field is covered without doing anything.
builder.queryType({ authScopes: { jobsRead: true } });
builder.subscriptionType({ authScopes: { jobsRead: true } });
// With the first mutation field, add:
//   builder.mutationType({ authScopes: { jobsWrite: true } });
// Not before: Pothos prints a Mutation type without fields, which graphql-js rejects as an
// invalid schema on every request.

export const schema = lexicographicSortSchema(builder.toSchema());
