// GraphiQL in a real browser: headless Chromium (support/chromium.ts) against an in-process
// gateway whose simulator is seeded, as `npm run dev` starts it. The example runs operation by
// operation from ▶'s menu; queries and subscriptions run; with auth on, the page says where a key
// goes and loads the schema once one is typed into the Headers tab. Every wait is for an event or
// a DOM state, never a fixed time. Without Chromium the suite is skipped with a warning (see
// dashboard-list-browser.test.ts for REQUIRE_BROWSER=1).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium } from './support/chromium.ts';
import { nextRound } from './support/poller-rounds.ts';
import { startTestGateway, type TestGateway } from './support/test-gateway.ts';

/** Generous: the machine may be busy with other test files. */
const STEP_TIMEOUT_MS = 30_000;
/**
 * GraphiQL loads several megabytes of editor code per page; on a busy two-core machine one test of
 * two page loads took over 30 s (the default test timeout) in CI, so its tests get more.
 */
const TEST_TIMEOUT_MS = 120_000;

describe.skipIf(!HAS_CHROMIUM)('GraphiQL in a real browser', { timeout: TEST_TIMEOUT_MS }, () => {
  let t: TestGateway;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestGateway({ POLL_INTERVAL_MS: '100' }, { seed: true }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** What the page's Content-Security-Policy refused, by tab (newTab). */
  const cspViolations = new Map<Page, string[]>();
  /**
   * A tab in a context of its own: GraphiQL keeps its tabs and Headers tab in the origin's storage,
   * and a page opened on stored tabs would not show the example. Every `securitypolicyviolation`
   * event of its pages, and every report of one on the console (workers' too), is kept for
   * `cspViolations`.
   */
  const newTab = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    contexts.push(context);
    const tab = await context.newPage();
    const violations: string[] = [];
    cspViolations.set(tab, violations);
    // Bindings and init scripts are the browser's own, not the page's: the policy does not apply.
    await context.exposeFunction('reportCspViolation', (violation: string) => violations.push(violation));
    await context.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (event) =>
        (window as unknown as { reportCspViolation(violation: string): void }).reportCspViolation(`${event.effectiveDirective} refused ${event.blockedURI}`),
      ),
    );
    tab.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    });
    return tab;
  };
  afterAll(() => Promise.all(contexts.map((context) => context.close())));

  const execute = (tab: Page) => tab.getByRole('button', { name: /^Execute query/ }).click();
  const responseText = (tab: Page, text: string) =>
    tab.waitForFunction((expected) => document.querySelector('.graphiql-response')?.textContent?.includes(expected), text);
  /** An editor's text; Monaco renders spaces as no-break spaces. */
  const editorText = async (tab: Page, selector: string) => ((await tab.locator(selector).textContent()) ?? '').replace(/\u00a0/g, ' ');

  it('should run a query', async () => {
    const job = t.simulator.engine.createJob({ status: 'Completed', jobName: 'graphiql-query' }, { paused: true });
    const tab = await newTab();
    await tab.goto(`${t.url}/graphql?query=${encodeURIComponent(`{ modelInvocationJob(jobIdentifier: "${job.jobId}") { jobName status } }`)}`);
    await execute(tab);
    await responseText(tab, 'graphiql-query');
    await responseText(tab, '"COMPLETED"');
  });

  it('should stream subscription events', async () => {
    const job = t.simulator.engine.createJob({ status: 'Submitted' }, { paused: true });
    const tab = await newTab();
    await tab.goto(`${t.url}/graphql?query=${encodeURIComponent(`subscription { modelInvocationJobUpdated(jobIdentifier: "${job.jobId}") { jobName status } }`)}`);
    await execute(tab);
    await responseText(tab, '"SUBMITTED"');
    t.simulator.engine.advance(job.jobId);
    await responseText(tab, '"VALIDATING"');
  });

  it("should open on the example and run each of its operations from ▶'s menu", async () => {
    const tab = await newTab();
    const pageErrors: string[] = [];
    tab.on('pageerror', (error) => pageErrors.push(error.message));
    await tab.goto(`${t.url}/graphql`);
    expect(await editorText(tab, '.graphiql-query-editor')).toContain('query RecentJobs {');

    /** Picks `operation` from the menu ▶ opens (the cursor is in no operation) and awaits `rootField`. */
    const run = async (operation: string, rootField: string) => {
      await execute(tab);
      await tab.getByRole('menuitem', { name: operation, exact: true }).click();
      await responseText(tab, `"${rootField}"`);
      expect(await editorText(tab, '.graphiql-response'), operation).not.toContain('"errors"');
    };
    for (const [operation, rootField] of [
      ['RecentJobs', 'modelInvocationJobs'],
      ['Job', 'inputDataConfig'],
      ['ManyJobs', 'modelInvocationJobsByIdentifier'],
      ['JobTiming', 'timeline'],
    ] as const) {
      const answer = tab.waitForResponse((response) => response.request().method() === 'POST' && response.request().postDataJSON()?.operationName === operation);
      await run(operation, rootField);
      expect(((await (await answer).json()) as { errors?: unknown }).errors, operation).toBeUndefined();
    }

    // The account stream reports changes only: a job submitted after its first poll.
    await execute(tab);
    await tab.getByRole('menuitem', { name: 'WatchAccount', exact: true }).click();
    await expect.poll(() => t.gateway.poller.stats().accountWatchers).toBe(1);
    await nextRound(t.gateway.poller);
    t.simulator.engine.createJob({ status: 'Submitted', jobName: 'graphiql-watch-account' }, { paused: true });
    await responseText(tab, '"modelInvocationJobsChanged"');
    expect(await editorText(tab, '.graphiql-response')).not.toContain('"errors"');
    await tab.getByRole('button', { name: /^Stop query/ }).click();

    await run('WatchJob', 'modelInvocationJobUpdated');
    expect(pageErrors).toEqual([]);
    // Monaco's workers, fonts, styles, the schema's introspection, queries and SSE all allowed.
    expect(cspViolations.get(tab)).toEqual([]);
    // And the watch is not blind: what the policy refuses is seen.
    await tab.evaluate(() => fetch('http://example.invalid/').catch(() => undefined));
    await expect.poll(() => cspViolations.get(tab)).toContain('connect-src refused http://example.invalid/');
  });

  describe('with auth on', () => {
    const apiKey = 'graphiql-key-0123456789abcdef';
    let secured: TestGateway;
    beforeAll(async () => {
      secured = await startTestGateway({ AUTH_REQUIRED: 'true', GATEWAY_API_KEYS: JSON.stringify({ [apiKey]: ['jobs:read'] }), POLL_INTERVAL_MS: '100' });
    });
    afterAll(() => secured?.close());

    /** Replaces the Headers tab's text with `text` (the editor closes the brace itself). */
    const typeHeaders = async (tab: Page, text: string) => {
      await tab.getByRole('button', { name: /^Headers$/ }).click();
      const headers = tab.locator('.graphiql-editor-tool .monaco-editor').last();
      await headers.click();
      // GraphiQL restores the Headers tab from storage (a moment after each edit): replace
      // whatever it holds, or a second object typed into the first makes the headers invalid.
      await tab.keyboard.press('ControlOrMeta+A');
      await tab.keyboard.press('Backspace');
      await tab.keyboard.type(text);
      await expect.poll(async () => (await headers.textContent())?.split(apiKey).length).toBe(2);
    };

    it('should say where the key goes, and load the schema once one is typed into the Headers tab', async () => {
      const tab = await newTab();
      await tab.goto(`${secured.url}/graphql`);
      const hint = await editorText(tab, '.graphiql-query-editor');
      expect(hint).toContain('open the Headers tab below and put');
      expect(hint).toContain('{"x-api-key": "<key>"}');
      expect(hint).toContain('{"authorization": "Bearer <token>"}');

      await tab.getByRole('button', { name: 'Show Documentation Explorer' }).click();
      const docs = tab.locator('.graphiql-doc-explorer');
      await docs.getByText('Error fetching schema').waitFor();

      // Typed, not run: the schema loads by itself.
      await typeHeaders(tab, `{"x-api-key": "${apiKey}"`);
      await docs.getByText('Root Types').waitFor();
      await docs.getByRole('link', { name: 'Query' }).first().click();
      await docs.getByText('modelInvocationJobsByIdentifier').first().waitFor();
      expect(cspViolations.get(tab)).toEqual([]);
    });

    it('should send its Headers tab with queries and subscriptions', async () => {
      const job = secured.simulator.engine.createJob({ status: 'Submitted' }, { paused: true });
      const tab = await newTab();
      const runWithKey = async (query: string) => {
        await tab.goto(`${secured.url}/graphql?query=${encodeURIComponent(query)}`);
        await typeHeaders(tab, `{"x-api-key": "${apiKey}"`);
        await execute(tab);
      };

      await runWithKey(`{ modelInvocationJob(jobIdentifier: "${job.jobId}") { status } }`);
      await responseText(tab, '"SUBMITTED"');
      await runWithKey(`subscription { modelInvocationJobUpdated(jobIdentifier: "${job.jobId}") { status } }`);
      await responseText(tab, '"SUBMITTED"');
      secured.simulator.engine.advance(job.jobId);
      await responseText(tab, '"VALIDATING"');
    });
  });
});
