// The dashboard and GraphiQL in a real browser: headless Chromium (Debian's, driven by
// playwright-core) against an in-process gateway and a simulator this test drives. Every wait is
// for an event or a DOM state, never a fixed time. Also writes the README's screenshot.
//
// Chromium is `chromium` on the PATH, or CHROMIUM_PATH. Without it the suite is skipped with a
// warning; with REQUIRE_BROWSER=1 (CI) a missing Chromium fails instead.
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollerStats } from '../src/watch/poller.ts';
import type { SimulatedJob } from '../src/simulator/index.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const CHROMIUM_PATH =
  process.env.CHROMIUM_PATH ??
  (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'chromium')).find((path) => existsSync(path)) ??
  '/usr/bin/chromium';
const REQUIRED = process.env.REQUIRE_BROWSER === '1';
const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
const SCREENSHOT = fileURLToPath(new URL('../docs/dashboard.png', import.meta.url));

if (!HAS_CHROMIUM && !REQUIRED) {
  console.warn(
    [
      '',
      '*'.repeat(78),
      `* SKIPPING the browser tests: no Chromium at ${CHROMIUM_PATH}.`,
      '* Install it (apt-get install -y chromium) or set CHROMIUM_PATH; CI sets REQUIRE_BROWSER=1.',
      '*'.repeat(78),
      '',
    ].join('\n'),
  );
}

describe.runIf(REQUIRED && !HAS_CHROMIUM)('browser tests in CI', () => {
  it('should find Chromium (REQUIRE_BROWSER=1)', () => {
    expect.fail(`REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM_PATH}`);
  });
});

// Fixed times, so that the screenshot is the same on every run. BASE must lie in the past:
// the simulator stamps later changes with the real clock, and older states are ignored.
const BASE = Date.parse('2026-06-01T09:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** What the page's clock says (Date only; its timers run normally). */
const PAGE_NOW = BASE + 42 * MINUTE;

/** Generous: the machine may be busy with other test files. */
const STEP_TIMEOUT_MS = 15_000;
/**
 * GraphiQL loads several megabytes of editor code per page; on a busy two-core machine one test of
 * two page loads took over 30 s (the default test timeout) in CI, so its tests get more.
 */
const GRAPHIQL_TEST_TIMEOUT_MS = 120_000;

describe.skipIf(!HAS_CHROMIUM)('dashboard in a real browser', () => {
  let t: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const jobs: Record<string, SimulatedJob> = {};

  const row = (job: SimulatedJob) => page.locator(`#job-rows tr[data-job-id="${job.jobId}"]`);
  const chip = (job: SimulatedJob, text: string) => row(job).locator('.chip', { hasText: new RegExp(`^${text}$`) });

  /** Resolves after `rounds` poller rounds that ran with `predicate` true. */
  const pollerRounds = (rounds: number, predicate: (stats: PollerStats) => boolean, on: TestGateway = t) =>
    new Promise<void>((resolve) => {
      let seen = 0;
      const off = on.gateway.poller.onRound((stats) => {
        if (predicate(stats) && ++seen >= rounds) {
          off();
          resolve();
        }
      });
    });

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestGateway({ POLL_INTERVAL_MS: '100', POLL_MAX_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_PER_SECOND: '1000' }),
      chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
    ]);

    // Paused jobs move only when the test says so.
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

    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.on('dialog', (dialog) => void dialog.accept());
    await page.clock.setFixedTime(PAGE_NOW);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('should list the jobs with their status, progress and times', async () => {
    // The page subscribes first and lists second; wait until the poller serves both streams.
    const live = pollerRounds(2, (stats) => stats.accountWatchers === 1 && stats.watched === 1);
    await page.goto(`${t.url}/`);
    await row(jobs.expired!).waitFor();
    expect(await page.locator('#job-rows tr').count()).toBe(8);
    await chip(jobs.running!, 'In progress').waitFor();
    await chip(jobs.partial!, 'Partially completed').waitFor();
    expect(await row(jobs.running!).locator('.progress-text').textContent()).toBe('40% · 800 / 2,000');
    expect(await row(jobs.running!).locator('.duration').textContent()).toBe('42m 00s');
    expect(await row(jobs.completed!).locator('.duration').textContent()).toBe('3h 12m');
    expect(await row(jobs.failed!).locator('.job-message').textContent()).toMatch(/access denied/);
    expect(await row(jobs.running!).locator('time').getAttribute('datetime')).toBe(new Date(BASE).toISOString());
    // Stop buttons on unfinished jobs only.
    expect(await page.locator('#job-rows button.stop:visible').count()).toBe(3);
    expect(await page.locator('table thead th[scope="col"]').count()).toBe(7);
    await live;
    await page.locator('#connection[data-state="live"]').waitFor();
  });

  it('should move progress, status and durations without a reload', async () => {
    t.simulator.engine.advance(jobs.running!.jobId);
    const processed = t.simulator.engine.get(jobs.running!.jobId)!.processedRecordCount!;
    expect(processed).toBeGreaterThan(800);
    await row(jobs.running!).locator('.progress-text', { hasText: `${Math.floor((processed / 2000) * 100)}% · ${processed.toLocaleString('en-US')} / 2,000` }).waitFor();
    expect(await row(jobs.running!).locator('progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(Math.floor((processed / 2000) * 100));

    t.simulator.engine.advance(jobs.scheduled!.jobId);
    await chip(jobs.scheduled!, 'In progress').waitFor();
    await row(jobs.scheduled!).locator('.progress-text', { hasText: '0% · 0 / 1,600' }).waitFor();
    // The status change is announced, modestly, in the live region.
    await page.locator('#announcer', { hasText: 'contract-clause-tagging: In progress' }).waitFor({ state: 'attached' });

    await page.clock.setFixedTime(PAGE_NOW + 5_000);
    await row(jobs.running!).locator('.duration', { hasText: '42m 05s' }).waitFor();
    expect(await row(jobs.completed!).locator('.duration').textContent()).toBe('3h 12m');
  });

  it('should add a new job at the top as soon as it is submitted', async () => {
    jobs.fresh = t.simulator.engine.createJob(
      {
        jobName: 'faq-answer-drafts-nightly',
        modelId: 'amazon.nova-pro-v1:0',
        status: 'Submitted',
        submitTime: new Date(BASE + 41 * MINUTE),
        inputDataConfig: { s3InputDataConfig: { s3InputFormat: 'JSONL', s3Uri: 's3://acme-ml-batch/input/faq-answer-drafts-nightly.jsonl' } },
        outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://acme-ml-batch/output/faq-answer-drafts-nightly/' } },
      },
      { paused: true },
    );
    await chip(jobs.fresh, 'Submitted').waitFor();
    expect(await page.locator('#job-rows tr').first().getAttribute('data-job-id')).toBe(jobs.fresh.jobId);
    await page.locator('#jobs-caption', { hasText: '9 jobs, newest first · 4 unfinished' }).waitFor();
  });

  it('should take the screenshot for the README', async () => {
    mkdirSync(fileURLToPath(new URL('../docs/', import.meta.url)), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, animations: 'disabled', caret: 'hide' });
  });

  it('should stop a job with the stop button', async () => {
    const running = jobs.running!;
    await row(running).getByRole('button', { name: `Stop ${running.jobName}` }).click();
    await chip(running, 'Stopping').waitFor();
    expect(t.simulator.engine.get(running.jobId)!.status).toBe('Stopping');
    await row(running).locator('button.stop').waitFor({ state: 'hidden' });

    t.simulator.engine.advance(running.jobId);
    await chip(running, 'Stopped').waitFor();
    expect(await row(running).locator('.duration').textContent()).not.toBe('');
  });

  it('should show CONFLICT inline, and hide the stop buttons after FORBIDDEN', async () => {
    const job = jobs.validating!;
    t.simulator.faults.failNext(1, 'conflict', 'StopModelInvocationJob');
    await row(job).locator('button.stop').click();
    await row(job).locator('.row-error', { hasText: /CONFLICT/ }).waitFor();
    expect(await row(job).locator('button.stop').isVisible()).toBe(true);

    t.simulator.faults.failNext(1, 'accessDenied', 'StopModelInvocationJob');
    await row(job).locator('button.stop').click();
    await row(job).locator('.row-error', { hasText: /FORBIDDEN/ }).waitFor();
    await page.locator('#notice', { hasText: 'not allowed' }).waitFor();
    expect(await page.locator('#job-rows button.stop:visible').count()).toBe(0);
    expect(t.simulator.engine.get(job.jobId)!.status).toBe('Validating');
  });

  it('should send a typed API key as x-api-key over HTTP and in connection_init', async () => {
    const initSent = new Promise<string>((resolve) => {
      page.on('websocket', (socket) =>
        socket.on('framesent', ({ payload }) => {
          if (String(payload).includes('"connection_init"')) resolve(String(payload));
        }),
      );
    });
    const listed = page.waitForRequest((request) => request.url().endsWith('/graphql') && request.method() === 'POST');

    await page.locator('#api-key-panel summary').click();
    await page.getByLabel('API key', { exact: true }).fill('test-key-123');
    await page.getByRole('button', { name: 'Save' }).click();

    expect((await listed).headers()['x-api-key']).toBe('test-key-123');
    expect(JSON.parse(await initSent)).toEqual({ type: 'connection_init', payload: { 'x-api-key': 'test-key-123' } });
    expect(await page.evaluate(() => localStorage.getItem('bedrock-jobs-dashboard:api-key'))).toBe('test-key-123');
    // A new key may bring new permissions: stop is offered again.
    await row(jobs.validating!).locator('button.stop').waitFor();
    await page.locator('#connection[data-state="live"]').waitFor();
  });

  it('should filter by status', async () => {
    await page.getByLabel('Status').selectOption('FAILED');
    await page.locator('#jobs-caption', { hasText: '1 job, newest first, status Failed' }).waitFor();
    expect(await page.locator('#job-rows tr').count()).toBe(1);
    await row(jobs.failed!).waitFor();
    expect(new URL(page.url()).searchParams.get('status')).toBe('FAILED');
    expect(pageErrors).toEqual([]);
  });

  it('should not send a name filter no job name could contain, and say why', async () => {
    const requests: string[] = [];
    const onRequest = (request: { url(): string; postData(): string | null }) => {
      if (request.url().endsWith('/graphql')) requests.push(request.postData() ?? '');
    };
    page.on('request', onRequest);
    const name = page.getByLabel('Name contains');
    await name.fill('not a name');
    await name.press('Enter');
    expect(await name.evaluate((input: HTMLInputElement) => input.validity.patternMismatch)).toBe(true);
    await name.fill('');
    await name.press('Enter');
    await page.locator('#connection[data-state="live"]').waitFor();
    page.off('request', onRequest);
    expect(requests.filter((body) => body.includes('not a name'))).toEqual([]);
    expect(new URL(page.url()).searchParams.get('name')).toBeNull();
  });

  describe('with fewer operations per connection than running jobs', () => {
    let limited: TestGateway;
    let limitedPage: Page;
    const running: SimulatedJob[] = [];
    const limitedRow = (job: SimulatedJob) => limitedPage.locator(`#job-rows tr[data-job-id="${job.jobId}"]`);
    const isWatched = (job: SimulatedJob) => limited.gateway.poller.latest(job.jobId) !== undefined;

    beforeAll(async () => {
      // One operation for the account-wide stream, two for progress: two running rows must wait.
      limited = await startTestGateway({ POLL_INTERVAL_MS: '100', POLL_MAX_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_PER_SECOND: '1000', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3' });
      for (let i = 0; i < 4; i++) {
        running.push(
          limited.simulator.engine.createJob(
            { jobName: `nightly-batch-${i}`, status: 'InProgress', totalRecordCount: 1000, submitTime: new Date(BASE + i * MINUTE) },
            { paused: true },
          ),
        );
      }
      limitedPage = await context.newPage();
      limitedPage.setDefaultTimeout(STEP_TIMEOUT_MS);
      limitedPage.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    });
    afterAll(async () => {
      await limitedPage?.close();
      await limited?.close();
    });

    it('should stay within the limit and give a freed slot to a waiting row', async () => {
      const [oldest, older, newer, newest] = running as [SimulatedJob, SimulatedJob, SimulatedJob, SimulatedJob];
      // Newest first: the two top rows get progress streams, the other two wait.
      const live = pollerRounds(2, (stats) => stats.accountWatchers === 1 && stats.watched === 2, limited);
      await limitedPage.goto(`${limited.url}/`);
      await limitedRow(oldest).waitFor();
      await live;
      expect([newest, newer, older, oldest].map(isWatched)).toEqual([true, true, false, false]);
      expect(await limitedPage.locator('#notice').isVisible()).toBe(false);

      // The newest finishes, its stream completes, and the next running row takes the slot.
      limited.simulator.engine.setStatus(newest.jobId, 'Completed');
      await limitedRow(newest).locator('.chip', { hasText: 'Completed' }).waitFor();
      await pollerRounds(1, () => isWatched(older), limited);
      expect(limited.gateway.poller.stats().watched).toBe(2);
      limited.simulator.engine.advance(older.jobId);
      const processed = limited.simulator.engine.get(older.jobId)!.processedRecordCount!;
      await limitedRow(older).locator('.progress-text', { hasText: `${processed.toLocaleString('en-US')} / 1,000` }).waitFor();
    });
  });

  describe('GraphiQL', { timeout: GRAPHIQL_TEST_TIMEOUT_MS }, () => {
    let graphiql: BrowserContext;
    beforeAll(async () => {
      graphiql = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      graphiql.setDefaultTimeout(STEP_TIMEOUT_MS * 2);
    });
    afterAll(() => graphiql?.close());

    /** Opens GraphiQL with `query` in the editor and presses the run button. */
    const run = async (query: string) => {
      const tab = await graphiql.newPage();
      await tab.goto(`${t.url}/graphql?query=${encodeURIComponent(query)}`);
      await tab.getByRole('button', { name: /^Execute query/ }).click();
      return tab;
    };
    const responseText = (tab: Page, text: string) =>
      tab.waitForFunction((expected) => document.querySelector('.graphiql-response')?.textContent?.includes(expected), text, {
        timeout: STEP_TIMEOUT_MS * 2,
      });

    it('should run a query', async () => {
      const tab = await run(`{ modelInvocationJob(jobIdentifier: "${jobs.completed!.jobId}") { jobName status } }`);
      await responseText(tab, 'support-ticket-triage-2026-05');
      await responseText(tab, '"COMPLETED"');
      await tab.close();
    });

    it('should stream subscription events', async () => {
      const job = jobs.fresh!;
      const tab = await run(`subscription { modelInvocationJobUpdated(jobIdentifier: "${job.jobId}") { jobName status } }`);
      await responseText(tab, '"SUBMITTED"');
      t.simulator.engine.advance(job.jobId);
      await responseText(tab, '"VALIDATING"');
      await tab.close();
    });

    it('should send its Headers tab with queries and subscriptions when credentials are required', async () => {
      const apiKey = 'graphiql-key-0123456789abcdef';
      const secured = await startTestGateway({
        AUTH_REQUIRED: 'true',
        GATEWAY_API_KEYS: JSON.stringify({ [apiKey]: ['jobs:read'] }),
        POLL_INTERVAL_MS: '100',
      });
      // A context of its own: GraphiQL keeps the Headers tab of earlier pages in storage.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(STEP_TIMEOUT_MS * 2);
      try {
        const job = secured.simulator.engine.createJob({ status: 'Submitted' }, { paused: true });
        const tab = await context.newPage();
        const runWithKey = async (query: string) => {
          await tab.goto(`${secured.url}/graphql?query=${encodeURIComponent(query)}`);
          await tab.getByRole('button', { name: /^Headers$/ }).click();
          await tab.locator('.graphiql-editor-tool .monaco-editor').last().click();
          // The editor closes the brace itself.
          await tab.keyboard.type(`{"x-api-key": "${apiKey}"`);
          await tab.getByRole('button', { name: /^Execute query/ }).click();
        };

        await runWithKey(`{ modelInvocationJob(jobIdentifier: "${job.jobId}") { status } }`);
        await responseText(tab, '"SUBMITTED"');
        await runWithKey(`subscription { modelInvocationJobUpdated(jobIdentifier: "${job.jobId}") { status } }`);
        await responseText(tab, '"SUBMITTED"');
        secured.simulator.engine.advance(job.jobId);
        await responseText(tab, '"VALIDATING"');
      } finally {
        await context.close();
        await secured.close();
      }
    });
  });
});
