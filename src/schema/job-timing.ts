// What the gateway's own observations tell about a job's timing, which Bedrock does not report:
// startedAt, throughput, estimatedCompletionTime and the timeline (derived in bedrock/job-timing.ts
// from the history every read of the job records, on any instance).
import type { ModelInvocationJob } from '../bedrock/job.ts';
import { jobIdFromArn } from '../bedrock/job-identifier.ts';
import { estimatedCompletionOf, startedAtOf, throughputOf, timelineOf, type Throughput, type TimelineEntry } from '../bedrock/job-timing.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { DateTime } from './date-time.ts';
import { ModelInvocationJobRef } from './model-invocation-job.ts';
import { ModelInvocationJobStatusEnum } from './model-invocation-job-status.ts';

const ThroughputRef = builder.objectRef<Throughput>('ModelInvocationJobThroughput').implement({
  description: "How fast a running job processes records, measured from the gateway's own observations of its processedRecordCount.",
  fields: (t) => ({
    recordsPerMinute: t.exposeFloat('recordsPerMinute', {
      description:
        'Records processed per minute over the last `windowSeconds` (at most the last 5 minutes of observations): a burst counts spread over the window, and a pause lowers the rate as it lasts.',
    }),
    windowSeconds: t.exposeInt('windowSeconds', {
      description: 'The span of observations the rate was measured over, in whole seconds (rounded up).',
    }),
  }),
});

const TimelineEntryRef = builder.objectRef<TimelineEntry>('ModelInvocationJobTimelineEntry').implement({
  description: 'A status the job went through, and when.',
  fields: (t) => ({
    status: t.field({ type: ModelInvocationJobStatusEnum, description: 'The status.', resolve: (entry) => entry.status }),
    at: t.field({
      type: DateTime,
      description: 'When the gateway first observed the job in this status; or, when `observed` is false, the time Bedrock reports for it.',
      resolve: (entry) => entry.at,
    }),
    observed: t.exposeBoolean('observed', {
      description:
        "True when the gateway saw the job in this status at `at`; false for an entry derived from Bedrock's own times for a job seen late: SUBMITTED at submitTime, the final status at endTime.",
    }),
  }),
});

const historyOf = (job: ModelInvocationJob, context: Context) => context.loaders.history.load(jobIdFromArn(job.jobArn));

builder.objectFields(ModelInvocationJobRef, (t) => ({
  startedAt: t.field({
    type: DateTime,
    nullable: true,
    description:
      'Derived: when the gateway first observed the job IN_PROGRESS (Bedrock does not report a start time); null if it never saw the job running.',
    resolve: async (job, _, context) => startedAtOf(await historyOf(job, context)),
  }),
  throughput: t.field({
    type: ThroughputRef,
    nullable: true,
    description: 'Derived: how fast the job processes records; null unless it is IN_PROGRESS and was observed running at least twice.',
    resolve: async (job, _, context) => throughputOf(job, await historyOf(job, context)),
  }),
  estimatedCompletionTime: t.field({
    type: DateTime,
    nullable: true,
    description:
      'Derived: when the job should finish at its current throughput (the records left over the rate, from the last observation); null unless it is IN_PROGRESS with a positive rate and a known totalRecordCount.',
    resolve: async (job, _, context) => estimatedCompletionOf(job, await historyOf(job, context)),
  }),
  timeline: t.field({
    type: [TimelineEntryRef],
    description:
      'Derived: the statuses the job went through, oldest first, each with when it was first observed (see `observed` for entries taken from Bedrock\'s own times). Always holds SUBMITTED and the current status.',
    resolve: async (job, _, context) => timelineOf(job, await historyOf(job, context)),
  }),
}));
