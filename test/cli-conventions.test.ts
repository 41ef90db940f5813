import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { type CliRun, cli } from './helpers/cli.ts';

/**
 * The conventions every command keeps, checked on the real binary in a child
 * process as a person or a script meets them: --version, help, one-line
 * usage errors with exit 3, and JSON on failure under --json.
 */

const MISSING = path.join(import.meta.dirname, 'no-such-school.yaml');

type Run = CliRun;

const assertOneLineUsageError = (run: Run, pattern: RegExp) => {
  assert.equal(run.code, 3, run.stderr);
  assert.doesNotMatch(run.stderr, /Unexpected error|ERR_PARSE_ARGS|TypeError|\n {4}at /);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, `one line: ${run.stderr}`);
  assert.match(run.stderr, pattern);
};

describe('command-line conventions', () => {
  test('--version prints the package version', async () => {
    const { version } = JSON.parse(
      readFileSync(path.join(import.meta.dirname, '../package.json'), 'utf8'),
    );
    for (const flag of ['--version', '-V']) {
      const run = await cli([flag]);
      assert.equal(run.code, 0);
      assert.equal(run.stdout, `auriga-edusign ${version}\n`);
    }
  });

  test('help CMD and CMD --help show that command help', async () => {
    for (const command of ['sync', 'plan', 'doctor', 'explain', 'serve', 'sandbox']) {
      const viaHelp = await cli(['help', command]);
      const viaFlag = await cli([command, '--help']);
      assert.equal(viaHelp.code, 0, `help ${command}`);
      assert.equal(viaFlag.code, 0, `${command} --help`);
      assert.match(viaHelp.stdout, new RegExp(`^Usage: auriga-edusign ${command}`));
      assert.equal(viaHelp.stdout, viaFlag.stdout);
    }
    const unknown = await cli(['help', 'frobnicate']);
    assertOneLineUsageError(unknown, /Unknown command "frobnicate"/);
  });

  test('an unknown option, an extra argument or --config without a value: one line, exit 3', async () => {
    assertOneLineUsageError(
      await cli(['sync', '--config', MISSING, '--bogus']),
      /unknown option --bogus/,
    );
    assertOneLineUsageError(await cli(['sync', '--config']), /--config needs a value/);
    assertOneLineUsageError(
      await cli(['auriga', 'read', '--config', '-v']),
      /--config needs a value/,
    );
    assertOneLineUsageError(
      await cli(['plan', '--config', MISSING, 'extra']),
      /unexpected argument "extra"/,
    );
    assertOneLineUsageError(await cli(['doctor']), /--config FILE is required/);
    assertOneLineUsageError(await cli(['sync', '--json=yes', '--config', MISSING]), /--json/);
    assertOneLineUsageError(
      await cli(['auriga', 'read', 'more', '--config', MISSING]),
      /unexpected argument "more"/,
    );
    assertOneLineUsageError(
      await cli(['serve', '--config', MISSING, '--port', 'x']),
      /--port must be a whole number/,
    );
  });

  test('every --json command answers JSON on failure too, with its exit code', async () => {
    const commands = [
      ['sync'],
      ['plan'],
      ['doctor'],
      ['auriga', 'read'],
      ['explain', 'learner', 'P-1'],
      ['config', 'check'],
    ];
    for (const command of commands) {
      const run = await cli([...command, '--config', MISSING, '--json']);
      assert.equal(run.code, 3, `${command.join(' ')}: ${run.stderr}`);
      const answer = JSON.parse(run.stdout);
      assert.equal(answer.ok, false, command.join(' '));
      assert.equal(answer.error.code, 'config.unreadable', command.join(' '));
      assert.match(answer.error.message, /Cannot read the configuration file/);
    }
    // A usage error too: a script asked for JSON and must not have to read text.
    const usage = await cli(['sync', '--json', '--bogus']);
    assert.equal(usage.code, 3);
    assert.equal(JSON.parse(usage.stdout).error.code, 'cli.usage');
    const sandbox = await cli(['sandbox', '--json', '--port', 'x']);
    assert.equal(sandbox.code, 3);
    assert.deepEqual(Object.keys(JSON.parse(sandbox.stdout)), ['ok', 'error']);
  });

  test('sandbox on a port in use: one sentence, exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as { port: number };
      const run = await cli(['sandbox', '--port', String(port)]);
      assert.equal(run.code, 2, run.stderr);
      assert.doesNotMatch(run.stderr, /Unexpected error|\n {4}at /);
      assert.match(run.stderr, new RegExp(`port ${port} is in use`));
      const json = await cli(['sandbox', '--port', String(port), '--json']);
      assert.equal(json.code, 2);
      assert.equal(JSON.parse(json.stdout).error.code, 'sandbox.listen');
    } finally {
      blocker.close();
    }
  });
});
