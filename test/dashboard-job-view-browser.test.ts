// A job's own view on the dashboard in a real browser: headless Chromium (Debian's, driven by
// playwright-core) against an in-process gateway and a simulator this test drives, its eight jobs at
// fixed times with their S3 outputs (support/dashboard-browser.ts). Every field of a job, its
// results (output folder, manifest, tokens, cost, files with working download links), its failed
// records page by page, retrying them, Back to the list, a job followed live to its results, a
// phone, S3 or the job refusing, and what keys without results:read or jobs:write see. Every wait
// is for an event or a DOM state, never a fixed time. Also writes the README's docs/job-view.png.
// The jobs list has a file of its own (dashboard-list-browser.test.ts).
//
// Chromium is `chromium` on the PATH, or CHROMIUM_PATH (support/chromium.ts). Without it the suite
// is skipped with a warning.
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SimulatedJob } from '../src/simulator/index.ts';
import { HAS_CHROMIUM } from './support/chromium.ts';
import { BASE, HOUR, MINUTE, STEP_TIMEOUT_MS, useDashboardBrowser } from './support/dashboard-browser.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const JOB_VIEW_SCREENSHOT = fileURLToPath(new URL('../docs/job-view.png', import.meta.url));

describe.skipIf(!HAS_CHROMIUM)('dashboard in a real browser', () => {
  let t: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const { jobs, pageErrors } = useDashboardBrowser((opened) => ({ t, browser, context, page } = opened));
  // A stored API key, as the list's tests leave one (auth is off, so it changes no answer): the
  // README's docs/job-view.png shows "API key set".
  beforeAll(() => context.addInitScript(() => localStorage.setItem('bedrock-jobs-dashboard:api-key', 'test-key-123')));

  const row = (job: SimulatedJob) => page.locator(`#job-rows tr[data-job-id="${job.jobId}"]`);

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
});
