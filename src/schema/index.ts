// The executable schema: imports every type file, then builds. Only the gateway imports this.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './date-time.ts';
import './safe-int.ts';
import './json.ts';
import './model-invocation-job-status.ts';
import './data-config.ts';
import './model-invocation-job.ts';
import './job-timing.ts';
import './model-invocation-job-status-change.ts';
import './model-invocation-job-filter.ts';
import './model-invocation-job-connection.ts';
import './results.ts';
import './create-model-invocation-job.ts';
import './retry-failed-records.ts';
import './viewer.ts';

// Scopes live on the root types, so a new field is covered without doing anything.
builder.queryType({
  description: 'Read batch inference jobs: one, many by identifier, or pages of the account. Needs the jobs:read scope, except `viewer`.',
  authScopes: { jobsRead: true },
});
builder.mutationType({
  description: 'Create and stop batch inference jobs, and retry their failed records. Needs the jobs:write scope (retryFailedRecords results:read too).',
  authScopes: { jobsWrite: true },
});
builder.subscriptionType({
  description: 'Live job changes over graphql-ws or server-sent events. Needs the jobs:read scope.',
  authScopes: { jobsRead: true },
});

export const schema = lexicographicSortSchema(builder.toSchema());
