// Relay-style pages over ListModelInvocationJobs. A cursor is a keyset position, the submit time
// and id of its edge's job, bound to the filter and sort order it was issued for. Bedrock's
// nextToken never goes into one: what it does when jobs are created or change status between
// pages is not documented. The next page asks again from the cursor's submit time on, orders what
// comes back by (submit time, job id) itself and serves only jobs past the cursor, so every job
// is served once however the list changes between pages.
import { ErrorCode, createGatewayError } from '../errors.ts';
import type { JobFilter, ModelInvocationJob } from './job.ts';
import { jobIdFromArn, parseJobId } from './job-identifier.ts';
import type { JobsApi, ListJobsInput } from './jobs.ts';

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

/** Where a job sits in the list: submit time (ms, as the SDK parses it), ties broken by job id. */
interface Key {
  t: number;
  id: string;
}

interface Keyed {
  job: ModelInvocationJob;
  key: Key;
}

/** Negative when `a` comes first in the requested order. */
type Order = (a: Key, b: Key) => number;

export const MAX_PAGE_SIZE = 1000;

// Cursor times must stay valid ISO-8601 dates with four-digit years once widened by 1 ms.
const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 998);

export async function listJobPage(jobs: JobsApi, request: JobPageRequest): Promise<JobConnection> {
  const { filter, sortOrder, first } = request;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw createGatewayError(ErrorCode.BAD_USER_INPUT, `first must be from 1 to ${MAX_PAGE_SIZE} (got ${first})`, {
      argument: 'first',
    });
  }
  const scope = scopeOf(filter, sortOrder);
  const from = request.after === undefined ? undefined : decodeCursor(request.after, scope);
  const order = orderOf(sortOrder);
  // One job more than asked tells whether another page follows; after a cursor, one more again
  // for the cursor's own job, which the widened bound reads a second time.
  const size = Math.min(first + (from ? 2 : 1), MAX_PAGE_SIZE);
  const { ready, heldBack } = await readPast(jobs, { ...boundedFrom(filter, sortOrder, from), sortOrder }, from, order, size);
  const edges = ready.slice(0, first).map(({ job, key }) => ({ node: job, cursor: encodeCursor(scope, key) }));

  return {
    edges,
    pageInfo: {
      hasNextPage: ready.length > first || heldBack,
      hasPreviousPage: request.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * Jobs past `from`, in order, as far as they are known complete. Bedrock orders by submit time
 * but says nothing of ties, so while more pages follow, the jobs sharing the last time read may
 * be only some of their group: they are held back for the next page. Only when a page holds
 * nothing else is the list read on, with its nextToken, until the group is whole.
 */
async function readPast(jobs: JobsApi, input: ListJobsInput, from: Key | undefined, order: Order, size: number) {
  // By id: a nextToken that shifted between two reads may repeat a job.
  const found = new Map<string, Keyed>();
  let last: Key | undefined;
  let nextToken: string | undefined;
  let maxResults = size;
  for (;;) {
    const page = await jobs.listJobs({ ...input, maxResults, nextToken });
    for (const job of page.jobs) {
      const key = keyOf(job);
      if (!last || order(key, last) > 0) last = key;
      if (!from || order(key, from) > 0) found.set(key.id, { job, key });
    }
    const sorted = [...found.values()].sort((a, b) => order(a.key, b.key));
    if (page.nextToken === undefined) return { ready: sorted, heldBack: false };
    const ready = sorted.filter(({ key }) => key.t !== last?.t);
    if (ready.length > 0) return { ready, heldBack: true };
    nextToken = page.nextToken;
    // The rest of a tie group may be long: read it in the largest pages.
    maxResults = MAX_PAGE_SIZE;
  }
}

const keyOf = (job: ModelInvocationJob): Key => ({ t: job.submitTime.getTime(), id: jobIdFromArn(job.jobArn) });

function orderOf(sortOrder: SortOrder): Order {
  const sign = sortOrder === 'Ascending' ? 1 : -1;
  return (a, b) => sign * (a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The user's filter narrowed to the cursor's submit time and beyond (the tighter of the two
 * bounds). Bedrock documents "submitted after/before" without saying whether the instant itself
 * counts, and the SDK rounds a finer time to the millisecond: 1 ms of slack keeps the cursor's
 * whole millisecond in under either reading, and the keyset drops what was served.
 */
function boundedFrom(filter: JobFilter, sortOrder: SortOrder, from: Key | undefined): JobFilter {
  if (!from) return filter;
  if (sortOrder === 'Descending') {
    const before = from.t + 1;
    const own = filter.submitTimeBefore;
    return { ...filter, submitTimeBefore: own && own.getTime() < before ? own : new Date(before) };
  }
  const after = from.t - 1;
  const own = filter.submitTimeAfter;
  return { ...filter, submitTimeAfter: own && own.getTime() > after ? own : new Date(after) };
}

/** A cursor is `[scope, submit time, job id]` as JSON in base64url. */
const encodeCursor = (scope: string, { t, id }: Key) => Buffer.from(JSON.stringify([scope, t, id])).toString('base64url');

// Cursors carry no signature: every field is checked, and a cursor must encode back to the very
// text given, so an edited one is refused unless it is exactly one this code could have issued.
// Such a forgery (its scope recomputed, say) only chooses where a list the caller may read
// anyway starts: nothing else travels in a cursor, Bedrock's nextToken least of all.
function decodeCursor(value: string, scope: string): Key {
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    fields = undefined;
  }
  const [issuedFor, t, id] = Array.isArray(fields) && fields.length === 3 ? fields : [];
  const valid =
    typeof issuedFor === 'string' &&
    Number.isSafeInteger(t) &&
    t >= 0 &&
    t <= LATEST_TIME &&
    typeof id === 'string' &&
    parseJobId(id) === id &&
    encodeCursor(issuedFor, { t, id }) === value;
  if (!valid) {
    throw createGatewayError(ErrorCode.BAD_USER_INPUT, 'after is not a cursor this API issued', { argument: 'after' });
  }
  if (issuedFor !== scope) {
    throw createGatewayError(
      ErrorCode.BAD_USER_INPUT,
      'after belongs to a different filter or sortOrder; page with the arguments that issued it',
      { argument: 'after' },
    );
  }
  return { t, id };
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
