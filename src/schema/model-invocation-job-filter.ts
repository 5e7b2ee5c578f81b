// The filter and sort order of job lists and account-wide streams, as ListModelInvocationJobs has
// them. Both go through toJobFilter, which applies the API's rules before anything is asked upstream.
import { JOB_NAME } from '../bedrock/create-job-request.ts';
import type { JobFilter } from '../bedrock/job.ts';
import { ErrorCode, createGatewayError } from '../errors.ts';
import { builder } from './builder.ts';
import { DateTime } from './date-time.ts';
import { ModelInvocationJobStatusEnum } from './model-invocation-job-status.ts';


export const SortOrderEnum = builder.enumType('SortOrder', {
  description: 'Order by submit (creation) time.',
  values: {
    ASCENDING: { value: 'Ascending', description: 'Oldest first.' },
    DESCENDING: { value: 'Descending', description: 'Newest first (the default).' },
  } as const,
});

export const ModelInvocationJobFilterInput = builder.inputType('ModelInvocationJobFilter', {
  description: 'Which jobs to include. Every given condition must hold.',
  fields: (t) => ({
    statusEquals: t.field({ type: ModelInvocationJobStatusEnum, description: 'Only jobs in this status.' }),
    nameContains: t.string({
      description:
        'Only jobs whose name contains this text (case-sensitive). 1–63 characters: a letter or digit, then letters, digits, +, - or . as in job names.',
    }),
    submitTimeAfter: t.field({ type: DateTime, description: 'Only jobs submitted after this instant.' }),
    submitTimeBefore: t.field({ type: DateTime, description: 'Only jobs submitted before this instant.' }),
  }),
});

/**
 * The GraphQL filter argument as the data layer takes it (absent members left out). Throws
 * BAD_USER_INPUT, naming `filter.<member>`, for a value ListModelInvocationJobs would refuse.
 */
export function toJobFilter(filter: typeof ModelInvocationJobFilterInput.$inferInput | null | undefined): JobFilter {
  const result: JobFilter = {};
  if (filter?.statusEquals) result.statusEquals = filter.statusEquals;
  if (filter?.nameContains != null) result.nameContains = checkNameContains(filter.nameContains);
  if (filter?.submitTimeAfter) result.submitTimeAfter = filter.submitTimeAfter;
  if (filter?.submitTimeBefore) result.submitTimeBefore = filter.submitTimeBefore;
  return result;
}

function checkNameContains(value: string): string {
  const problem =
    value.length < 1 || value.length > 63
      ? `must be 1–63 characters (got ${value.length})`
      : !JOB_NAME.test(value)
        ? `must be a letter or digit followed by letters, digits, +, - or . (got ${JSON.stringify(value)})`
        : undefined;
  if (problem) {
    throw createGatewayError(ErrorCode.BAD_USER_INPUT, `filter.nameContains ${problem}`, { argument: 'filter.nameContains' });
  }
  return value;
}
