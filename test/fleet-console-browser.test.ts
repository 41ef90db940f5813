import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type FleetDatabase, openFleetDatabase } from '../src/fleet/database.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import { type FleetService, startFleetService } from '../src/fleet/service.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createSecretScrubber } from '../src/observability/secrets.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { addAccount } from '../src/web/accounts.ts';
import { hashPassword } from '../src/web/auth/password.ts';
import { PASSWORD } from './helpers/console-harness.ts';
import { freshDatabase, importSchool, TEST_KEY, waitFor } from './helpers/fleet.ts';

/**
 * The fleet's console in Chromium, as an operator uses it: `serve
 * --database` over schools imported with `school import`, one of them
 * sealed under another key. Screenshots in test-results/screenshots/.
 */

const SHOTS = path.join(import.meta.dirname, '..', 'test-results', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
const fast = { requests: 100_000, windowMs: 60_000 };

let sandboxes: Sandboxes;
let db: FleetDatabase;
let service: FleetService;
let context: BrowserContext;
let page: Page;
let profile: string;
const cleanups: Array<() => unknown> = [];
const shot = (name: string) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(CHROMIUM))
    execFileSync('bash', [path.join(import.meta.dirname, '..', 'scripts', 'ensure-chromium.sh')], {
      stdio: 'inherit',
    });
  sandboxes = await startSandboxes({ school: 'small', seed: 31, edusignRateLimit: fast });
  const url = await freshDatabase({ after: (fn: () => unknown) => cleanups.push(fn) });
  db = await openFleetDatabase({ url });
  // Disabled, so that the only runs are those asked (an enabled school never run is caught up at once).
  const off = { enabled: false };
  await importSchool(db, keys, sandboxes.config, 'lycee-a', off);
  await importSchool(db, keys, sandboxes.config, 'lycee-b', off);
  await importSchool(
    db,
    loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: randomBytes(32).toString('base64') }),
    sandboxes.config,
    'lycee-c',
    off,
  );
  service = await startFleetService({
    db,
    keys,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics({ processMetrics: false }),
    scrubber: createSecretScrubber({}),
    port: 0,
    host: '127.0.0.1',
    workers: 1,
    tickMs: 1000,
    pollSeconds: 1,
  });
  const consoleStore = db.store.console();
  const added = await addAccount(
    consoleStore,
    { email: 'op@example.org', role: 'operator', schools: [] },
    { now: () => new Date(), publicUrl: service.url, actor: 'test' },
  );
  await consoleStore.setPassword(added.account.id, await hashPassword(PASSWORD));
  profile = mkdtempSync(path.join(tmpdir(), 'fleet-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
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
  page = context.pages()[0] ?? (await context.newPage());
});
after(async () => {
  await context?.close();
  await service?.stop({ graceMs: 1000 });
  await db?.close();
  await sandboxes?.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('an operator runs and edits a fleet school from the console', async () => {
  await page.goto(`${service.url}/sign-in`);
  await page.getByLabel('Email').fill('op@example.org');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/schools/);
  const table = page.getByRole('table');
  for (const name of ['lycee-a', 'lycee-b', 'lycee-c'])
    await table.getByRole('row', { name: new RegExp(name) }).waitFor();
  await shot('20-fleet-schools');

  await table.getByRole('link', { name: 'lycee-a' }).click();
  await page.getByRole('heading', { name: 'lycee-a', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Run now' }).click();
  // A worker of the fleet takes the job; the school's page lists its run once done.
  await waitFor(
    'the run asked from the console',
    async () => {
      await page.goto(`${service.url}/schools/lycee-a`);
      return (await page.getByRole('cell', { name: /succeeded/ }).count()) > 0;
    },
    60_000,
    1000,
  );
  await shot('21-fleet-school-run');

  await page.goto(`${service.url}/schools/lycee-a/settings`);
  await page.getByLabel('Window (days)').fill('7');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  await shot('22-fleet-settings-saved');

  // A school sealed under another key says why on its page.
  await page.goto(`${service.url}/schools/lycee-c`);
  const alert = page.locator('#unusable');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /AURIGA_EDUSIGN_SECRET_KEY/);
  await shot('23-fleet-school-unusable');
  const row = await db.schools.get('lycee-a');
  assert.equal(row?.version, 2, 'the console wrote a new version of the schools row');
  assert.equal((await db.schools.config('lycee-a', keys))?.options.windowDays, 7);
  assert.equal((await db.schools.versions('lycee-a')).length, 1, 'the previous version is kept');
  const html = await page.content();
  assert.ok(!html.includes(sandboxes.edusign.token), 'the page shows no secret');
});
