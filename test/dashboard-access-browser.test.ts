// The dashboard and API keys in a real browser (support/chromium.ts), against a gateway that
// requires them: no key and a wrong key ask for a key (UNAUTHENTICATED), which is told apart from a
// key that lacks jobs:read (FORBIDDEN); beside the key control the page shows who the key is and
// what it may do (Query.viewer), and a key without jobs:write never sees a Stop button.
import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SimulatedJob } from '../src/simulator/index.ts';
import { HAS_CHROMIUM, launchChromium } from './support/chromium.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

const STEP_TIMEOUT_MS = 15_000;
const TEST_TIMEOUT_MS = 60_000;
const KEYS = {
  writer: 'dashboard-writer-key-0123456789abcdef',
  reader: 'dashboard-reader-key-0123456789abcdef',
  resultsOnly: 'dashboard-results-key-0123456789abcdef',
};
const STORAGE_KEY = 'bedrock-jobs-dashboard:api-key';
/** How the gateway names a key: never the key itself. */
const idOf = (key: string) => `key:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

describe.skipIf(!HAS_CHROMIUM)('API keys on the dashboard, in a real browser', { timeout: TEST_TIMEOUT_MS }, () => {
  let t: TestGateway;
  let browser: Browser;
  let running: SimulatedJob;
  const pageErrors: string[] = [];

  /** A tab in a context of its own, with `apiKey` stored (none when undefined). */
  const openPage = async (apiKey?: string): Promise<Page> => {
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
    onTestFinished(() => context.close());
    if (apiKey) await context.addInitScript(([name, key]) => localStorage.setItem(name!, key!), [STORAGE_KEY, apiKey]);
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    return page;
  };
  const failure = (page: Page) => page.locator('#load-failure-text');
  const row = (page: Page, job: SimulatedJob) => page.locator(`#job-rows tr[data-job-id="${job.jobId}"]`);

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestGateway({
        AUTH_REQUIRED: 'true',
        GATEWAY_API_KEYS: JSON.stringify({
          [KEYS.writer]: ['jobs:read', 'jobs:write'],
          [KEYS.reader]: ['jobs:read'],
          [KEYS.resultsOnly]: ['results:read'],
        }),
        POLL_INTERVAL_MS: '100',
        RATE_LIMIT_RPS: '0',
      }),
      launchChromium(),
    ]);
    running = t.simulator.engine.createJob({ jobName: 'ticket-triage-nightly', status: 'InProgress', totalRecordCount: 100 }, { paused: true });
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('should ask for a key when there is none, and not blame a missing scope', async () => {
    const page = await openPage();
    await page.goto(`${t.url}/`);
    await failure(page).filter({ hasText: /^The jobs could not be loaded \(UNAUTHENTICATED\): .* This gateway needs an API key: enter one under “API key”\.$/ }).waitFor();
    // The socket was refused too (4403): said as what it is, once the page knows.
    await page.locator('#connection', { hasText: 'Offline: API key needed' }).waitFor();
    await page.locator('#viewer', { hasText: 'No key entered' }).waitFor();
    expect(await page.locator('#api-key-panel').getAttribute('open')).not.toBeNull();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('api-key');
    expect(await page.locator('main').textContent()).not.toMatch(/jobs:read|Live updates/);
  });

  it('should say the key is not accepted when it is wrong, then load once a good one is saved', async () => {
    const page = await openPage('not-a-key-of-this-gateway');
    await page.goto(`${t.url}/`);
    await failure(page).filter({ hasText: /\(UNAUTHENTICATED\): Invalid API key\. The gateway does not accept this API key: check it, or enter another under “API key”\.$/ }).waitFor();
    await page.locator('#connection', { hasText: 'Offline: API key not accepted' }).waitFor();
    await page.locator('#viewer', { hasText: 'Key not accepted' }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('jobs:read');

    await page.getByLabel('API key', { exact: true }).fill(KEYS.writer);
    await page.getByRole('button', { name: 'Save' }).click();
    await row(page, running).waitFor();
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.locator('#viewer', { hasText: `${idOf(KEYS.writer)} · jobs:read, jobs:write` }).waitFor();
    expect(await page.locator('#viewer').textContent()).not.toContain(KEYS.writer);
    expect(await row(page, running).getByRole('button', { name: `Stop ${running.jobName}` }).isVisible()).toBe(true);
    expect(await page.locator('#load-failure').isHidden()).toBe(true);
  });

  it('should tell a key without jobs:read that it lacks jobs:read', async () => {
    const page = await openPage(KEYS.resultsOnly);
    await page.goto(`${t.url}/`);
    await failure(page)
      .filter({ hasText: /^The jobs could not be loaded \(FORBIDDEN\): .*jobs:read.* This API key is not allowed to read jobs \(it needs jobs:read\)\.$/ })
      .waitFor();
    await page.locator('#viewer', { hasText: `${idOf(KEYS.resultsOnly)} · results:read · cannot list jobs · no Stop or Retry` }).waitFor();
    // The key is good: the socket was admitted, and the list's problem is what the line says.
    await page.locator('#connection[data-state="problem"]', { hasText: 'Not loaded' }).waitFor();
    expect(await page.locator('main').textContent()).not.toMatch(/UNAUTHENTICATED|enter one under/);
    expect(await page.locator('#api-key-panel').getAttribute('open')).toBeNull();
  });

  it('should show a key without jobs:write no Stop button, before any stop is tried', async () => {
    const page = await openPage(KEYS.reader);
    const stops: string[] = [];
    page.on('request', (request) => {
      if (request.postData()?.includes('DashboardStop')) stops.push(request.postData()!);
    });
    await page.goto(`${t.url}/`);
    await row(page, running).locator('.chip', { hasText: 'In progress' }).waitFor();
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.locator('#viewer', { hasText: `${idOf(KEYS.reader)} · jobs:read · no Stop or Retry` }).waitFor();
    expect(await page.locator('#job-rows button.stop:visible').count()).toBe(0);
    expect(await page.locator('#notice').isHidden()).toBe(true);
    expect(stops).toEqual([]);
    expect(t.simulator.stats().calls.StopModelInvocationJob).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
