// The jobs list of the dashboard in a real browser: headless Chromium (Debian's, driven by
// playwright-core) against an in-process gateway and a simulator this test drives, its eight jobs at
// fixed times (support/dashboard-browser.ts). Rows, progress and durations that move without a
// reload, a new job at the top, the Stop buttons and their errors, a typed API key, the filters, and
// a connection with fewer operations than running rows. Every wait is for an event or a DOM state,
// never a fixed time. Also writes the README's screenshots of the list: docs/dashboard.png,
// docs/dashboard-phone.png (390 px) and docs/dashboard-dark.png (prefers-color-scheme: dark). A
// job's own view has a file of its own (dashboard-job-view-browser.test.ts), and so do rates, ETAs
// and timelines (dashboard-timing-browser.test.ts); failures, focus, filters and the layouts
// (dashboard-states-browser.test.ts); and API keys (dashboard-access-browser.test.ts).
//
// Chromium is `chromium` on the PATH, or CHROMIUM_PATH (support/chromium.ts). Without it the suite
// is skipped with a warning; with REQUIRE_BROWSER=1 (CI) a missing Chromium fails instead, here.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollerStats } from '../src/watch/poller.ts';
import type { SimulatedJob } from '../src/simulator/index.ts';
import { CHROMIUM_PATH, HAS_CHROMIUM, REQUIRE_BROWSER as REQUIRED } from './support/chromium.ts';
import { BASE, MINUTE, PAGE_NOW, STEP_TIMEOUT_MS, useDashboardBrowser } from './support/dashboard-browser.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const SCREENSHOT = fileURLToPath(new URL('../docs/dashboard.png', import.meta.url));
const PHONE_SCREENSHOT = fileURLToPath(new URL('../docs/dashboard-phone.png', import.meta.url));
const DARK_SCREENSHOT = fileURLToPath(new URL('../docs/dashboard-dark.png', import.meta.url));

describe.runIf(REQUIRED && !HAS_CHROMIUM)('browser tests in CI', () => {
  it('should find Chromium (REQUIRE_BROWSER=1)', () => {
    expect.fail(`REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM_PATH}`);
  });
});

describe.skipIf(!HAS_CHROMIUM)('dashboard in a real browser', () => {
  let t: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const { jobs, pageErrors } = useDashboardBrowser((opened) => ({ t, browser, context, page } = opened));

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
