import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { CliIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { openSqliteStore } from '../src/store/index.ts';

function io(signal = new AbortController().signal) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    env: {},
    stopSignal: signal,
  };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

test('user add prints a one-time link, user token a token; both stored hashed', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'console-cli-'));
  try {
    const file = path.join(dir, 'console.sqlite');
    const add = io();
    const code = await main(
      [
        'user',
        'add',
        '--email',
        'Ana@School.fr',
        '--role',
        'admin',
        '--school',
        'north',
        '--database',
        file,
        '--url',
        'https://console.example.org',
      ],
      add.cli,
    );
    assert.equal(code, 0, add.err());
    const link = /https:\/\/console\.example\.org\/welcome\?token=(\S+)/.exec(add.out());
    assert.ok(link, add.out());
    const token = io();
    assert.equal(
      await main(['user', 'token', '--email', 'ana@school.fr', '--database', file], token.cli),
      0,
    );
    const apiToken = /aet_\S+/.exec(token.out())?.[0] ?? '';
    assert.ok(apiToken.length > 20);
    const again = io();
    assert.equal(
      await main(['user', 'link', '--email', 'ana@school.fr', '--database', file], again.cli),
      0,
    );
    assert.match(again.out(), /\/welcome\?token=/);
    const store = await openSqliteStore(file);
    const account = await store.console().findAccountByEmail('ana@school.fr');
    assert.deepEqual([account?.role, account?.schools], ['admin', ['north']]);
    // Neither the link's token nor the API token is stored as given.
    const audit = JSON.stringify(await store.console().listAudit({ schools: null, limit: 10 }));
    assert.ok(!audit.includes(apiToken) && !audit.includes(decodeURIComponent(link[1] ?? '')));
    assert.equal(await store.console().findToken(apiToken), undefined);
    await store.close();
    const bad = io();
    assert.equal(
      await main(
        ['user', 'add', '--email', 'x@y.z', '--role', 'boss', '--database', file],
        bad.cli,
      ),
      3,
    );
    const noSchool = io();
    assert.equal(
      await main(
        ['user', 'add', '--email', 'v@y.z', '--role', 'viewer', '--database', file],
        noSchool.cli,
      ),
      3,
    );
    assert.match(noSchool.err(), /at least one --school/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo --console serves the console after two runs and prints a working sign-in link', async () => {
  const stop = new AbortController();
  const demo = io(stop.signal);
  const done = main(['demo', '--console'], demo.cli);
  const deadline = Date.now() + 60_000;
  while (!/welcome\?token=/.test(demo.out())) {
    if (Date.now() > deadline) throw new Error(`no link: ${demo.out()} ${demo.err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(demo.out(), /deletions_held \(8 deletion\(s\) held\)/);
  const link = /(http:\/\/127\.0\.0\.1:\d+\/welcome\?token=\S+)/.exec(demo.out())?.[1] ?? '';
  const page = await fetch(link);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Choose your password/);
  stop.abort();
  assert.equal(await done, 0);
});
