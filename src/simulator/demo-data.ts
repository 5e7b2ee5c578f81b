// What a fresh simulator shows when nobody told it otherwise: plausible models and names for
// generated jobs, and the demo jobs (so that GraphiQL on top of it has something to show) — a few
// finished jobs of every kind, a few running ones, and a modest stream of new submissions that
// replaces running demo jobs as they finish. Demo jobs have their JSONL input in the simulator's
// S3 (generated when first read), and the finished ones their outputs: the partially completed
// one has enough failed records (over Bedrock's minimum of 100) to be retried on first start.
import type { SimulatorEngine } from './engine.ts';
import { madeUpInput } from './job-data/job-records.ts';
import { isTerminalStatus, type JobOutcome } from './lifecycle.ts';
import type { ObjectStore } from './s3/object-store.ts';
import type { SimulatedJob } from './simulated-job.ts';

/** Models a generated job runs on, unless it names one. */
export const DEMO_MODELS = [
  'anthropic.claude-3-haiku-20240307-v1:0',
  'anthropic.claude-3-5-sonnet-20240620-v1:0',
  'anthropic.claude-3-5-haiku-20241022-v1:0',
  'amazon.nova-lite-v1:0',
  'amazon.nova-pro-v1:0',
  'meta.llama3-1-70b-instruct-v1:0',
  'mistral.mistral-large-2407-v1:0',
  'amazon.titan-embed-text-v2:0',
] as const;

/** Stems of a generated job's name, which ends in part of its id. */
export const DEMO_NAME_STEMS = [
  'support-ticket-triage',
  'product-review-sentiment',
  'invoice-field-extraction',
  'catalog-description-rewrite',
  'call-transcript-summaries',
  'search-query-embeddings',
  'contract-clause-tagging',
  'faq-answer-drafts',
] as const;

/** Where the demo jobs' inputs and outputs live: `input/<jobName>.jsonl`, `output/<jobName>/<jobId>/`. */
export const DEMO_BUCKET = 'acme-ml-batch';

/** Running demo jobs kept going at once. */
const LIVE_DEMO_JOBS = 3;
/** Replacement submissions per process, so a long-running demo doesn't grow without bound. */
const MAX_REPLACEMENTS = 200;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface DemoJob {
  /** Members of the job; its S3 locations follow from the name. */
  job: Omit<Partial<SimulatedJob>, 'submitTime' | 'lastModifiedTime'> & { jobName: string; modelId: string };
  outcome: JobOutcome;
  /** How long ago it was submitted (ms). @default 0 */
  submittedAgo?: number;
  /** How long ago it last changed (ms). @default as submitted */
  modifiedAgo?: number;
  /** Kept running: replaced by a new demo job when it finishes. */
  live?: boolean;
}

const DEMO_JOBS: readonly DemoJob[] = [
  {
    job: {
      jobName: 'support-ticket-triage-2024-06',
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      status: 'Completed',
      totalRecordCount: 12_000,
    },
    outcome: 'Completed',
    submittedAgo: 26 * HOUR,
    modifiedAgo: 22 * HOUR,
  },
  {
    job: {
      jobName: 'product-review-sentiment-q2',
      modelId: 'amazon.nova-lite-v1:0',
      status: 'PartiallyCompleted',
      totalRecordCount: 4_800,
      processedRecordCount: 4_800,
      successRecordCount: 4_488,
      errorRecordCount: 312,
      modelInvocationType: 'Converse',
    },
    outcome: 'PartiallyCompleted',
    submittedAgo: 9 * HOUR,
    modifiedAgo: 7 * HOUR,
  },
  {
    job: {
      jobName: 'invoice-field-extraction-17',
      modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      status: 'Failed',
      message: 'Unable to read the input file: access denied to the S3 location. Check the permissions of the service role.',
    },
    outcome: 'Failed',
    submittedAgo: 5 * HOUR,
    modifiedAgo: 5 * HOUR - 4 * MINUTE,
  },
  {
    job: {
      jobName: 'catalog-description-rewrite-de',
      modelId: 'mistral.mistral-large-2407-v1:0',
      status: 'Stopped',
      totalRecordCount: 2_500,
    },
    outcome: 'Completed',
    submittedAgo: 3 * HOUR,
    modifiedAgo: 2 * HOUR,
  },
  {
    job: {
      jobName: 'call-transcript-summaries-weekly',
      modelId: 'meta.llama3-1-70b-instruct-v1:0',
      status: 'Expired',
      timeoutDurationInHours: 72,
      totalRecordCount: 3_000,
    },
    outcome: 'Expired',
    submittedAgo: 4 * 24 * HOUR,
    modifiedAgo: 24 * HOUR,
  },
  {
    job: {
      jobName: 'search-query-embeddings-refresh',
      modelId: 'amazon.titan-embed-text-v2:0',
      status: 'InProgress',
      totalRecordCount: 2_000,
    },
    outcome: 'Completed',
    submittedAgo: 40 * MINUTE,
    live: true,
  },
  {
    job: { jobName: 'contract-clause-tagging', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', status: 'Scheduled', totalRecordCount: 1_500 },
    outcome: 'PartiallyCompleted',
    submittedAgo: 12 * MINUTE,
    live: true,
  },
  {
    job: { jobName: 'faq-answer-drafts-nightly', modelId: 'amazon.nova-pro-v1:0', modelInvocationType: 'Converse', totalRecordCount: 800 },
    outcome: 'Completed',
    live: true,
  },
];

/**
 * Adds the demo jobs, with their inputs in `store` (the failed one, whose role could not read
 * its input, has none), and starts replacing finished ones; returns the function that stops that.
 */
export function seedDemoJobs(engine: SimulatorEngine, store: ObjectStore): () => void {
  const now = Date.now();
  const live = new Set<string>();
  store.ensureBucket(DEMO_BUCKET);
  for (const demo of DEMO_JOBS) {
    const { jobName, totalRecordCount } = demo.job;
    const submitTime = new Date(now - (demo.submittedAgo ?? 0));
    const job = {
      modelInvocationType: 'InvokeModel' as const,
      ...demo.job,
      submitTime,
      ...(demo.modifiedAgo === undefined ? {} : { lastModifiedTime: new Date(now - demo.modifiedAgo) }),
      inputDataConfig: { s3InputDataConfig: { s3InputFormat: 'JSONL' as const, s3Uri: `s3://${DEMO_BUCKET}/input/${jobName}.jsonl` } },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${DEMO_BUCKET}/output/${jobName}/` } },
    };
    if (totalRecordCount !== undefined) {
      store.putGenerated(DEMO_BUCKET, `input/${jobName}.jsonl`, () => madeUpInput(job, totalRecordCount), {
        lastModified: new Date(submitTime.getTime() - 10 * MINUTE),
      });
    }
    const created = engine.createJob(job, { outcome: demo.outcome });
    if (demo.live) live.add(created.jobId);
  }

  let replacements = 0;
  return engine.onChange((job, previous) => {
    if (!live.has(job.jobId) || !previous || isTerminalStatus(previous.status) || !isTerminalStatus(job.status)) return;
    live.delete(job.jobId);
    if (live.size >= LIVE_DEMO_JOBS || replacements >= MAX_REPLACEMENTS) return;
    replacements += 1;
    live.add(engine.createJob().jobId);
  });
}
