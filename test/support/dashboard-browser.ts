// What the dashboard's list and job-view browser tests (dashboard-list-browser.test.ts,
// dashboard-job-view-browser.test.ts) share: an in-process gateway whose simulator holds eight jobs
// at fixed times, S3 outputs included, that move only when a test says so; headless Chromium
// (support/chromium.ts); and a 1280×800 en-US tab in UTC whose clock says PAGE_NOW.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { SimulatedJob } from '../../src/simulator/index.ts';
import { launchChromium } from './chromium.ts';
import { startTestGateway, type TestGateway } from './test-gateway.ts';

// Fixed times, so that the screenshots are the same on every run. BASE must lie in the past:
// the simulator stamps later changes with the real clock, and older states are ignored.
export const BASE = Date.parse('2026-06-01T09:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** What the page's clock says (Date only; its timers run normally). */
export const PAGE_NOW = BASE + 42 * MINUTE;

/** Generous: the machine may be busy with other test files. */
export const STEP_TIMEOUT_MS = 15_000;

export interface DashboardBrowser {
  t: TestGateway;
  browser: Browser;
  /** The context of `page`; tests may open more tabs in it. */
  context: BrowserContext;
  page: Page;
}

/**
 * Opens the gateway, Chromium and tab before the suite's tests (handing them to `onOpen`) and
 * closes them after. Returns the jobs by name (expired, completed, partial, stopped, failed,
 * running, scheduled, validating), to which tests may add their own, and the errors the tab has
 * logged, to which tests add those of the tabs they open.
 */
export function useDashboardBrowser(onOpen: (opened: DashboardBrowser) => void) {
  const jobs: Record<string, SimulatedJob> = {};
  const pageErrors: string[] = [];
  let t: TestGateway | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const [gateway, chromium] = await Promise.all([
      startTestGateway({ POLL_INTERVAL_MS: '100', POLL_MAX_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_PER_SECOND: '1000' }),
      launchChromium(),
    ]);
    [t, browser] = [gateway, chromium];
    addJobs(gateway, jobs);

    const context = await chromium.newContext({
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.on('dialog', (dialog) => void dialog.accept());
    await page.clock.setFixedTime(PAGE_NOW);
    onOpen({ t: gateway, browser: chromium, context, page });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  return { jobs, pageErrors };
}

/** The eight jobs, one of each status, paused. */
function addJobs(t: TestGateway, jobs: Record<string, SimulatedJob>): void {
  const { engine } = t.simulator;
  const s3 = (name: string) => ({
    inputDataConfig: { s3InputDataConfig: { s3InputFormat: 'JSONL' as const, s3Uri: `s3://acme-ml-batch/input/${name}.jsonl` } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://acme-ml-batch/output/${name}/` } },
  });
  const add = (
    key: string,
    job: Partial<SimulatedJob> & { jobName: string; submitTime: Date },
    runFor?: number,
  ) => {
    const times = runFor === undefined ? {} : { lastModifiedTime: new Date(job.submitTime.getTime() + runFor), endTime: new Date(job.submitTime.getTime() + runFor) };
    jobs[key] = engine.createJob({ ...s3(job.jobName), ...times, ...job }, { paused: true });
  };
  const at = (offset: number) => new Date(BASE + offset);
  add('expired', { jobName: 'call-transcript-summaries-weekly', modelId: 'meta.llama3-1-70b-instruct-v1:0', status: 'Expired', submitTime: at(-4 * 24 * HOUR), timeoutDurationInHours: 72 }, 72 * HOUR);
  add('completed', { jobName: 'support-ticket-triage-2026-05', modelId: 'anthropic.claude-3-haiku-20240307-v1:0', status: 'Completed', totalRecordCount: 12_000, submitTime: at(-26 * HOUR) }, 3 * HOUR + 12 * MINUTE);
  add('partial', {
    jobName: 'product-review-sentiment-q2',
    modelId: 'amazon.nova-lite-v1:0',
    status: 'PartiallyCompleted',
    totalRecordCount: 4_800,
    processedRecordCount: 4_800,
    successRecordCount: 4_588,
    errorRecordCount: 212,
    submitTime: at(-9 * HOUR),
  }, 2 * HOUR + 5 * MINUTE);
  add('stopped', { jobName: 'catalog-description-rewrite-de', modelId: 'mistral.mistral-large-2407-v1:0', status: 'Stopped', totalRecordCount: 2_500, submitTime: at(-3 * HOUR) }, 48 * MINUTE);
  add('failed', {
    jobName: 'invoice-field-extraction-17',
    modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    status: 'Failed',
    message: 'Unable to read the input file: access denied to the S3 location. Check the permissions of the service role.',
    submitTime: at(-2 * HOUR),
  }, 4 * MINUTE);
  add('running', { jobName: 'search-query-embeddings-refresh', modelId: 'amazon.titan-embed-text-v2:0', status: 'InProgress', totalRecordCount: 2_000, processedRecordCount: 800, successRecordCount: 800, errorRecordCount: 0, submitTime: at(0) });
  add('scheduled', { jobName: 'contract-clause-tagging', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', status: 'Scheduled', totalRecordCount: 1_600, submitTime: at(12 * MINUTE) });
  add('validating', { jobName: 'support-reply-drafts-es', modelId: 'amazon.nova-pro-v1:0', status: 'Validating', submitTime: at(30 * MINUTE) });
}
