// The jobs list in a real browser (support/chromium.ts) when things are not fine: a list that
// could not be read (the error with Retry, never "No jobs match" nor a green "Live"), a dropped
// connection (actions unavailable until it is back), where the keyboard goes (never to <body>),
// what the filters say (case-sensitive names; the caption counts matching rows only), a failed
// stop's message (a line under its row that leaves the columns as they were), a phone's cards and
// the dark scheme. Against an in-process gateway and a simulator this test drives; every wait is
// for an event or a DOM state, never a fixed time.
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SimulatedJob } from '../src/simulator/index.ts';
import { HAS_CHROMIUM, launchChromium } from './support/chromium.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const MINUTE = 60_000;
/** Fixed job times; in the past, since the simulator stamps changes with the real clock. */
const BASE = Date.parse('2026-06-01T09:00:00Z');
/** Generous: browser tests share a busy two-core machine with the rest of the suite. */
const STEP_TIMEOUT_MS = 15_000;
const TEST_TIMEOUT_MS = 60_000;
/** The dashboard's list page size (list-pages.js). */
const PAGE_SIZE = 50;

describe.skipIf(!HAS_CHROMIUM)('the jobs list when things go wrong, in a real browser', { timeout: TEST_TIMEOUT_MS }, () => {
  let t: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  const pageErrors: string[] = [];
  const jobs: Record<string, SimulatedJob> = {};

  /** A fresh tab, closed after the test. */
  const openPage = async (on: BrowserContext = context) => {
    const page = await on.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    onTestFinished(() => page.close());
    return page;
  };
  const row = (page: Page, job: SimulatedJob) => page.locator(`#job-rows tr[data-job-id="${job.jobId}"]`);
  const rowIds = (page: Page) => page.locator('#job-rows tr[data-job-id]').evaluateAll((rows) => rows.map((tr) => (tr as HTMLElement).dataset.jobId));
  /** The job whose row holds the keyboard focus; 'BODY' when nothing does. */
  const focused = (page: Page) =>
    page.evaluate(() => (document.activeElement?.closest('tr[data-job-id]') as HTMLElement | null)?.dataset.jobId ?? document.activeElement?.tagName);
  const live = (page: Page) => page.locator('#connection[data-state="live"]').waitFor();

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestGateway({ POLL_INTERVAL_MS: '100', POLL_MAX_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_PER_SECOND: '1000' }),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
    context.on('dialog', (dialog) => void dialog.accept());
    const { engine } = t.simulator;
    // More than a page: the oldest are found with "Load more".
    for (let i = 0; i < PAGE_SIZE + 3; i++) {
      engine.createJob({ jobName: `nightly-summary-${String(i).padStart(2, '0')}`, status: 'Completed', submitTime: new Date(BASE - (i + 10) * MINUTE) }, { paused: true });
    }
    jobs.running = engine.createJob(
      { jobName: 'Invoice-Extraction-EU', modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', status: 'InProgress', totalRecordCount: 1000, submitTime: new Date(BASE) },
      { paused: true },
    );
    jobs.waiting = engine.createJob(
      { jobName: 'invoice-extraction-us', modelId: 'amazon.titan-embed-text-v2:0', status: 'Scheduled', submitTime: new Date(BASE - MINUTE) },
      { paused: true },
    );
    jobs.failed = engine.createJob(
      {
        jobName: 'contract-clause-tagging-with-a-long-name-that-wraps',
        modelId: 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0',
        status: 'Failed',
        message:
          'Unable to read the input file: access denied to the S3 location s3://acme-ml-batch/input/contract-clause-tagging/2026-06-01/records.jsonl. Check the permissions of the service role, and that the bucket policy allows bedrock.amazonaws.com to read it.',
        submitTime: new Date(BASE - 2 * MINUTE),
      },
      { paused: true },
    );
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('should show a failed load with its error and Retry, never as an empty list nor as Live', async () => {
    // Every list read fails until reset: the page's and the poller's.
    t.simulator.faults.failNext(1_000_000, 'accessDenied', 'ListModelInvocationJobs');
    onTestFinished(() => t.simulator.faults.reset());
    const page = await openPage();
    await page.goto(`${t.url}/`);
    const failure = page.locator('#load-failure');
    await failure.locator('p', { hasText: /^The jobs could not be loaded \(FORBIDDEN\): Bedrock denied ListModelInvocationJobs/ }).waitFor();
    // Bedrock refused the gateway, not this caller: no talk of the caller's scopes.
    expect(await failure.textContent()).not.toContain('jobs:read');
    expect(await page.locator('#empty').isHidden()).toBe(true);
    expect(await page.locator('#jobs').isHidden()).toBe(true);
    expect(await page.locator('#load-more').isHidden()).toBe(true);
    await page.locator('#connection[data-state="problem"]', { hasText: 'Not loaded' }).waitFor();
    expect(await page.locator('#connection-text').textContent()).not.toBe('Live');

    // By keyboard: Retry reads the list again, and the keyboard goes on to the first row.
    t.simulator.faults.reset();
    await page.getByRole('button', { name: 'Retry' }).focus();
    await page.keyboard.press('Enter');
    await row(page, jobs.running!).waitFor();
    await live(page);
    expect(await failure.isHidden()).toBe(true);
    expect(await page.locator('#jobs-caption').textContent()).toMatch(/^50 jobs \(more below\), newest first/);
    expect(await focused(page)).toBe((await rowIds(page))[0]);
  });

  it('should take the keyboard to the first new row after Load more', async () => {
    const page = await openPage();
    await page.goto(`${t.url}/`);
    await row(page, jobs.running!).waitFor();
    await live(page);
    const firstPage = await rowIds(page);
    expect(firstPage).toHaveLength(PAGE_SIZE);
    await page.getByRole('button', { name: 'Load more jobs' }).click();
    await page.locator('#jobs-caption', { hasText: /^56 jobs, newest first/ }).waitFor();
    const all = await rowIds(page);
    expect(all.slice(0, PAGE_SIZE)).toEqual(firstPage);
    expect(await focused(page)).toBe(all[PAGE_SIZE]);
    expect(await page.locator('#load-more').isHidden()).toBe(true);
  });

  it('should make Stop and Load more unavailable while disconnected, keep the focus, and give it back after the reload', async () => {
    const page = await openPage();
    // The socket goes through the test, which drops it and refuses new ones while `down`.
    let down = false;
    let socket: WebSocketRoute | undefined;
    await page.routeWebSocket(/\/graphql$/, (route) => {
      if (down) return route.close({ code: 1001, reason: 'test: gateway away' });
      route.connectToServer();
      socket = route;
    });
    await page.goto(`${t.url}/`);
    const stop = row(page, jobs.running!).getByRole('button', { name: `Stop ${jobs.running!.jobName}` });
    const more = page.getByRole('button', { name: 'Load more jobs' });
    await live(page);
    expect(await stop.getAttribute('aria-disabled')).toBe('false');
    expect(await more.getAttribute('aria-disabled')).toBe('false');
    await stop.focus();

    down = true;
    await socket!.close({ code: 1001, reason: 'test: gateway away' });
    await page.locator('#connection[data-state="reconnecting"]').waitFor();
    expect(await stop.getAttribute('aria-disabled')).toBe('true');
    expect(await more.getAttribute('aria-disabled')).toBe('true');
    // Unavailable, not disabled: the keyboard is still where it was.
    expect(await stop.evaluate((button) => button === document.activeElement)).toBe(true);
    // Pressing it does nothing.
    await page.keyboard.press('Enter');
    expect(t.simulator.engine.get(jobs.running!.jobId)!.status).toBe('InProgress');

    // Back: the list is read afresh (changes were not streamed meanwhile), the focus returns to the row.
    const reloaded = page.waitForRequest((request) => request.url().endsWith('/graphql') && (request.postData() ?? '').includes('DashboardJobs'));
    down = false;
    await reloaded;
    await live(page);
    await expect.poll(() => stop.getAttribute('aria-disabled')).toBe('false');
    await expect.poll(() => focused(page)).toBe(jobs.running!.jobId);
  });

  it('should say the name filter is case-sensitive, and count only the rows that match the filter', async () => {
    const page = await openPage();
    await page.goto(`${t.url}/?status=IN_PROGRESS`);
    await row(page, jobs.running!).waitFor();
    await live(page);
    const name = page.getByLabel('Name contains');
    expect(await name.getAttribute('aria-describedby')).toBe('name-filter-help');
    expect(await page.locator('#name-filter-help').textContent()).toBe('Case-sensitive');
    await page.locator('#jobs-caption', { hasText: /^1 job, newest first, status In progress · 1 unfinished$/ }).waitFor();

    // The job leaves the filter: its row stays, dimmed, and is no longer counted.
    t.simulator.engine.setStatus(jobs.running!.jobId, 'Completed', { processedRecordCount: 1000, successRecordCount: 1000 });
    await row(page, jobs.running!).locator('.chip', { hasText: 'Completed' }).waitFor();
    await page.locator('#jobs-caption', { hasText: /^0 jobs, newest first, status In progress · 0 unfinished · 1 more shown that no longer matches$/ }).waitFor();

    // Bedrock matches names case-sensitively: an empty answer says so.
    await page.getByLabel('Status').selectOption('');
    await name.fill('invoice-extraction-eu');
    await name.press('Enter');
    await page.locator('#empty', { hasText: 'No jobs match these filters. The name filter is case-sensitive.' }).waitFor();
    await name.fill('Invoice-Extraction');
    await name.press('Enter');
    await row(page, jobs.running!).waitFor();
    expect(await rowIds(page)).toEqual([jobs.running!.jobId]);
  });

  it("should put a failed stop's message on a line under its row, leaving the columns as they were", async () => {
    const page = await openPage();
    await page.goto(`${t.url}/`);
    const job = jobs.waiting!;
    await row(page, job).waitFor();
    await live(page);
    const columns = () => page.locator('#jobs thead th').evaluateAll((cells) => cells.map((cell) => Math.round(cell.getBoundingClientRect().width)));
    const before = await columns();

    t.simulator.faults.failNext(1, 'conflict', 'StopModelInvocationJob');
    await row(page, job).getByRole('button', { name: `Stop ${job.jobName}` }).click();
    const error = page.locator(`#job-rows tr[data-error-for="${job.jobId}"] .row-error`);
    await error.filter({ hasText: /^Could not stop \(CONFLICT\): / }).waitFor();
    expect(await columns()).toEqual(before);
    const [rowBox, errorBox, tableBox] = await Promise.all([row(page, job).boundingBox(), error.boundingBox(), page.locator('#jobs').boundingBox()]);
    expect(errorBox!.y).toBeGreaterThanOrEqual(rowBox!.y + rowBox!.height - 1);
    // Across the columns, not inside the narrow actions one.
    expect(errorBox!.width).toBeGreaterThan(tableBox!.width / 2);
    // The button describes itself with it; the row's line is the one right under it.
    expect(await row(page, job).locator('button.stop').getAttribute('aria-describedby')).toBe(`row-error-${job.jobId}`);
    expect(await row(page, job).evaluate((tr) => (tr.nextElementSibling as HTMLElement).dataset.errorFor)).toBe(job.jobId);
  });

  it('should make cards on a 390 px phone, with ids wrapped at their separators and messages in full', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
    onTestFinished(() => phone.close());
    const page = await openPage(phone);
    await page.goto(`${t.url}/`);
    const card = row(page, jobs.failed!);
    await card.waitFor();
    await live(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(await card.evaluate((tr) => getComputedStyle(tr).display)).toBe('grid');
    // Nothing in a card is wider than the card.
    expect(await card.evaluate((tr) => [...tr.querySelectorAll('*')].every((element) => element.getBoundingClientRect().right <= tr.getBoundingClientRect().right + 0.5))).toBe(true);
    // The model id breaks after its separators; it reads (and copies) as it is.
    const model = card.locator('td.model');
    expect(await model.textContent()).toBe(jobs.failed!.modelId);
    expect(await model.locator('wbr').count()).toBe(jobs.failed!.modelId.split(/[.:/]/).length - 1);
    // Bedrock's message in full, without a tooltip to hover for.
    const message = card.locator('.job-message');
    expect(await message.textContent()).toBe(jobs.failed!.message);
    expect(await message.evaluate((element: HTMLElement) => element.scrollHeight <= element.clientHeight + 1 && !element.title)).toBe(true);
    expect(await page.locator('#job-rows .job-id').first().evaluate((element) => getComputedStyle(element).overflowWrap)).toBe('anywhere');
  });

  it('should follow a dark colour scheme with readable contrast', async () => {
    const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark', locale: 'en-US', timezoneId: 'UTC' });
    onTestFinished(() => dark.close());
    const page = await openPage(dark);
    await page.goto(`${t.url}/`);
    await row(page, jobs.failed!).waitFor();
    await live(page);
    // Text against what is behind it, for the kinds of text the list has (WCAG AA: 4.5:1).
    const contrasts = await page.evaluate(() => {
      const rgb = (color: string) => color.match(/[\d.]+/g)!.slice(0, 3).map(Number);
      const luminance = (color: string) => {
        const [r, g, b] = rgb(color).map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      /** The first background that is not transparent, from `element` up. */
      const backgroundOf = (element: Element | null): string => {
        for (let at = element; at; at = at.parentElement) {
          const background = getComputedStyle(at).backgroundColor;
          if (!/rgba\(.*, 0\)$/.test(background) && background !== 'transparent') return background;
        }
        return 'rgb(255, 255, 255)';
      };
      const ratio = (selector: string) => {
        const element = document.querySelector(selector)!;
        const [a, b] = [luminance(getComputedStyle(element).color), luminance(backgroundOf(element))].sort((x, y) => y - x);
        return { selector, ratio: Math.round(((a! + 0.05) / (b! + 0.05)) * 100) / 100 };
      };
      return [
        'h1',
        '#jobs-caption',
        '#jobs thead th',
        '.job-name',
        '.job-id',
        '.job-message',
        'td.model',
        '.chip-failed',
        '.chip-scheduled',
        '.chip-completed',
        '.progress-text',
        'button.stop',
        '#connection-text',
        '#viewer',
        '#name-filter-help',
      ].map(ratio);
    });
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(15, 23, 42)');
    for (const { selector, ratio } of contrasts) expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    expect(pageErrors).toEqual([]);
  });
});
