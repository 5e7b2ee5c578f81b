// Relay-style pages over ListModelInvocationJobs. Cursors are opaque to clients: the upstream
// nextToken (or, for an edge inside a page, where that page started and how far into it), bound
// to the filter and sort order they were issued for.
import { ErrorCode, createGatewayError } from '../errors.ts';
import type { JobFilter, ModelInvocationJob } from './job.ts';
import type { JobsApi } from './jobs.ts';

export type SortOrder = 'Ascending' | 'Descending';

export interface JobPageRequest {
  filter: JobFilter;
  sortOrder: SortOrder;
  /** 1 to 1000 (the API's maxResults). */
  first: number;
  after?: string;
}

export interface JobEdge {
  node: ModelInvocationJob;
  cursor: string;
}

export interface JobConnection {
  edges: JobEdge[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Where to resume: upstream token of a page, the page size used, and items of it to skip. */
interface Position {
  token?: string;
  size: number;
  skip: number;
}

interface Cursor extends Position {
  /** Fingerprint of filter and sort order the cursor belongs to. */
  scope: string;
}

export const MAX_PAGE_SIZE = 1000;

export async function listJobPage(jobs: JobsApi, request: JobPageRequest): Promise<JobConnection> {
  const { filter, sortOrder, first } = request;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw createGatewayError(ErrorCode.BAD_USER_INPUT, `first must be from 1 to ${MAX_PAGE_SIZE} (got ${first})`, {
      argument: 'first',
    });
  }
  const scope = scopeOf(filter, sortOrder);
  let position: Position = request.after ? decodeCursor(request.after, scope) : { size: first, skip: 0 };
  const edges: JobEdge[] = [];
  let more = true;

  while (edges.length < first && more) {
    // Resuming inside a page must ask for the same page again; otherwise ask for what is missing.
    const size = position.skip > 0 ? position.size : first - edges.length;
    const page = await jobs.listJobs({ ...filter, sortOrder, maxResults: size, nextToken: position.token });
    const taken = page.jobs.slice(position.skip, position.skip + first - edges.length);
    taken.forEach((node, k) => {
      const index = position.skip + k + 1;
      const endOfPage = index === page.jobs.length && page.nextToken !== undefined;
      const cursor = endOfPage
        ? { scope, token: page.nextToken, size: first, skip: 0 }
        : { scope, token: position.token, size, skip: index };
      edges.push({ node, cursor: encodeCursor(cursor) });
    });
    const consumedPage = position.skip + taken.length >= page.jobs.length;
    more = !consumedPage || page.nextToken !== undefined;
    position = consumedPage ? { token: page.nextToken, size: first, skip: 0 } : position;
    if (!consumedPage) break;
  }

  return {
    edges,
    pageInfo: {
      hasNextPage: more,
      hasPreviousPage: request.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(value: string, scope: string): Position {
  let cursor: Partial<Cursor> | undefined;
  try {
    cursor = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    cursor = undefined;
  }
  const valid =
    cursor &&
    typeof cursor.size === 'number' &&
    typeof cursor.skip === 'number' &&
    (cursor.token === undefined || typeof cursor.token === 'string');
  if (!valid) {
    throw createGatewayError(ErrorCode.BAD_USER_INPUT, 'after is not a cursor this API issued', { argument: 'after' });
  }
  if (cursor!.scope !== scope) {
    throw createGatewayError(
      ErrorCode.BAD_USER_INPUT,
      'after belongs to a different filter or sortOrder; page with the arguments that issued it',
      { argument: 'after' },
    );
  }
  return { token: cursor!.token, size: cursor!.size!, skip: cursor!.skip! };
}

function scopeOf(filter: JobFilter, sortOrder: SortOrder): string {
  const text = JSON.stringify([
    sortOrder,
    filter.statusEquals,
    filter.nameContains,
    filter.submitTimeAfter?.getTime(),
    filter.submitTimeBefore?.getTime(),
  ]);
  // FNV-1a: a short fingerprint is enough to catch a cursor reused with other arguments.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}
