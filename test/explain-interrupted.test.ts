import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import { planSchool, runSchool } from '../src/app/index.ts';
import { parseConfig } from '../src/config/load.ts';
import type { Config } from '../src/config/schema.ts';
import { StopRequested } from '../src/errors/app-error.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { openStore } from '../src/store/index.ts';
import { cli } from './helpers/cli.ts';

/**
 * `explain` over the real binary where the history is thin: no run at all,
 * then one real run stopped after a few writes (as SIGTERM stops it).
 */

describe('explain without a complete run', () => {
  let sandboxes: Sandboxes;
  let dir: string;
  let file: string;
  let config: Config;

  before(async () => {
    sandboxes = await startSandboxes({ edusignRateLimit: { requests: 100_000, windowMs: 60_000 } });
    dir = mkdtempSync(path.join(tmpdir(), 'explain-interrupted-'));
    const raw = {
      ...sandboxes.config,
      school: 'ecole',
      // One write at a time, so that the stop falls after exactly the writes counted.
      edusign: { ...sandboxes.config.edusign, requestsPerMinute: 100_000, concurrency: 1 },
      store: { kind: 'sqlite', path: 'ecole.sqlite' },
    };
    file = path.join(dir, 'ecole.yaml');
    writeFileSync(file, YAML.stringify(raw));
    config = parseConfig(raw, { env: {}, baseDir: dir });
  });
  after(async () => {
    await sandboxes.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('no run yet: exit 2, one clear sentence, and no store created', async () => {
    const run = await cli(['explain', 'sheet', '1', '--config', file]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /^No run of ecole is recorded in the store yet.*auriga-edusign sync/);
    assert.equal(existsSync(path.join(dir, 'ecole.sqlite')), false, 'explain created the store');
    const json = await cli(['explain', 'sheet', '1', '--config', file, '--json']);
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.stdout).state, 'no_run');
  });

  test('after an interrupted run, a sheet it did not reach is said so, not "not read from Auriga"', async () => {
    const stop = new AbortController();
    let results = 0;
    const report = await runSchool(config, {
      signal: stop.signal,
      onResult: () => {
        results += 1;
        if (results === 3) stop.abort(new StopRequested('SIGTERM'));
      },
    });
    assert.equal(report.outcome, 'interrupted');
    const store = await openStore(config.store);
    const written = await store.forSchool('ecole').listMappings();
    await store.close();
    // What is still to do: a sheet in the window that the stop left unwritten.
    const plan = await planSchool(config);
    const notReached = plan.planned?.find((op) => op.kind === 'sheet' && op.action === 'create');
    assert.ok(notReached, 'an intervention in the window the stop left unwritten');

    const run = await cli(['explain', 'sheet', notReached.aurigaId, '--config', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /was read from Auriga/);
    assert.match(run.stdout, /the last run, on .*, was interrupted before it wrote it/i);
    const json = JSON.parse(
      (await cli(['explain', 'sheet', notReached.aurigaId, '--config', file, '--json'])).stdout,
    );
    assert.equal(json.state, 'not_created');
    assert.equal(json.because.kind, 'interrupted');
    assert.equal(json.because.run.outcome, 'interrupted');
    assert.equal(json.referenceRun, null, 'an interrupted run is no reference');

    // A record it did write (people come first) is on Edusign, and said so.
    const done = written.find((m) => m.kind === 'learner' || m.kind === 'instructor');
    assert.ok(done, 'the run wrote people before it was stopped');
    const created = JSON.parse(
      (await cli(['explain', done.kind, done.aurigaId, '--config', file, '--json'])).stdout,
    );
    assert.equal(created.state, 'created');
  });
});
