import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import type { CliIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { cli } from './helpers/cli.ts';

/** `plan` over the real binary against both sandboxes: a dry run leaves no trace on disk. */

describe('plan', () => {
  let sandboxes: Sandboxes;
  let dir: string;
  let file: string;
  let storeFile: string;

  before(async () => {
    sandboxes = await startSandboxes({ edusignRateLimit: { requests: 100_000, windowMs: 60_000 } });
    dir = mkdtempSync(path.join(tmpdir(), 'plan-cli-'));
    storeFile = path.join(dir, 'state', 'ecole.sqlite');
    file = path.join(dir, 'ecole.yaml');
    writeFileSync(
      file,
      YAML.stringify({
        ...sandboxes.config,
        school: 'ecole',
        edusign: { ...sandboxes.config.edusign, requestsPerMinute: 100_000 },
        store: { kind: 'sqlite', path: 'state/ecole.sqlite' },
      }),
    );
  });
  after(async () => {
    await sandboxes.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a plan before any sync creates no store file, nor its folder', async () => {
    const run = await cli(['plan', '--config', file, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.dryRun, true);
    assert.ok(report.planned.length > 0, 'a first plan creates everything');
    assert.equal(existsSync(storeFile), false, 'the store file was created');
    assert.equal(existsSync(path.dirname(storeFile)), false, 'its folder was created');
  });

  test('after a sync, a plan reads the store (nothing left to do) and changes nothing in it', async () => {
    const sync = await cli(['sync', '--config', file, '--json']);
    assert.equal(sync.code, 0, sync.stderr);
    assert.ok(existsSync(storeFile));
    const before = readFileSync(storeFile);
    const run = await cli(['plan', '--config', file, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).planned, [], 'the plan read the mappings');
    assert.ok(readFileSync(storeFile).equals(before), 'the store file changed');
  });

  test('on a terminal, each phase leaves a line that says what it did', async () => {
    for (const command of ['sync', 'plan']) {
      let stderr = '';
      // A terminal: the progress line is drawn (the logger needs a real stream).
      const terminal = Object.assign(
        new Writable({
          write(chunk, _encoding, done) {
            stderr += String(chunk);
            done();
          },
        }),
        { isTTY: true },
      );
      const io: CliIo = {
        stdout: { write: () => true },
        stderr: terminal,
        env: {},
        stopSignal: new AbortController().signal,
      };
      assert.equal(await main([command, '--config', file], io), 0, stderr);
      const lines = stderr.split('\n').map((line) => line.split('\r').at(-1) ?? '');
      assert.ok(
        lines.some((l) => /^reading Auriga {2}[\d,]+ rows in /.test(l)),
        stderr,
      );
      assert.ok(
        lines.some((l) => /^reading Edusign {2}done in /.test(l)),
        stderr,
      );
      assert.ok(
        lines.some((l) => /^planning {2}(nothing to do|\d+ operations?) in /.test(l)),
        stderr,
      );
      assert.doesNotMatch(stderr, / 0 (records|operations)| in 0 s/);
    }
  });
});
