// Headless Chromium for the dashboard's browser tests: Debian's `chromium` on the PATH, or
// CHROMIUM_PATH, driven by playwright-core. Without it those tests are skipped with a loud
// warning; with REQUIRE_BROWSER=1 (CI) a missing Chromium fails instead (dashboard-list-browser.test.ts
// holds that failing test).
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH =
  process.env.CHROMIUM_PATH ??
  (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'chromium')).find((path) => existsSync(path)) ??
  '/usr/bin/chromium';
export const REQUIRE_BROWSER = process.env.REQUIRE_BROWSER === '1';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);

if (!HAS_CHROMIUM && !REQUIRE_BROWSER) {
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

/** A headless Chromium with nothing of its own going on (no updates, sync or background traffic). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
  });
}
