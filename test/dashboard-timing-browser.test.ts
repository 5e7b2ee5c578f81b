// What the dashboard shows of the gateway's own measures, in a real browser (support/chromium.ts):
// a running row's rate and ETA, kept live by its progress stream; and a job's view with startedAt,
// throughput, estimated completion and the timeline, whose entries taken from Bedrock's own times
// say so. Against an in-process gateway and a simulator whose clock moves a steady job 10 records
// every 100 ms. Every wait is for an event or a DOM state, never a fixed time.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SimulatedJob, SimulatedJobStatus } from '../src/simulator/index.ts';
import { HAS_CHROMIUM, launchChromium } from './support/chromium.ts';
import { nextRound } from './support/poller-rounds.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The simulator's step: a steady job of 10 records a step moves 6,000 records a minute. */
const STEP_MS = 100;
/** Generous: browser tests share a busy two-core machine with the rest of the suite. */
const STEP_TIMEOUT_MS = 15_000;
const TEST_TIMEOUT_MS = 120_000;
/** Fixed job times for exact text; in the past, since the simulator stamps changes with the real clock. */
const BASE = Date.parse('2026-06-01T09:00:00Z');

const LABELS: Partial<Record<SimulatedJobStatus, string>> = {
  Submitted: 'Submitted',
  Validating: 'Validating',
  Scheduled: 'Scheduled',
  InProgress: 'In progress',
  Completed: 'Completed',
};
/** Intl's spaces (a narrow no-break space before AM/PM in some ICU versions) as plain ones. */
const plain = (text: string | null) => (text ?? '').replace(/\s/g, ' ');
const clock = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' });

interface JobEvent {
  jobId: string;
  processedRecordCount: number | null;
  throughput: { recordsPerMinute: number; windowSeconds: number } | null;
  estimatedCompletionTime: string | null;
}

describe.skipIf(!HAS_CHROMIUM)('rates, ETAs and timelines in a real browser', { timeout: TEST_TIMEOUT_MS }, () => {
  let t: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  /** A fresh tab, closed after the test; its console errors fail the suite's last check. */
  const openPage = async (viewport = { width: 1280, height: 800 }) => {
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await page.setViewportSize(viewport);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    onTestFinished(() => page.close());
    return page;
  };
  const row = (page: Page, job: SimulatedJob) => page.locator(`#job-rows tr[data-job-id="${job.jobId}"]`);
  /** The value of the term `term` in the job view's Details. */
  const field = (page: Page, term: string) =>
    page.locator('#job-fields .field').filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) }).locator('dd');

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestGateway(
        { POLL_INTERVAL_MS: '100', POLL_MAX_CALLS_PER_SECOND: '1000', UPSTREAM_CALLS_PER_SECOND: '1000' },
        { stepMs: STEP_MS },
      ),
      launchChromium(),
    ]);
    context = await browser.newContext({ deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  describe("a running job's row", () => {
    let steady: SimulatedJob;
    let scheduled: SimulatedJob;
    let page: Page;
    const pace = () => row(page, steady).locator('.pace');

    beforeAll(() => {
      steady = t.simulator.engine.createJob(
        { jobName: 'ticket-embeddings-steady', status: 'InProgress', processedRecordCount: 0, successRecordCount: 0, errorRecordCount: 0 },
        { outcome: 'Completed', totalRecordCount: 1_000_000, recordsPerStep: 10 },
      );
      scheduled = t.simulator.engine.createJob({ jobName: 'ticket-embeddings-next', status: 'Scheduled' }, { paused: true, totalRecordCount: 500 });
    });

    it('should show the rate and the ETA once the gateway has observed the job twice, and keep them live', async () => {
      page = await context.newPage();
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
      // The oracle: the job's latest modelInvocationJobUpdated event as the page received it.
      let latest: JobEvent | undefined;
      page.on('websocket', (socket) =>
        socket.on('framereceived', ({ payload }) => {
          const message = JSON.parse(String(payload));
          const job: JobEvent | undefined = message.type === 'next' ? message.payload?.data?.modelInvocationJobUpdated : undefined;
          if (job?.jobId === steady.jobId) latest = job;
        }),
      );

      await page.goto(`${t.url}/`);
      await row(page, steady).locator('.pace', { hasText: /^≈\s[\d,]+\srecords\/min · done\s≈\s.+ \(in .+\)$/ }).waitFor();
      // Not running, so nothing of the kind: no placeholder either.
      expect(await row(page, scheduled).locator('.pace').isHidden()).toBe(true);

      // Hold the job still, so that the last event stays the last; then read "in N min." on a
      // clock 12 minutes and 20 seconds before the ETA.
      t.simulator.engine.pause();
      onTestFinished(() => t.simulator.engine.resume());
      for (let i = 0; i < 3; i++) await nextRound(t.gateway.poller);
      const event = latest!;
      expect(event.throughput!.recordsPerMinute).toBeGreaterThan(0);
      const eta = new Date(event.estimatedCompletionTime!);
      expect(eta.getTime()).toBeGreaterThan(Date.now());
      await page.clock.setFixedTime(eta.getTime() - 12 * MINUTE - 20_000);
      const expected = `≈ ${Math.round(event.throughput!.recordsPerMinute).toLocaleString('en-US')} records/min · done ≈ ${clock.format(eta)} (in 12 min.)`;
      await expect.poll(async () => plain(await pace().textContent())).toBe(plain(expected));
      expect(await pace().locator('time').getAttribute('datetime')).toBe(eta.toISOString());

      // Running again: each poll's event brings a new rate and ETA.
      t.simulator.engine.resume();
      await expect.poll(async () => plain(await pace().textContent())).not.toBe(plain(expected));
      expect(await pace().isVisible()).toBe(true);
    });

    it("should fit the longest ETA into a phone's card without sideways scrolling", async () => {
      const phone = await openPage({ width: 390, height: 844 });
      await phone.goto(`${t.url}/`);
      const line = row(phone, steady).locator('.pace');
      await line.locator('time').waitFor();
      // Two days ahead: the ETA names its day.
      const eta = Date.parse((await line.locator('time').getAttribute('datetime'))!);
      await phone.clock.setFixedTime(eta - 50 * HOUR);
      await line.filter({ hasText: /done\s≈\s[A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d{2}\s[AP]M \(in 2 days\)$/ }).waitFor();
      expect(await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      const box = (await line.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    });

    it('should show nothing of it once the job has finished', async () => {
      t.simulator.engine.setStatus(steady.jobId, 'Completed');
      await row(page, steady).locator('.chip', { hasText: /^Completed$/ }).waitFor();
      expect(await pace().isHidden()).toBe(true);
      expect(await row(page, steady).innerText()).not.toMatch(/records\/min|done\s≈/);
      await page.close();
    });
  });

  describe("a job's view", () => {
    it('should show startedAt, the rate and the ETA while the job runs, and its timeline as it goes', async () => {
      const { engine } = t.simulator;
      const job = engine.createJob({ jobName: 'faq-rewrite-watched', status: 'Submitted' }, { paused: true, outcome: 'Completed', totalRecordCount: 100 });
      const page = await openPage();
      await page.goto(`${t.url}/?job=${job.jobId}`);
      const timeline = page.getByRole('list', { name: 'Timeline' });
      await timeline.getByRole('listitem').filter({ hasText: /^Submitted / }).waitFor();

      // Step by step, each state seen by the page (and so by the gateway) before the next.
      let runningStates = 0;
      for (;;) {
        const now = engine.get(job.jobId)!;
        await page.locator('#job-status', { hasText: new RegExp(`^${LABELS[now.status]}$`) }).waitFor();
        if (now.status === 'Completed') break;
        if (now.status === 'InProgress') {
          await field(page, 'Records').filter({ hasText: new RegExp(`· ${now.processedRecordCount} processed`) }).waitFor();
          // The second state seen running: the gateway has a rate, and an ETA.
          if (++runningStates === 2) {
            await field(page, 'Throughput').filter({ hasText: /^≈\s[\d,.]+\srecords\/min, over the last \d+s$/ }).waitFor();
            await field(page, 'Estimated completion')
              .filter({ hasText: /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2}\s[AP]M \((in [\d.]+ (min|hr)\.|this minute)\)$/ })
              .waitFor();
            await page.locator('#job-pace', { hasText: /^≈\s[\d,.]+\srecords\/min · done\s≈\s/ }).waitFor();
            const started = await field(page, 'Started').locator('time').getAttribute('datetime');
            expect(await timeline.getByRole('listitem').filter({ hasText: /^In progress / }).locator('time').getAttribute('datetime')).toBe(started);
          }
        }
        engine.advance(job.jobId);
      }
      expect(runningStates).toBeGreaterThanOrEqual(2);

      // Finished: read again, the rate and ETA gone, the timeline whole and every entry observed.
      await expect.poll(() => field(page, 'Throughput').count()).toBe(0);
      expect(await field(page, 'Estimated completion').count()).toBe(0);
      expect(await page.locator('#job-pace').isHidden()).toBe(true);
      await timeline.getByRole('listitem').nth(4).waitFor();
      const entries = await timeline.getByRole('listitem').evaluateAll((items) =>
        items.map((item) => ({
          status: item.querySelector('.timeline-status')!.textContent,
          at: item.querySelector('time')!.getAttribute('datetime')!,
          reported: item.querySelector('.timeline-reported') !== null,
        })),
      );
      expect(entries.map(({ status, reported }) => [status, reported])).toEqual([
        ['Submitted', false],
        ['Validating', false],
        ['Scheduled', false],
        ['In progress', false],
        ['Completed', false],
      ]);
      const times = entries.map(({ at }) => Date.parse(at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times[0]).toBeGreaterThanOrEqual(job.submitTime.getTime());
      expect(await timeline.getByRole('listitem').nth(4).locator('.timeline-after').textContent()).toMatch(/^(\d+m )?\d+s later$/);
      expect(await page.locator('#timeline-note').isHidden()).toBe(true);
      expect(await field(page, 'Started').locator('time').getAttribute('datetime')).toBe(entries[3]!.at);
    });

    it("should mark the entries of a job seen late as Bedrock's own times, in words", async () => {
      const { engine } = t.simulator;
      const finished = engine.createJob(
        {
          jobName: 'faq-rewrite-seen-finished',
          status: 'Completed',
          totalRecordCount: 100,
          submitTime: new Date(BASE),
          lastModifiedTime: new Date(BASE + 3 * HOUR + 12 * MINUTE),
          endTime: new Date(BASE + 3 * HOUR + 12 * MINUTE),
        },
        { paused: true },
      );
      const page = await openPage();
      await page.goto(`${t.url}/?job=${finished.jobId}`);
      const items = page.getByRole('list', { name: 'Timeline' }).getByRole('listitem');
      await items.first().waitFor();
      expect((await items.allTextContents()).map(plain)).toEqual([
        'Submitted Jun 1, 2026, 9:00:00 AM (reported by Bedrock)',
        'Completed Jun 1, 2026, 12:12:00 PM 3h 12m later (reported by Bedrock)',
      ]);
      expect(await page.locator('#timeline-note').textContent()).toMatch(/reported by Bedrock.*the gateway first saw this job later/);
      // Never seen running: no start time, said as none.
      expect(await field(page, 'Started').locator('time').count()).toBe(0);
      expect(await field(page, 'Started').locator('.none').count()).toBe(1);

      // First seen running: only SUBMITTED is Bedrock's.
      const running = engine.createJob(
        { jobName: 'faq-rewrite-seen-running', status: 'InProgress', totalRecordCount: 100, processedRecordCount: 40, successRecordCount: 40, errorRecordCount: 0, submitTime: new Date(BASE) },
        { paused: true },
      );
      await page.goto(`${t.url}/?job=${running.jobId}`);
      await page.locator('#job-title', { hasText: /^faq-rewrite-seen-running$/ }).waitFor();
      const texts = (await items.allTextContents()).map(plain);
      expect(texts).toHaveLength(2);
      expect(texts[0]).toBe('Submitted Jun 1, 2026, 9:00:00 AM (reported by Bedrock)');
      // Seen months after it was submitted.
      expect(texts[1]).toMatch(/^In progress [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M \d+d \d+h later$/);
      expect(await items.nth(1).locator('time').getAttribute('datetime')).toBe(await field(page, 'Started').locator('time').getAttribute('datetime'));
      expect(pageErrors).toEqual([]);
    });
  });
});
