// Headless Chromium for the dashboard's browser tests and benchmarks: Debian's chromium (installed by .ci/run),
// driven by playwright-core. One browser per test file; screenshots go to test-artifacts/<name>/ (gitignored), kept
// after the run so a failing CI run can be looked at.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Credentials, RunningDashboard } from '../../src/dashboard/index.js';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary, or undefined (tests then skip with "skipped: chromium not found"). */
export function chromiumPath(): string | undefined {
  return CANDIDATES.find((p): p is string => !!p && existsSync(p));
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

export function artifactsDir(name: string): string {
  const dir = join(process.cwd(), 'test-artifacts', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * page.goto that tries again when Chromium aborts the load with ERR_NETWORK_CHANGED: it does so whenever an
 * address appears or goes on the host, which other tests do all the time (pod networks, bridges).
 */
export async function gotoPage(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try { await page.goto(url); return; } catch (err) {
      if (attempt >= 5 || !/ERR_NETWORK_CHANGED|ERR_ABORTED/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Logs the page in as `nanokube dashboard` does (a one-time code in the URL), again with a new code if a load was lost. */
export async function loginWithCode(page: Page, dashboard: RunningDashboard, credentials: Credentials): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await gotoPage(page, `${dashboard.url}/auth/code?code=${await dashboard.createLoginCode(credentials)}`);
    if (!page.url().includes('/login')) return;
    if (attempt >= 3) throw new Error(`the login code did not log the page in (at ${page.url()})`);
  }
}
