// Demo jobs so that a fresh simulator (and GraphiQL on top of it) has something to show: a few
// finished jobs of every kind, a few running ones, and a modest stream of new submissions that
// replaces running demo jobs as they finish.
import { isTerminalStatus, type SimulatorEngine } from './engine.ts';

/** Running demo jobs kept going at once. */
const LIVE_DEMO_JOBS = 3;
/** Replacement submissions per process, so a long-running demo doesn't grow without bound. */
const MAX_REPLACEMENTS = 200;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Adds the demo jobs and starts replacing finished ones; returns the function that stops that. */
export function seedDemoJobs(engine: SimulatorEngine): () => void {
  const now = Date.now();
  const at = (msAgo: number): Date => new Date(now - msAgo);
  const s3 = (name: string) => ({
    inputDataConfig: { s3InputDataConfig: { s3InputFormat: 'JSONL' as const, s3Uri: `s3://acme-ml-batch/input/${name}.jsonl` } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://acme-ml-batch/output/${name}/` } },
  });

  engine.createJob(
    {
      jobName: 'support-ticket-triage-2024-06',
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      status: 'Completed',
      submitTime: at(26 * HOUR),
      lastModifiedTime: at(22 * HOUR),
      totalRecordCount: 12_000,
      ...s3('support-ticket-triage-2024-06'),
    },
    { outcome: 'Completed' },
  );
  engine.createJob(
    {
      jobName: 'product-review-sentiment-q2',
      modelId: 'amazon.nova-lite-v1:0',
      status: 'PartiallyCompleted',
      submitTime: at(9 * HOUR),
      lastModifiedTime: at(7 * HOUR),
      totalRecordCount: 4_800,
      modelInvocationType: 'Converse',
      ...s3('product-review-sentiment-q2'),
    },
    { outcome: 'PartiallyCompleted' },
  );
  engine.createJob(
    {
      jobName: 'invoice-field-extraction-17',
      modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      status: 'Failed',
      submitTime: at(5 * HOUR),
      lastModifiedTime: at(5 * HOUR - 4 * MINUTE),
      message: 'Unable to read the input file: access denied to the S3 location. Check the permissions of the service role.',
      ...s3('invoice-field-extraction-17'),
    },
    { outcome: 'Failed' },
  );
  engine.createJob(
    {
      jobName: 'catalog-description-rewrite-de',
      modelId: 'mistral.mistral-large-2407-v1:0',
      status: 'Stopped',
      submitTime: at(3 * HOUR),
      lastModifiedTime: at(2 * HOUR),
      totalRecordCount: 2_500,
      ...s3('catalog-description-rewrite-de'),
    },
    { outcome: 'Completed' },
  );
  engine.createJob(
    {
      jobName: 'call-transcript-summaries-weekly',
      modelId: 'meta.llama3-1-70b-instruct-v1:0',
      status: 'Expired',
      submitTime: at(4 * 24 * HOUR),
      lastModifiedTime: at(24 * HOUR),
      timeoutDurationInHours: 72,
      ...s3('call-transcript-summaries-weekly'),
    },
    { outcome: 'Expired' },
  );

  const live = new Set<string>();
  live.add(
    engine.createJob(
      {
        jobName: 'search-query-embeddings-refresh',
        modelId: 'amazon.titan-embed-text-v2:0',
        status: 'InProgress',
        submitTime: at(40 * MINUTE),
        totalRecordCount: 2_000,
        ...s3('search-query-embeddings-refresh'),
      },
      { outcome: 'Completed' },
    ).jobId,
  );
  live.add(
    engine.createJob(
      {
        jobName: 'contract-clause-tagging',
        modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
        status: 'Scheduled',
        submitTime: at(12 * MINUTE),
        ...s3('contract-clause-tagging'),
      },
      { outcome: 'PartiallyCompleted' },
    ).jobId,
  );
  live.add(
    engine.createJob(
      {
        jobName: 'faq-answer-drafts-nightly',
        modelId: 'amazon.nova-pro-v1:0',
        modelInvocationType: 'Converse',
        ...s3('faq-answer-drafts-nightly'),
      },
      { outcome: 'Completed' },
    ).jobId,
  );

  let replacements = 0;
  return engine.onChange((job, previous) => {
    if (!live.has(job.jobId) || !previous || isTerminalStatus(previous.status) || !isTerminalStatus(job.status)) return;
    live.delete(job.jobId);
    if (live.size >= LIVE_DEMO_JOBS || replacements >= MAX_REPLACEMENTS) return;
    replacements += 1;
    live.add(engine.createJob().jobId);
  });
}
