// Jobs as JSON text, for whatever carries them between processes (Redis cache and pub/sub).
// Dates travel as ISO strings and come back as Dates, so a job read back is the same value as the
// job fetched from Bedrock: same `jobStateKey`, same `isOlderState` answers, same serialisation.
import type { ModelInvocationJob } from './job.ts';

/** Members of a job (and of the events around it) that hold an instant. */
const DATE_MEMBERS: ReadonlySet<string> = new Set([
  'submitTime',
  'lastModifiedTime',
  'endTime',
  'jobExpirationTime',
  'observedAt',
]);

/** A JSON.parse reviver turning the known date members back into Dates, at any depth. */
export function reviveDates(key: string, value: unknown): unknown {
  if (typeof value === 'string' && DATE_MEMBERS.has(key)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return value;
}

export function jobToJson(job: ModelInvocationJob): string {
  return JSON.stringify(job);
}

export function jobFromJson(text: string): ModelInvocationJob {
  return JSON.parse(text, reviveDates) as ModelInvocationJob;
}
