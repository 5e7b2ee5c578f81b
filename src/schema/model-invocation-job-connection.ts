// ModelInvocationJobConnection: Relay-style pages over ListModelInvocationJobs, and the query.
import { MAX_PAGE_SIZE, listJobPage, type JobConnection, type JobEdge } from '../bedrock/job-pages.ts';
import { builder } from './builder.ts';
import { ModelInvocationJobRef } from './model-invocation-job.ts';
import { ModelInvocationJobFilterInput, SortOrderEnum, toJobFilter } from './model-invocation-job-filter.ts';

const DEFAULT_PAGE_SIZE = 100;

const PageInfoRef = builder.objectRef<JobConnection['pageInfo']>('PageInfo').implement({
  description: 'Where a page sits in the whole list.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
    startCursor: t.exposeString('startCursor', { nullable: true }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Pass as `after` for the next page.' }),
  }),
});

const EdgeRef = builder.objectRef<JobEdge>('ModelInvocationJobEdge').implement({
  fields: (t) => ({
    node: t.field({ type: ModelInvocationJobRef, resolve: (edge) => edge.node }),
    cursor: t.exposeString('cursor', { description: 'Opaque; pass as `after` to continue after this job.' }),
  }),
});

const ConnectionRef = builder.objectRef<JobConnection>('ModelInvocationJobConnection').implement({
  description: 'A page of jobs.',
  fields: (t) => ({
    edges: t.field({ type: [EdgeRef], resolve: (connection) => connection.edges }),
    nodes: t.field({
      type: [ModelInvocationJobRef],
      description: 'The jobs of `edges`, for clients that need no cursors.',
      resolve: (connection) => connection.edges.map((edge) => edge.node),
    }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (connection) => connection.pageInfo }),
  }),
});

builder.queryFields((t) => ({
  modelInvocationJobs: t.field({
    type: ConnectionRef,
    description: `Jobs of the account, newest first unless sortOrder says otherwise, ${DEFAULT_PAGE_SIZE} a page unless \`first\` says otherwise (1–${MAX_PAGE_SIZE}). A page of up to ${MAX_PAGE_SIZE} jobs costs one ListModelInvocationJobs call; asking for a listed job again in the same operation costs none.`,
    args: {
      filter: t.arg({ type: ModelInvocationJobFilterInput }),
      sortOrder: t.arg({ type: SortOrderEnum, defaultValue: 'Descending' }),
      first: t.arg.int({ defaultValue: DEFAULT_PAGE_SIZE }),
      after: t.arg.string(),
    },
    resolve: (_, args, { jobs, loaders }) => {
      const connection = listJobPage(jobs, {
        filter: toJobFilter(args.filter),
        sortOrder: args.sortOrder ?? 'Descending',
        first: args.first ?? DEFAULT_PAGE_SIZE,
        after: args.after ?? undefined,
      });
      loaders.job.primeFrom(connection.then((page) => page.edges.map((edge) => edge.node)));
      return connection;
    },
  }),
}));
