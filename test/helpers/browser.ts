import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium (scripts/ensure-chromium.sh) driven by playwright-core,
 * headless with a fresh profile, as the browser tests use it; `shot` writes
 * a full-page PNG under test-results/screenshots/.
 */
export const SHOTS = path.join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  shot(name: string): Promise<unknown>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  // The test command installs it first; here too, so one file runs alone on a fresh machine.
  if (!existsSync(CHROMIUM))
    execFileSync(
      'bash',
      [path.join(import.meta.dirname, '..', '..', 'scripts', 'ensure-chromium.sh')],
      {
        stdio: 'inherit',
      },
    );
  const profile = mkdtempSync(path.join(tmpdir(), 'console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    locale: 'en-GB',
    viewport: { width: 1200, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    shot: (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
