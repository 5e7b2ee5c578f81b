// Status and the other enums of a job: GraphQL names are the SDK's enum keys, internal values
// are the wire strings, so resolvers pass upstream values through untouched.
import type { ModelInvocationJobStatus, ModelInvocationType, S3InputFormat } from '../bedrock/job.ts';
import { builder } from './builder.ts';

// `satisfies` makes an SDK upgrade that adds a status a compile error here.
const statusValues = {
  SUBMITTED: { value: 'Submitted', description: 'Submitted to a queue for validation.' },
  VALIDATING: { value: 'Validating', description: 'Input files and the service role are being validated.' },
  SCHEDULED: { value: 'Scheduled', description: 'Validated and waiting in a queue to start.' },
  IN_PROGRESS: { value: 'InProgress', description: 'Running; results appear in the output location.' },
  COMPLETED: { value: 'Completed', description: 'Finished successfully. Terminal.' },
  PARTIALLY_COMPLETED: {
    value: 'PartiallyCompleted',
    description: 'Finished, but not every record was processed in time. Terminal.',
  },
  FAILED: { value: 'Failed', description: 'Failed; `message` says why. Terminal.' },
  STOPPING: { value: 'Stopping', description: 'A user asked to stop the job.' },
  STOPPED: { value: 'Stopped', description: 'Stopped by a user. Terminal.' },
  EXPIRED: { value: 'Expired', description: 'Scheduled but did not start before its timeout. Terminal.' },
} as const satisfies Record<keyof typeof ModelInvocationJobStatus, { value: ModelInvocationJobStatus; description: string }>;

export const ModelInvocationJobStatusEnum = builder.enumType('ModelInvocationJobStatus', {
  description: 'Where a batch inference job is in its lifecycle.',
  values: statusValues,
});

export const ModelInvocationTypeEnum = builder.enumType('ModelInvocationType', {
  description: 'The runtime API the job invokes the model with.',
  values: {
    InvokeModel: { value: 'InvokeModel', description: "Each record's modelInput is the model's own InvokeModel request body." },
    Converse: { value: 'Converse', description: "Each record's modelInput is a Converse API request (messages, system, inferenceConfig)." },
  } as const satisfies Record<keyof typeof ModelInvocationType, { value: ModelInvocationType; description: string }>,
});

export const S3InputFormatEnum = builder.enumType('S3InputFormat', {
  description: 'The format of the input files.',
  values: {
    JSONL: { value: 'JSONL', description: 'JSON Lines: one JSON object per line, `{"recordId": …, "modelInput": …}`.' },
  } as const satisfies Record<keyof typeof S3InputFormat, { value: S3InputFormat; description: string }>,
});
