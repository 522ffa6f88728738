import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Where Debian installs Chromium (`apt-get install chromium`); `CHROMIUM_PATH` overrides it. */
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Launches the machine's Chromium headless through playwright-core, for tests of the pages a person uses (the login
 * page, the approval page). Background networking is off so the browser talks only to the pages under test.
 * Throws with the install command when no Chromium is found: a browser test never passes without a browser.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env['CHROMIUM_PATH'] ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--no-first-run',
      '--metrics-recording-only',
    ],
  });
}
