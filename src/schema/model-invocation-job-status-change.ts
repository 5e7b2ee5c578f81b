// ModelInvocationJobStatusChange and the subscription that streams a job's status changes.
import type { JobChange } from '../subscriptions/job-feed.ts';
import { builder } from './builder.ts';
import { DateTime } from './date-time.ts';
import { JOB_IDENTIFIER, ModelInvocationJobRef } from './model-invocation-job.ts';
import { ModelInvocationJobStatusEnum } from './model-invocation-job-status.ts';
import { ModelInvocationJobFilterInput, toJobFilter } from './model-invocation-job-filter.ts';

const ModelInvocationJobStatusChangeRef = builder
  .objectRef<JobChange>('ModelInvocationJobStatusChange')
  .implement({
    description: 'A status a job was observed in.',
    fields: (t) => ({
      job: t.field({ type: ModelInvocationJobRef, description: 'The job as observed.', resolve: (change) => change.job }),
      status: t.field({
        type: ModelInvocationJobStatusEnum,
        nullable: true,
        description: 'The status observed (the same as `job.status`).',
        resolve: (change) => change.job.status,
      }),
      previousStatus: t.field({
        type: ModelInvocationJobStatusEnum,
        nullable: true,
        description: "The status of this stream's previous event; null on the first event.",
        resolve: (change) => change.previousStatus,
      }),
      observedAt: t.field({
        type: DateTime,
        description: 'When the gateway observed this state.',
        resolve: (change) => change.observedAt,
      }),
    }),
  });

builder.subscriptionFields((t) => ({
  modelInvocationJobStatusChanged: t.field({
    type: ModelInvocationJobStatusChangeRef,
    description:
      'The current status at once (previousStatus null), then one event per status change, in order; completes after a terminal status. However many clients watch a job, it is refreshed once per poll interval.',
    args: { jobIdentifier: t.arg.string({ required: true, description: JOB_IDENTIFIER }) },
    subscribe: (_, { jobIdentifier }, { feed, jobs }) => feed.follow(jobs.identifiers.normalise(jobIdentifier), 'status', jobs.caller),
    resolve: (change) => change,
  }),
}));

builder.subscriptionFields((t) => ({
  modelInvocationJobsChanged: t.field({
    type: ModelInvocationJobStatusChangeRef,
    description:
      'Every status change of any job matching the filter, including jobs created after the subscription started (previousStatus null for a job seen for the first time). The account is polled with ListModelInvocationJobs pages, shared by all such subscribers.',
    args: {
      filter: t.arg({
        type: ModelInvocationJobFilterInput,
        description: 'Which jobs to report, checked as modelInvocationJobs checks its filter; every job when absent.',
      }),
    },
    subscribe: (_, { filter }, { feed }) => feed.followAccount(toJobFilter(filter)),
    resolve: (change) => change,
  }),
}));
