// The executable schema: imports every type file, then builds. Only the gateway imports this.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './date-time.ts';
import './model-invocation-job-status.ts';
import './data-config.ts';
import './model-invocation-job.ts';
import './model-invocation-job-status-change.ts';

builder.queryType({});
builder.subscriptionType({});

export const schema = lexicographicSortSchema(builder.toSchema());
