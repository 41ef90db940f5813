import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import YAML from 'yaml';
import { cli, freshDatabase } from './helpers/fleet.ts';

/** `sandbox --schools N --out DIR`: N school files on one Auriga and one Edusign sandbox, ready to import. */

const BIN = path.join(import.meta.dirname, '../bin/auriga-edusign.js');

test('sandbox --schools 3 --out DIR writes three distinct schools that school import accepts', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleet-sandbox-'));
  const child = spawn(
    process.execPath,
    [BIN, 'sandbox', '--port', '0', '--schools', '3', '--out', dir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  t.after(() => child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
  });
  assert.match(line, /3 school configurations written/);
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, ['school-1.yaml', 'school-2.yaml', 'school-3.yaml']);
  const configs = files.map((f) => YAML.parse(readFileSync(path.join(dir, f), 'utf8')));
  assert.equal(new Set(configs.map((c) => c.auriga.clientId)).size, 3, 'a client each');
  assert.equal(new Set(configs.map((c) => c.auriga.username)).size, 3, 'an account each');
  assert.equal(new Set(configs.map((c) => c.edusign.token)).size, 3, 'an Edusign account each');
  assert.equal(new Set(configs.map((c) => c.auriga.url)).size, 1, 'one Auriga sandbox');
  assert.equal(new Set(configs.map((c) => c.edusign.baseUrl)).size, 1, 'one Edusign sandbox');

  const url = await freshDatabase(t);
  for (const file of files) {
    const result = await cli([
      'school',
      'import',
      '--config',
      path.join(dir, file),
      '--database',
      url,
    ]);
    assert.equal(result.code, 0, result.stderr);
  }
  const listed = JSON.parse((await cli(['school', 'list', '--database', url, '--json'])).stdout);
  assert.deepEqual(
    listed.map((s: { name: string }) => s.name),
    ['school-1', 'school-2', 'school-3'],
  );
});
