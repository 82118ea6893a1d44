import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where a Chromium may be: `CHROMIUM_PATH`, then Debian's and other usual paths. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];

/** The Chromium executable to drive, or undefined when this machine has none. */
export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  return CANDIDATES.find((p) => existsSync(p));
}

/**
 * `test` when a Chromium is installed; otherwise `test.skip`, said loudly once per file so a
 * machine without a browser never looks as if the browser tests had passed. CI installs the
 * browser (.ci/run), so there they always run.
 */
export function browserTest(): jest.It {
  const path = findChromium();
  if (path) return test;
  console.warn('skipped: no Chromium (install Debian\'s "chromium" package or set CHROMIUM_PATH): the console browser tests did not run');
  return test.skip;
}

export interface BrowserSession {
  browser: Browser;
  /** A new page (own storage, so its own sign-in); CSP violations and page errors are collected. */
  page(opts?: { width?: number; height?: number }): Promise<Page>;
  /** Errors the pages reported: uncaught exceptions, console errors, CSP violations. */
  errors: string[];
  close(): Promise<void>;
}

/** Launches headless Chromium. */
export async function launchBrowser(): Promise<BrowserSession> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium');
  // --no-sandbox: tests run as root in CI, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const errors: string[] = [];
  return {
    browser,
    errors,
    async page(opts = {}) {
      const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 } });
      const page = await context.newPage();
      // Under a loaded CI machine Swagger UI alone takes seconds to draw; waits are bounded by the test's timeout anyway.
      page.setDefaultTimeout(90_000);
      page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
      });
      return page;
    },
    close: () => browser.close(),
  };
}
