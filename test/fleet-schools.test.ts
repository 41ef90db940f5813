import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import YAML from 'yaml';
import { loadConfigFile } from '../src/config/load.ts';
import { openFleetDatabase } from '../src/fleet/database.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import { cli, freshDatabase, TEST_KEY } from './helpers/fleet.ts';

/** Schools in the database: import checked like `config check`, secrets sealed, versions kept. */

const SECRETS = {
  hook: `hook-secret-${randomBytes(6).toString('hex')}`,
  smtp: `smtp-password-${randomBytes(6).toString('hex')}`,
  clientSecret: `client-secret-${randomBytes(6).toString('hex')}`,
  password: `password-${randomBytes(6).toString('hex')}`,
  token: `edusign-token-${randomBytes(6).toString('hex')}`,
  header: `header-key-${randomBytes(6).toString('hex')}`,
};

function schoolFile(name: string, changes: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleet-schools-'));
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    YAML.stringify({
      school: name,
      auriga: {
        url: 'https://auriga.example.fr',
        keycloakUrl: 'https://sso.example.fr/auth',
        realm: 'school',
        clientId: 'edusign-sync',
        clientSecret: SECRETS.clientSecret,
        username: 'edusign.sync',
        password: SECRETS.password,
        interventionsQueryId: '4242',
        extraHeaders: { 'x-api-key': SECRETS.header },
      },
      edusign: { token: SECRETS.token, baseUrl: 'https://edusign.example.fr' },
      options: { timeZone: 'Europe/Paris' },
      notifications: {
        consoleUrl: 'https://sync.example.org',
        email: {
          smtp: { host: 'smtp.example.org', user: 'sync', password: SECRETS.smtp },
          from: 'sync@example.org',
          to: ['scolarite@ecole.example'],
        },
        webhooks: [{ url: 'https://hooks.example.org/edusign', secret: SECRETS.hook }],
      },
      ...changes,
    }),
  );
  return file;
}

/** Every text the fleet's tables hold, as a dump would show them. */
async function dumpText(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let text = '';
    for (const table of ['schools', 'school_versions', 'runs']) {
      const { rows } = await client.query(`SELECT t::text AS row FROM auriga_edusign.${table} t`);
      text += rows.map((r) => r.row).join('\n');
    }
    return text;
  } finally {
    await client.end();
  }
}

describe('school import, list, show, enable, disable, remove', () => {
  test('a refused file writes nothing, with the messages of config check', async (t) => {
    const url = await freshDatabase(t);
    const bad = schoolFile('bad-school', { options: { timeZone: 'Mars/Olympus' } });
    const checked = await cli(['config', 'check', '--config', bad]);
    const imported = await cli(['school', 'import', '--config', bad, '--database', url]);
    assert.equal(imported.code, 3);
    assert.equal(imported.stderr, checked.stderr, 'the same message as config check');
    assert.match(imported.stderr, /options\.timeZone/);
    const listed = await cli(['school', 'list', '--database', url, '--json']);
    assert.deepEqual(JSON.parse(listed.stdout), []);
  });

  test('a command-line mistake is one line naming the command (exit 3), never a stack trace', async () => {
    for (const argv of [
      ['school', 'list', '--bogus'],
      ['school', 'frob', 'x'],
      ['worker', '--database'],
      ['secrets'],
    ]) {
      const result = await cli(argv);
      assert.equal(result.code, 3, argv.join(' '));
      assert.match(result.stderr, new RegExp(`^auriga-edusign ${argv[0]}: .*Usage: `));
      assert.doesNotMatch(result.stderr, /Unexpected error|at /);
    }
  });

  test('without the key nothing starts, and the variable is named', async (t) => {
    const url = await freshDatabase(t);
    const result = await cli(['school', 'list', '--database', url], {
      AURIGA_EDUSIGN_SECRET_KEY: '',
    });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /AURIGA_EDUSIGN_SECRET_KEY is not set/);
    const short = await cli(['school', 'list', '--database', url], {
      AURIGA_EDUSIGN_SECRET_KEY: 'too-short',
    });
    assert.match(short.stderr, /AURIGA_EDUSIGN_SECRET_KEY is not a 32-byte key/);
    assert.doesNotMatch(short.stderr, /too-short/);
  });

  test('imported, shown masked, versions kept, enabled and disabled, removed with history kept', async (t) => {
    const url = await freshDatabase(t);
    const file = schoolFile('alpha');
    const first = await cli(['school', 'import', '--config', file, '--database', url]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /School "alpha" added/);
    assert.match(
      (await cli(['school', 'import', '--config', file, '--database', url])).stdout,
      /unchanged/,
    );
    const changed = schoolFile('alpha', { options: { timeZone: 'Europe/Paris', windowDays: 21 } });
    assert.match(
      (await cli(['school', 'import', '--config', changed, '--database', url])).stdout,
      /updated/,
    );

    const shown = await cli(['school', 'show', 'alpha', '--database', url, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const about = JSON.parse(shown.stdout);
    assert.equal(about.version, 2);
    assert.equal(about.versions.length, 1, 'the previous version is kept');
    assert.equal(about.config.options.windowDays, 21);
    for (const secret of Object.values(SECRETS))
      assert.ok(!shown.stdout.includes(secret), 'no secret shown');

    assert.equal((await cli(['school', 'disable', 'alpha', '--database', url])).code, 0);
    const listed = JSON.parse((await cli(['school', 'list', '--database', url, '--json'])).stdout);
    assert.deepEqual(
      listed.map((r: { name: string; enabled: boolean }) => [r.name, r.enabled]),
      [['alpha', false]],
    );
    assert.equal((await cli(['school', 'enable', 'alpha', '--database', url])).code, 0);
    const unknown = await cli(['school', 'enable', 'nobody', '--database', url]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No school named "nobody"/);

    assert.equal((await cli(['school', 'remove', 'alpha', '--database', url])).code, 0);
    const db = await openFleetDatabase({ url });
    try {
      assert.equal(await db.schools.get('alpha'), undefined);
      assert.equal((await db.schools.versions('alpha')).length, 2, 'history kept without --purge');
      await db.schools.remove('alpha', { purge: true });
      assert.equal((await db.schools.versions('alpha')).length, 0, '--purge deletes it');
    } finally {
      await db.close();
    }
  });

  test('the configuration comes back from the database as it was loaded, notifications included', async (t) => {
    const url = await freshDatabase(t);
    const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
    const loaded = loadConfigFile(schoolFile('gamma'));
    const db = await openFleetDatabase({ url });
    try {
      await db.schools.import(loaded, keys);
      const back = await db.schools.config('gamma', keys);
      const { store: _a, ...expected } = loaded;
      const { store: _b, ...actual } = back ?? loaded;
      assert.deepEqual(actual, expected);
      assert.equal(back?.store.kind, 'postgres');
      assert.equal(back?.notifications?.webhooks[0]?.secret, SECRETS.hook);
    } finally {
      await db.close();
    }
  });

  test('two imports of one school racing: both apply in turn, the previous kept, no error', async (t) => {
    const url = await freshDatabase(t);
    const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY });
    const a = loadConfigFile(schoolFile('race', { options: { windowDays: 7 } }));
    const b = loadConfigFile(schoolFile('race', { options: { windowDays: 30 } }));
    const [one, two] = await Promise.all([openFleetDatabase({ url }), openFleetDatabase({ url })]);
    try {
      const results = await Promise.all([one.schools.import(a, keys), two.schools.import(b, keys)]);
      assert.deepEqual([...results].sort(), ['added', 'updated']);
      const row = await one.schools.get('race');
      assert.equal(row?.version, 2);
      assert.equal((await one.schools.versions('race')).length, 1);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  test('a dump of the tables reveals no secret; rotation re-seals under the new key', async (t) => {
    const url = await freshDatabase(t);
    assert.equal(
      (await cli(['school', 'import', '--config', schoolFile('beta'), '--database', url])).code,
      0,
    );
    assert.equal(
      (
        await cli([
          'school',
          'import',
          '--config',
          schoolFile('beta', { options: { windowDays: 9 } }),
          '--database',
          url,
        ])
      ).code,
      0,
    );
    let dump = await dumpText(url);
    assert.match(dump, /enc:v1:/, 'sealed values are there');
    for (const secret of Object.values(SECRETS))
      assert.ok(!dump.includes(secret), `${secret.split('-')[0]} not in the dump`);

    const newKey = randomBytes(32).toString('hex');
    const oldId = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: TEST_KEY }).current.id;
    const newId = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: newKey }).current.id;
    // The new key alone cannot open the old values.
    const alone = await cli(['school', 'show', 'beta', '--database', url], {
      AURIGA_EDUSIGN_SECRET_KEY: newKey,
    });
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /cannot decrypt .*wrong AURIGA_EDUSIGN_SECRET_KEY\?/);
    const rotated = await cli(['secrets', 'rotate', '--database', url], {
      AURIGA_EDUSIGN_SECRET_KEY: newKey,
      AURIGA_EDUSIGN_SECRET_KEY_PREVIOUS: TEST_KEY,
    });
    assert.equal(rotated.code, 0, rotated.stderr);
    dump = await dumpText(url);
    assert.ok(
      !dump.includes(`enc:v1:${oldId}`),
      'nothing left under the old key, previous versions included',
    );
    assert.ok(dump.includes(`enc:v1:${newId}`));
    const after = await cli(['school', 'show', 'beta', '--database', url], {
      AURIGA_EDUSIGN_SECRET_KEY: newKey,
    });
    assert.equal(after.code, 0, after.stderr);
  });
});
