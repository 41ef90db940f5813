import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CliIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { type AurigaSandbox, startAurigaSandbox } from '../src/sandbox/auriga/index.ts';
import { generateSchool } from '../src/sandbox/school/index.ts';

/** `auriga-edusign auriga read` against the Auriga sandbox, through the CLI's entry point. */

function captureIo(env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    stopSignal: new AbortController().signal,
  };
  return { io, out: () => stdout, err: () => stderr };
}

describe('auriga read', () => {
  let sandbox: AurigaSandbox;
  let dir: string;
  let file: string;

  before(async () => {
    // Today in Paris, as the command uses the real clock.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    sandbox = await startAurigaSandbox({
      school: generateSchool({ size: 'small', seed: 3, today, malformedShare: 0.1 }),
    });
    dir = mkdtempSync(path.join(tmpdir(), 'auriga-cli-'));
    file = path.join(dir, 'ecole.yaml');
    writeFileSync(
      file,
      [
        'auriga:',
        `  url: ${sandbox.url}`,
        `  keycloakUrl: ${sandbox.keycloakUrl}/`,
        `  realm: ${sandbox.realm}`,
        `  clientId: ${sandbox.clientId}`,
        '  clientSecret: { env: AURIGA_SECRET }',
        `  username: ${sandbox.username}`,
        '  password: { env: AURIGA_PASSWORD }',
        `  interventionsQueryId: ${sandbox.interventionsQueryId}`,
        `  groupsQueryId: ${sandbox.groupsQueryId}`,
        'edusign:',
        '  token: not-used-by-this-command',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({ AURIGA_SECRET: sandbox.clientSecret, AURIGA_PASSWORD: sandbox.password });

  test('--json: counts, the window and every problem with its row', async () => {
    const { io, out } = captureIo(env());
    const code = await main(['auriga', 'read', '--config', file, '--json'], io);
    const result = JSON.parse(out());
    assert.equal(result.ok, true);
    assert.equal(result.school, 'ecole');
    assert.equal(result.counts.rowsRead.interventions, sandbox.school.interventions.length);
    assert.equal(result.counts.groups, sandbox.school.groups.length);
    assert.ok(result.counts.interventionsInWindow > 40);
    assert.equal(result.window.timeZone, 'Europe/Paris');
    const malformed = sandbox.school.interventions.filter((iv) => iv.malformed !== undefined);
    assert.ok(malformed.length > 0);
    for (const iv of malformed.filter((iv) => iv.malformed !== 'missing_email')) {
      assert.ok(
        result.problems.some((p: { row?: { id: string } }) => p.row?.id === iv.id),
        `a problem names row ${iv.id} (${iv.malformed})`,
      );
    }
    assert.equal(code, 1, 'problems found: exit 1');
    assert.equal(result.interventions, undefined, 'the data itself only with --full');
    assert.ok(!out().includes(sandbox.password) && !out().includes(sandbox.clientSecret));
  });

  test('text: a summary and one line per problem', async () => {
    const { io, out } = captureIo(env());
    await main(['auriga', 'read', '--config', file], io);
    const text = out();
    assert.match(text, /Auriga read for school "ecole"/);
    assert.match(text, /Window: \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} included \(Europe\/Paris\)/);
    assert.match(text, /Problems \(\d+\):\n {4}\[[a-z_.]+\] intervention \d+: /);
  });

  test('a wrong password: exit 3 and what to change, without the secret', async () => {
    const { io, out, err } = captureIo({ ...env(), AURIGA_PASSWORD: 'wrong-password-123' });
    const code = await main(['auriga', 'read', '--config', file], io);
    assert.equal(code, 3);
    assert.equal(out(), '');
    assert.match(err(), /auriga\.invalid_credentials/);
    assert.match(err(), /check auriga\.username and auriga\.password/);
    assert.ok(!err().includes('wrong-password-123'));
  });

  test('a retried request is logged as the other commands log it (one JSON line, off a terminal)', async () => {
    sandbox.faults.inject({ kind: '5xx', pathPrefix: '/api/menuEntries' });
    const { io, err } = captureIo(env());
    assert.equal(await main(['auriga', 'read', '--config', file, '--json'], io), 1);
    const lines = err().trim().split('\n');
    const retry = lines.map((line) => JSON.parse(line)).find((l) => /retrying/.test(l.msg));
    assert.ok(retry, err());
    assert.equal(retry.level, 40, 'pino warn');
    assert.equal(typeof retry.time, 'string', 'a pino line, not ad-hoc text');
    assert.doesNotMatch(err(), /^warning: /m);
  });

  test('usage errors', async () => {
    const { io, err } = captureIo();
    assert.equal(await main(['auriga', 'read'], io), 3);
    assert.match(err(), /Usage: auriga-edusign auriga read --config FILE/);
  });
});
