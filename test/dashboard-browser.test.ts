// The dashboard (the jobs list and a job's own view) in a real browser: headless
// Chromium (Debian's, driven by playwright-core) against an in-process gateway and a simulator this
// test drives, S3 outputs included. Every wait is for an event or a DOM state, never a fixed time.
// Also writes the README's screenshots: docs/dashboard.png, docs/dashboard-phone.png (390 px),
// docs/dashboard-dark.png (prefers-color-scheme: dark) and docs/job-view.png. Rates, ETAs and
// timelines have a file of their own (dashboard-timing-browser.test.ts); failures, focus, filters
// and the layouts have theirs (dashboard-states-browser.test.ts), and so do API keys
// (dashboard-access-browser.test.ts).
//
// Chromium is `chromium` on the PATH, or CHROMIUM_PATH (support/chromium.ts). Without it the suite
// is skipped with a warning; with REQUIRE_BROWSER=1 (CI) a missing Chromium fails instead.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { PollerStats } from '../src/watch/poller.ts';
import type { SimulatedJob } from '../src/simulator/index.ts';
import { CHROMIUM_PATH, HAS_CHROMIUM, launchChromium, REQUIRE_BROWSER as REQUIRED } from './support/chromium.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const SCREENSHOT = fileURLToPath(new URL('../docs/dashboard.png', import.meta.url));
const JOB_VIEW_SCREENSHOT = fileURLToPath(new URL('../docs/job-view.png', import.meta.url));
const PHONE_SCREENSHOT = fileURLToPath(new URL('../docs/dashboard-phone.png', import.meta.url));
const DARK_SCREENSHOT = fileURLToPath(new URL('../docs/dashboard-dark.png', import.meta.url));

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

describe.skipIf(!HAS_CHROMIUM)('dashboard in a real browser', () => {
  let t: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const jobs: Record<string, SimulatedJob> = {};

  const row = (job: SimulatedJob) => page.locator(`#job-rows tr[data-job-id="${job.jobId}"]`);
  const chip = (job: SimulatedJob, text: string) => row(job).locator('.chip', { hasText: new RegExp(`^${text}$`) });
  /** A failed stop's message: in a line of its own under the job's row. */
  const rowError = (job: SimulatedJob) => page.locator(`#job-rows tr[data-error-for="${job.jobId}"] .row-error`);
  /** The job whose row holds the keyboard focus, if any. */
  const focusedRow = () => page.evaluate(() => (document.activeElement?.closest('tr[data-job-id]') as HTMLElement | null)?.dataset.jobId);

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
      launchChromium(),
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
    expect(await page.locator('#job-rows tr[data-job-id]').count()).toBe(8);
    await chip(jobs.running!, 'In progress').waitFor();
    await chip(jobs.partial!, 'Partially completed').waitFor();
    expect(await row(jobs.running!).locator('.progress-text').textContent()).toBe('40% · 800 / 2,000');
    expect(await row(jobs.running!).locator('.duration').textContent()).toBe('42m 00s');
    expect(await row(jobs.completed!).locator('.duration').textContent()).toBe('3h 12m');
    expect(await row(jobs.failed!).locator('.job-message').textContent()).toMatch(/access denied/);
    expect(await row(jobs.running!).locator('.submitted time').getAttribute('datetime')).toBe(new Date(BASE).toISOString());
    // Stop buttons on unfinished jobs only.
    expect(await page.locator('#job-rows button.stop:visible').count()).toBe(3);
    expect(await page.locator('#jobs thead th[scope="col"]').count()).toBe(7);
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
    // A running row's rate and ETA come from the gateway's real clock, which the page's fixed
    // clock does not share: left out, so that the picture is the same on every run. (Through the
    // CSSOM: the page's CSP refuses the inline <style> that screenshot({ style }) would add.)
    const paces = page.locator('#job-rows .pace');
    await paces.evaluateAll((lines: HTMLElement[]) => lines.forEach((line) => line.style.setProperty('display', 'none', 'important')));
    await page.screenshot({ path: SCREENSHOT, animations: 'disabled', caret: 'hide' });
    await paces.evaluateAll((lines: HTMLElement[]) => lines.forEach((line) => line.style.removeProperty('display')));
  });

  it('should take the phone and dark screenshots for the README, of the same jobs', async () => {
    const shots = [
      // The whole page: every card, the failed job's message in full.
      { path: PHONE_SCREENSHOT, fullPage: true, options: { viewport: { width: 390, height: 844 } } },
      { path: DARK_SCREENSHOT, fullPage: false, options: { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' as const } },
    ];
    for (const { path, fullPage, options } of shots) {
      const shot = await browser.newContext({ deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC', ...options });
      try {
        const tab = await shot.newPage();
        tab.setDefaultTimeout(STEP_TIMEOUT_MS);
        tab.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
        // The clock of the main page at its screenshot, so that the durations read the same.
        await tab.clock.setFixedTime(PAGE_NOW + 5_000);
        await tab.goto(`${t.url}/`);
        await tab.locator(`#job-rows tr[data-job-id="${jobs.expired!.jobId}"]`).waitFor();
        await tab.locator('#connection[data-state="live"]').waitFor();
        await tab.locator('#viewer', { hasText: 'Auth off' }).waitFor();
        expect(await tab.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
        // Nothing sticks out of its row (a card, on the phone).
        const outside = await tab.locator('#job-rows tr[data-job-id]').evaluateAll((rows) =>
          rows.flatMap((tr) => [...tr.querySelectorAll('*')].filter((element) => element.getBoundingClientRect().right > tr.getBoundingClientRect().right + 0.5).map((element) => element.textContent)),
        );
        expect(outside).toEqual([]);
        // As in docs/dashboard.png: no rate or ETA, which follow the gateway's real clock.
        await tab.locator('#job-rows .pace').evaluateAll((lines: HTMLElement[]) => lines.forEach((line) => line.style.setProperty('display', 'none', 'important')));
        await tab.screenshot({ path, fullPage, animations: 'disabled', caret: 'hide' });
      } finally {
        await shot.close();
      }
    }
  });

  it('should stop a job with the stop button', async () => {
    const running = jobs.running!;
    await row(running).getByRole('button', { name: `Stop ${running.jobName}` }).click();
    await chip(running, 'Stopping').waitFor();
    expect(t.simulator.engine.get(running.jobId)!.status).toBe('Stopping');
    await row(running).locator('button.stop').waitFor({ state: 'hidden' });
    // The button went with the status it belonged to: the keyboard stays on its row.
    expect(await focusedRow()).toBe(running.jobId);
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('job-name');

    t.simulator.engine.advance(running.jobId);
    await chip(running, 'Stopped').waitFor();
    expect(await row(running).locator('.duration').textContent()).not.toBe('');
  });

  it('should show CONFLICT inline, and hide the stop buttons after FORBIDDEN', async () => {
    const job = jobs.validating!;
    t.simulator.faults.failNext(1, 'conflict', 'StopModelInvocationJob');
    await row(job).locator('button.stop').click();
    await rowError(job).filter({ hasText: /CONFLICT/ }).waitFor();
    expect(await row(job).locator('button.stop').isVisible()).toBe(true);
    // The failed stop kept the focus on its button, to try again.
    expect(await row(job).locator('button.stop').evaluate((button) => button === document.activeElement)).toBe(true);

    t.simulator.faults.failNext(1, 'accessDenied', 'StopModelInvocationJob');
    await row(job).locator('button.stop').click();
    await rowError(job).filter({ hasText: /FORBIDDEN/ }).waitFor();
    await page.locator('#notice', { hasText: 'not allowed' }).waitFor();
    expect(await page.locator('#job-rows button.stop:visible').count()).toBe(0);
    // Its focused button gone, the keyboard is on the row, not on <body>.
    expect(await focusedRow()).toBe(job.jobId);
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
    expect(await page.locator('#job-rows tr[data-job-id]').count()).toBe(1);
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

  describe("a job's own view", () => {
    const BUCKET = 'acme-ml-batch';
    const view = () => page.locator('#job-view');
    /** The value of the term `term` in the list `list` (a `<dl>` of the view). */
    const field = (list: string, term: string) =>
      page.locator(`${list} .field`).filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) }).locator('dd');
    const failedRows = () => page.locator('#failed-rows tr');
    /** The partially completed job's output, as the simulator's S3 holds it. */
    const output = () => {
      const job = jobs.partial!;
      const folder = `output/${job.jobName}/${job.jobId}/`;
      const keys = t.simulator.s3.listKeys(BUCKET, folder);
      const key = keys.find((name) => name.endsWith('.jsonl.out'))!;
      const text = t.simulator.s3.getObject(BUCKET, key)!.toString('utf8');
      const lines = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { recordId: string; error?: { errorCode?: number; errorMessage?: string } });
      const manifest = JSON.parse(t.simulator.s3.getObject(BUCKET, `${folder}manifest.json.out`)!.toString('utf8'));
      return { folder: `s3://${BUCKET}/${folder}`, key, text, lines, manifest };
    };

    it("should open a job's view from its row, with every field of the job", async () => {
      const job = jobs.partial!;
      await page.goto(`${t.url}/?status=PARTIALLY_COMPLETED`);
      await row(job).getByRole('link', { name: job.jobName, exact: true }).click();
      await page.locator('#job-title', { hasText: new RegExp(`^${job.jobName}$`) }).waitFor();
      expect(new URL(page.url()).searchParams.get('job')).toBe(job.jobId);
      expect(new URL(page.url()).searchParams.get('status')).toBe('PARTIALLY_COMPLETED');
      expect(await page.locator('#list-view').isHidden()).toBe(true);
      // Screen readers start at the job's name; the tab says which job it is.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('job-title');
      expect(await page.title()).toBe(`${job.jobName} · Bedrock batch jobs`);

      expect(await view().locator('#job-status').textContent()).toBe('Partially completed');
      expect(await field('#job-fields', 'ARN').textContent()).toBe(job.jobArn);
      expect(await field('#job-fields', 'Model').textContent()).toBe('amazon.nova-lite-v1:0');
      expect(await field('#job-fields', 'Records').textContent()).toBe('4,800 in the input · 4,800 processed · 4,588 succeeded · 212 failed');
      expect(await field('#job-fields', 'Input').textContent()).toBe(`s3://${BUCKET}/input/${job.jobName}.jsonl (JSONL)`);
      expect(await field('#job-fields', 'Took').textContent()).toBe('2h 05m');
      expect(await field('#job-fields', 'Submitted').locator('time').getAttribute('datetime')).toBe(new Date(BASE - 9 * HOUR).toISOString());
      expect(await field('#job-fields', 'Service role').textContent()).toBe(job.roleArn);
      // No VPC: said in words, not left blank.
      expect(await field('#job-fields', 'VPC').textContent()).toMatch(/^None/);
    });

    it('should show the output folder, the manifest, the tokens and the estimated cost', async () => {
      const { folder, manifest } = output();
      expect(await field('#results-fields', 'Output folder').textContent()).toBe(folder);
      expect(await field('#results-fields', 'Records').textContent()).toBe('4,800');
      expect(await field('#results-fields', 'Failed').textContent()).toBe('212');
      expect(await field('#results-fields', 'Input tokens').textContent()).toBe(manifest.inputTokenCount.toLocaleString('en-US'));
      expect(await field('#results-fields', 'Output tokens').textContent()).toBe(manifest.outputTokenCount.toLocaleString('en-US'));
      // The simulator's example price of amazon.nova-lite-v1:0, as the gateway computes it.
      const answer = await t.graphql(`{ modelInvocationJob(jobIdentifier: "${jobs.partial!.jobId}") { results { estimatedCost { total } } } }`);
      const total: number = answer.data!.modelInvocationJob.results.estimatedCost.total;
      expect(total).toBeGreaterThan(0);
      const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });
      expect(await field('#results-fields', 'Estimated cost').locator('strong').textContent()).toBe(dollars.format(total));
    });

    it('should list the output files with a download link that works', async () => {
      const { key, text } = output();
      const name = key.slice(key.lastIndexOf('/') + 1);
      const link = page.getByRole('link', { name: `Download ${name}` });
      const href = await link.getAttribute('href');
      expect(href).toMatch(/X-Amz-Signature=/);
      // The page allows no cross-origin fetch (CSP connect-src 'self'); the link is for the user.
      const download = await fetch(href!);
      expect(download.status).toBe(200);
      expect(await download.text()).toBe(text);
      expect(await page.locator('#output-files li').count()).toBe(1);
      // Bedrock wrote it when the job ended.
      expect(await page.locator('#output-files .file-meta').textContent()).toMatch(/ · Jun 1, 2026, 2:05:00 AM$/);
    });

    it('should list the failed records with their messages, and page on with Load more', async () => {
      // In the output's order, each with its code and Bedrock's message.
      const failed = output()
        .lines.filter((line) => line.error)
        .map(({ recordId, error }) => ({ id: recordId, error: [error!.errorCode, error!.errorMessage].filter((part) => part != null).join(' ') }));
      expect(failed).toHaveLength(212);
      await page.locator('#failed-caption', { hasText: '50 of 212 failed records' }).waitFor();
      const shown = () =>
        failedRows().evaluateAll((rows) =>
          rows.map((tr) => ({ id: tr.querySelector('.record-id')!.textContent!, error: tr.querySelector('.record-error')!.textContent! })),
        );
      expect(await shown()).toEqual(failed.slice(0, 50));

      // By keyboard: the button keeps the focus while more pages follow.
      const more = page.getByRole('button', { name: 'Load more failed records' });
      await more.focus();
      await page.keyboard.press('Enter');
      await page.locator('#failed-caption', { hasText: '100 of 212 failed records' }).waitFor();
      expect(await shown()).toEqual(failed.slice(0, 100));
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('failed-more');
      await page.locator('#job-announcer', { hasText: '50 more failed records. 100 of 212 failed records.' }).waitFor({ state: 'attached' });
    });

    it('should take the screenshot of the job view for the README', async () => {
      await page.locator('#connection[data-state="live"]').waitFor();
      await page.evaluate(() => scrollTo(0, 0));
      await page.screenshot({ path: JOB_VIEW_SCREENSHOT, animations: 'disabled', caret: 'hide' });
    });

    it('should retry the failed records and link to the new job', async () => {
      const form = page.locator('#retry-form');
      const source = jobs.partial!;
      // The new job waits in SUBMITTED until the test moves it.
      t.simulator.engine.pause();
      onTestFinished(() => t.simulator.engine.resume());
      await form.waitFor();
      expect(await page.getByLabel('New job name').inputValue()).toBe(`${source.jobName}-retry-20260601-0942`);
      await page.getByLabel('New job name').fill('product-review-sentiment-q2-retry');
      await page.getByRole('button', { name: 'Retry failed records' }).click();
      const link = page.locator('#retry-result a');
      await link.waitFor();
      expect(await link.textContent()).toBe('product-review-sentiment-q2-retry');
      // The link has the focus, so the keyboard follows it at once.
      expect(await link.evaluate((element) => element === document.activeElement)).toBe(true);
      const created = t.simulator.engine.list({ nameContains: 'product-review-sentiment-q2-retry' }).jobs[0]!;
      expect(created.modelId).toBe(source.modelId);
      // Its input: the 212 failed records of the source job.
      const input = new URL(created.inputDataConfig.s3InputDataConfig!.s3Uri);
      const retried = t.simulator.s3.getObject(input.hostname, input.pathname.slice(1))!.toString('utf8').split('\n').filter(Boolean);
      expect(retried.map((line) => JSON.parse(line).recordId)).toEqual(output().lines.filter((line) => line.error).map((line) => line.recordId));
      expect(await form.isHidden()).toBe(true);

      await page.keyboard.press('Enter');
      await page.locator('#job-title', { hasText: /^product-review-sentiment-q2-retry$/ }).waitFor();
      expect(new URL(page.url()).searchParams.get('job')).toBe(created.jobId);
      // The new job's view is live: it moves on as the simulator runs it.
      await view().locator('#job-status', { hasText: 'Submitted' }).waitFor();
      t.simulator.engine.advance(created.jobId);
      expect(t.simulator.engine.get(created.jobId)!.status).toBe('Validating');
      await view().locator('#job-status', { hasText: 'Validating' }).waitFor();
      await page.goBack();
      await page.locator('#job-title', { hasText: new RegExp(`^${source.jobName}$`) }).waitFor();
    });

    it('should return to the list, filters and place kept, with Back', async () => {
      await page.goBack();
      await page.locator('#list-view').waitFor();
      expect(new URL(page.url()).search).toBe('?status=PARTIALLY_COMPLETED');
      expect(await page.getByLabel('Status').inputValue()).toBe('PARTIALLY_COMPLETED');
      expect(await view().isHidden()).toBe(true);
      expect(await page.title()).toBe('Bedrock batch jobs');
      // The keyboard is back on the job it left from.
      expect(await row(jobs.partial!).locator('a.job-name').evaluate((link) => link === document.activeElement)).toBe(true);
    });

    it('should follow a running job live, and show its results when it finishes', async () => {
      const job = t.simulator.engine.createJob(
        {
          jobName: 'product-review-sentiment-q3',
          modelId: 'amazon.nova-lite-v1:0',
          status: 'InProgress',
          totalRecordCount: 300,
          processedRecordCount: 60,
          successRecordCount: 60,
          errorRecordCount: 0,
          submitTime: new Date(BASE + 20 * MINUTE),
          inputDataConfig: { s3InputDataConfig: { s3InputFormat: 'JSONL', s3Uri: `s3://${BUCKET}/input/product-review-sentiment-q3.jsonl` } },
          outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${BUCKET}/output/product-review-sentiment-q3/` } },
        },
        { paused: true },
      );
      await page.goto(`${t.url}/?job=${job.jobId}`);
      await page.locator('#job-progress-text', { hasText: '20% · 60 / 300' }).waitFor();
      await page.locator('#connection[data-state="live"]').waitFor();
      await page.locator('#results-state', { hasText: 'appear here when the job finishes' }).waitFor();
      expect(await field('#results-fields', 'Output folder').textContent()).toBe(`s3://${BUCKET}/output/product-review-sentiment-q3/${job.jobId}/`);
      expect(await page.locator('#failed-panel').isHidden()).toBe(true);

      t.simulator.engine.advance(job.jobId);
      const processed = t.simulator.engine.get(job.jobId)!.processedRecordCount!;
      expect(processed).toBeGreaterThan(60);
      await page.locator('#job-progress-text', { hasText: `${processed} / 300` }).waitFor();

      t.simulator.engine.setStatus(job.jobId, 'PartiallyCompleted', { processedRecordCount: 300, successRecordCount: 180, errorRecordCount: 120 });
      await view().locator('#job-status', { hasText: 'Partially completed' }).waitFor();
      await page.locator('#failed-caption', { hasText: '50 of 120 failed records' }).waitFor();
      expect(await field('#results-fields', 'Failed').textContent()).toBe('120');
      expect(await page.locator('#results-state').isHidden()).toBe(true);
      expect(await page.locator('#output-files a.download').count()).toBe(1);
      await page.locator('#job-announcer', { hasText: 'product-review-sentiment-q3: Partially completed' }).waitFor({ state: 'attached' });
    });

    it('should fit a 390 px wide screen without sideways scrolling, the list too', async () => {
      const phone = await context.newPage();
      phone.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
      try {
        await phone.setViewportSize({ width: 390, height: 844 });
        const overflow = () => phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        await phone.goto(`${t.url}/`);
        await phone.locator(`#job-rows tr[data-job-id="${jobs.partial!.jobId}"]`).waitFor();
        expect(await overflow()).toBe(0);

        await phone.locator(`#job-rows tr[data-job-id="${jobs.partial!.jobId}"] a.job-name`).click();
        await phone.locator('#failed-rows tr').first().waitFor();
        expect(await overflow()).toBe(0);
        await phone.getByRole('button', { name: 'Load more failed records' }).click();
        await phone.locator('#failed-caption', { hasText: '100 of 212' }).waitFor();
        expect(await overflow()).toBe(0);
      } finally {
        await phone.close();
      }
    });

    it('should say why in the view when S3 refuses the results, or the job does not exist', async () => {
      const job = t.simulator.engine.createJob(
        {
          jobName: 'payroll-anomaly-notes',
          modelId: 'amazon.nova-lite-v1:0',
          status: 'PartiallyCompleted',
          totalRecordCount: 200,
          processedRecordCount: 200,
          successRecordCount: 150,
          errorRecordCount: 50,
          submitTime: new Date(BASE - HOUR),
          inputDataConfig: { s3InputDataConfig: { s3InputFormat: 'JSONL', s3Uri: 's3://acme-restricted/input/payroll.jsonl' } },
          outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://acme-restricted/output/' } },
        },
        { paused: true },
      );
      t.simulator.s3.deny('acme-restricted');
      try {
        await page.goto(`${t.url}/?job=${job.jobId}`);
        await page.locator('#results-error', { hasText: /^The results could not be read \(FORBIDDEN\): / }).waitFor();
        await page.locator('#failed-error', { hasText: /^The failed records could not be read \(FORBIDDEN\): / }).waitFor();
        expect(await page.locator('#failed-records').isHidden()).toBe(true);
        expect(await page.locator('#failed-empty').isHidden()).toBe(true);
        expect(await page.locator('#retry-form').isHidden()).toBe(true);
        // The job itself still shows.
        expect(await field('#job-fields', 'Records').textContent()).toBe('200 in the input · 200 processed · 150 succeeded · 50 failed');
      } finally {
        t.simulator.s3.reset();
      }

      await page.goto(`${t.url}/?job=aaaaaaaaaaaa`);
      await page.locator('#job-error', { hasText: /^The job could not be loaded \(NOT_FOUND\): / }).waitFor();
      expect(await page.locator('#job-title').textContent()).toBe('Job aaaaaaaaaaaa');
      expect(await page.locator('#job-body').isHidden()).toBe(true);
      expect(pageErrors).toEqual([]);
    });

    it('should show a key without results:read what it may see, and a key without jobs:write why it cannot retry', async () => {
      const apiKey = 'jobs-only-key-0123456789abcdef';
      const readerKey = 'results-reader-key-0123456789abcdef';
      const secured = await startTestGateway({
        AUTH_REQUIRED: 'true',
        GATEWAY_API_KEYS: JSON.stringify({ [apiKey]: ['jobs:read', 'jobs:write'], [readerKey]: ['jobs:read', 'results:read'] }),
      });
      const other = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
      try {
        const job = secured.simulator.engine.createJob(
          {
            jobName: 'product-review-sentiment-q1',
            modelId: 'amazon.nova-lite-v1:0',
            status: 'PartiallyCompleted',
            totalRecordCount: 400,
            processedRecordCount: 400,
            successRecordCount: 250,
            errorRecordCount: 150,
            inputDataConfig: { s3InputDataConfig: { s3InputFormat: 'JSONL', s3Uri: `s3://${BUCKET}/input/q1.jsonl` } },
            outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${BUCKET}/output/q1/` } },
          },
          { paused: true },
        );
        await other.addInitScript((key) => localStorage.setItem('bedrock-jobs-dashboard:api-key', key), apiKey);
        const tab = await other.newPage();
        tab.setDefaultTimeout(STEP_TIMEOUT_MS);
        tab.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
        await tab.goto(`${secured.url}/?job=${job.jobId}`);
        // Metadata needs jobs:read only; contents and download links need results:read.
        await tab.locator('#files-error', { hasText: /^Download links are not available \(FORBIDDEN\): / }).waitFor();
        await tab.locator('#failed-error', { hasText: /^The failed records could not be read \(FORBIDDEN\): / }).waitFor();
        expect(await tab.locator('#results-fields .field', { hasText: 'Failed' }).locator('dd').textContent()).toBe('150');
        expect(await tab.locator('#output-files li').count()).toBe(1);
        expect(await tab.locator('#output-files a').count()).toBe(0);
        expect(await tab.locator('#failed-records').isHidden()).toBe(true);
        expect(await tab.locator('#retry-form').isHidden()).toBe(true);

        // Records readable, but no jobs:write: the key's scopes (viewer) hide the action before it can
        // fail, and say why where it would be.
        const mutations: string[] = [];
        tab.on('request', (request) => {
          if (request.postData()?.includes('mutation DashboardRetry(')) mutations.push(request.postData()!);
        });
        await tab.locator('#api-key-panel summary').click();
        await tab.getByLabel('API key', { exact: true }).fill(readerKey);
        await tab.getByRole('button', { name: 'Save' }).click();
        await tab.locator('#failed-caption', { hasText: '50 of 150 failed records' }).waitFor();
        // Only the scope it lacks: it has results:read.
        await tab.locator('#retry-note', { hasText: /^Retrying failed records needs the jobs:write scope, which this API key does not have\.$/ }).waitFor();
        await tab.locator('#viewer', { hasText: 'jobs:read, results:read · no Stop or Retry' }).waitFor();
        expect(await tab.locator('#retry-form').isHidden()).toBe(true);
        expect(mutations).toEqual([]);
        expect(secured.simulator.engine.size).toBe(1);
      } finally {
        await other.close();
        await secured.close();
      }
      expect(pageErrors).toEqual([]);
    });
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
});
