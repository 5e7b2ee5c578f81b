// ModelInvocationJobConnection: Relay-style pages over ListModelInvocationJobs, and the query.
import { MAX_PAGE_SIZE, listJobPage, type JobConnection, type JobEdge } from '../bedrock/job-pages.ts';
import { builder } from './builder.ts';
import { ModelInvocationJobRef } from './model-invocation-job.ts';
import { ModelInvocationJobFilterInput, SortOrderEnum, toJobFilter } from './model-invocation-job-filter.ts';

const DEFAULT_PAGE_SIZE = 100;

/** Shared by every connection (jobs, and a job's output records). */
export const PageInfoRef = builder.objectRef<JobConnection['pageInfo']>('PageInfo').implement({
  description: 'Where a page sits in the whole list.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', {
      description:
        'True when more items follow this page. For records read with a filter, true while part of the output is left to scan: the next page may then be empty.',
    }),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage', {
      description: 'True when this page continues an earlier one (it was asked for with `after`).',
    }),
    startCursor: t.exposeString('startCursor', {
      nullable: true,
      description: "The first edge's cursor; null when the page is empty.",
    }),
    endCursor: t.exposeString('endCursor', {
      nullable: true,
      description:
        "Pass it as `after` for the next page: the last edge's cursor or, for records, where a page that reached its scan limit stopped. Null when the page is empty and did not stop early.",
    }),
  }),
});

const EdgeRef = builder.objectRef<JobEdge>('ModelInvocationJobEdge').implement({
  description: 'A job in a page, with the cursor that continues after it.',
  fields: (t) => ({
    node: t.field({ type: ModelInvocationJobRef, description: 'The job.', resolve: (edge) => edge.node }),
    cursor: t.exposeString('cursor', { description: 'Opaque; pass as `after` to continue after this job.' }),
  }),
});

const ConnectionRef = builder.objectRef<JobConnection>('ModelInvocationJobConnection').implement({
  description: 'A page of jobs.',
  fields: (t) => ({
    edges: t.field({
      type: [EdgeRef],
      description: 'The jobs of this page in the requested order, each with its cursor.',
      resolve: (connection) => connection.edges,
    }),
    nodes: t.field({
      type: [ModelInvocationJobRef],
      description: 'The jobs of `edges`, for clients that need no cursors.',
      resolve: (connection) => connection.edges.map((edge) => edge.node),
    }),
    pageInfo: t.field({
      type: PageInfoRef,
      description: 'Whether more jobs follow, and the cursors to continue from.',
      resolve: (connection) => connection.pageInfo,
    }),
  }),
});

builder.queryFields((t) => ({
  modelInvocationJobs: t.field({
    type: ConnectionRef,
    description: `Jobs of the account, newest first unless sortOrder says otherwise, ${DEFAULT_PAGE_SIZE} a page unless \`first\` says otherwise (1–${MAX_PAGE_SIZE}). A page usually costs one ListModelInvocationJobs call; asking for a listed job again in the same operation costs none. Cursors are positions (submit time, then job id): every job is served once even while jobs are created or change status between pages, and a page may hold fewer than \`first\` jobs when jobs sharing a submit time cross its end (follow \`hasNextPage\`).`,
    args: {
      filter: t.arg({
        type: ModelInvocationJobFilterInput,
        description: 'Which jobs to list; every job of the account when absent.',
      }),
      sortOrder: t.arg({ type: SortOrderEnum, defaultValue: 'Descending', description: 'By submit time.' }),
      first: t.arg.int({
        defaultValue: DEFAULT_PAGE_SIZE,
        description: `How many jobs this page holds at most, 1–${MAX_PAGE_SIZE}.`,
      }),
      after: t.arg.string({
        description:
          "A cursor from a page of the same filter and sortOrder (`pageInfo.endCursor`, or any edge's `cursor`): the page starts right after it.",
      }),
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
