// DateTime: an instant, serialised as an ISO-8601 UTC string (`2026-11-29T04:47:52.000Z`).
import { ErrorCode, createGatewayError } from '../errors.ts';
import { builder } from './builder.ts';

// Accepts a date-time with an explicit zone (Z or ±hh:mm), as ISO-8601 / RFC 3339 require.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

export const DateTime = builder.scalarType('DateTime', {
  description: 'An instant in time, as an ISO-8601 UTC string such as `2026-11-29T04:47:52.000Z`.',
  serialize: (value) => new Date(value).toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' && ISO_DATE_TIME.test(value) ? new Date(value) : undefined;
    if (!date || Number.isNaN(date.getTime())) {
      throw createGatewayError(
        ErrorCode.BAD_USER_INPUT,
        `DateTime must be an ISO-8601 string with a time zone, such as 2026-01-31T12:00:00Z (got ${JSON.stringify(value)})`,
      );
    }
    return date;
  },
});
