import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import type { CliIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { type Harness, startHarness } from './helpers/sync-harness.ts';

/**
 * A secret is never printed or logged: every command a school admin runs is
 * run at the most talkative log level, with faults that make the clients log
 * retries and errors, and every byte written is searched for each secret.
 */

function captureIo(env: NodeJS.ProcessEnv) {
  let text = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (text += chunk) },
    stderr: { write: (chunk: string) => (text += chunk) },
    env,
    stopSignal: new AbortController().signal,
  };
  return { io, text: () => text };
}

describe('no secret in any output or log', () => {
  let h: Harness;
  let file: string;
  before(async () => {
    h = await startHarness({ school: 'small', seed: 9, malformedShare: 0.1 });
    file = path.join(h.dir, 'school.yaml');
    const plain = JSON.parse(JSON.stringify(h.configuration));
    // Secrets by reference, as a careful admin would give them.
    plain.auriga.password = { env: 'SCHOOL_AURIGA_PASSWORD' };
    plain.edusign.token = { env: 'SCHOOL_EDUSIGN_TOKEN' };
    writeFileSync(file, YAML.stringify(plain));
  });
  after(() => h.cleanup());

  test('config check, auriga read, plan, sync (with faults) and explain', async () => {
    const secrets = [
      h.configuration.auriga.password,
      h.configuration.auriga.clientSecret,
      h.configuration.edusign.token,
    ];
    const env = {
      LOG_LEVEL: 'debug',
      SCHOOL_AURIGA_PASSWORD: h.configuration.auriga.password,
      SCHOOL_EDUSIGN_TOKEN: h.configuration.edusign.token,
    };
    h.edusign.faults.configure({
      rate: 0.15,
      kinds: ['5xx', '429', 'html'],
      seed: 3,
      retryAfterSeconds: 0,
    });
    h.auriga.faults.configure({ rate: 0.2, kinds: ['5xx'], seed: 4 });
    const runs: Array<[string[], number[]]> = [
      [['config', 'check', '--config', file], [0]],
      [['config', 'check', '--config', file, '--json'], [0]],
      [
        ['auriga', 'read', '--config', file, '--json'],
        [0, 1],
      ],
      [
        ['plan', '--config', file, '--json'],
        [0, 1, 2],
      ],
      [
        ['sync', '--config', file],
        [0, 1, 2],
      ],
      [
        ['sync', '--config', file, '--json'],
        [0, 1, 2],
      ],
      [
        ['explain', 'sheet', h.expectedInterventions()[0]?.id ?? '0', '--config', file, '--json'],
        [0, 2],
      ],
    ];
    let all = '';
    for (const [argv, codes] of runs) {
      const { io, text } = captureIo(env);
      const code = await main(argv, io);
      assert.ok(codes.includes(code), `${argv.join(' ')} exited ${code}: ${text().slice(0, 500)}`);
      all += text();
    }
    assert.ok(all.length > 5000, 'the commands said something');
    assert.match(all, /"level":20|"level":30/, 'structured logs were written');
    for (const secret of secrets) {
      assert.ok(secret.length >= 8);
      assert.ok(!all.includes(secret), 'a secret value appears in the output');
    }
  });

  test('a wrong Edusign token is refused without being shown', async () => {
    const wrong = 'wrong-token-0123456789abcdef';
    const { io, text } = captureIo({
      LOG_LEVEL: 'debug',
      SCHOOL_AURIGA_PASSWORD: h.configuration.auriga.password,
      SCHOOL_EDUSIGN_TOKEN: wrong,
    });
    h.edusign.faults.clear();
    h.auriga.faults.clear();
    const code = await main(['sync', '--config', file], io);
    assert.equal(code, 3, 'a refused token is a configuration error');
    assert.match(text(), /edusign\.unauthorized/);
    assert.ok(!text().includes(wrong));
    assert.ok(!text().includes(h.configuration.auriga.password));
  });

  test('a wrong Auriga password is refused without being shown', async () => {
    const wrong = 'wrong-password-0123456789';
    const { io, text } = captureIo({
      SCHOOL_AURIGA_PASSWORD: wrong,
      SCHOOL_EDUSIGN_TOKEN: h.configuration.edusign.token,
    });
    const code = await main(['sync', '--config', file], io);
    assert.equal(code, 3, 'refused credentials are a configuration error');
    assert.match(text(), /auriga\.password|password/);
    assert.ok(!text().includes(wrong));
  });
});
