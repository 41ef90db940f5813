import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type FleetDatabase, openFleetDatabase } from '../src/fleet/database.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import type { FleetService } from '../src/fleet/service.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { type Browser, openBrowser } from './helpers/browser.ts';
import { PASSWORD } from './helpers/console-harness.ts';
import {
  freshDatabase,
  importSchool,
  startFleetConsole,
  TEST_KEY,
  waitFor,
} from './helpers/fleet.ts';

/**
 * The fleet's console in Chromium, as an operator uses it: `serve
 * --database` over schools imported with `school import`, one of them
 * sealed under another key. Screenshots in test-results/screenshots/.
 */

const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
const fast = { requests: 100_000, windowMs: 60_000 };

let sandboxes: Sandboxes;
let db: FleetDatabase;
let service: FleetService;
let browser: Browser;
let page: Page;
const cleanups: Array<() => unknown> = [];
const shot = (name: string) => browser.shot(name);

before(async () => {
  sandboxes = await startSandboxes({ school: 'small', seed: 31, edusignRateLimit: fast });
  const url = await freshDatabase({ after: (fn: () => unknown) => cleanups.push(fn) });
  db = await openFleetDatabase({ url });
  cleanups.push(() => db.close());
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
  service = await startFleetConsole({ after: (fn: () => unknown) => cleanups.push(fn) }, db, keys, {
    operator: { email: 'op@example.org', password: PASSWORD },
  });
  browser = await openBrowser();
  page = browser.page;
});
after(async () => {
  await browser?.close();
  await sandboxes?.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
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
