import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ConfigError } from '../errors/app-error.ts';
import { loadConfigFile, parseConfig } from './load.ts';
import { scrubberFor } from './scrubber.ts';

const minimal = () => ({
  auriga: {
    url: 'https://auriga.school.fr',
    keycloakUrl: 'https://auth.school.fr/auth',
    realm: 'school',
    clientId: 'edusign-sync',
    clientSecret: 'client-secret-value',
    username: 'sync@school.fr',
    password: 'password-value',
    interventionsQueryId: 4242,
  },
  edusign: { token: 'edusign-token-value' },
});

const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
};

describe('configuration', () => {
  test('a minimal file is completed with every default and frozen', () => {
    const config = parseConfig(minimal(), {
      env: {},
      baseDir: '/srv/schools',
      defaultSchool: 'lycee',
    });
    assert.equal(config.school, 'lycee');
    assert.equal(config.auriga.interventionsQueryId, '4242');
    assert.equal(config.edusign.baseUrl, 'https://ext.edusign.fr');
    assert.equal(config.options.windowDays, 14);
    assert.equal(config.options.timeZone, 'Europe/Paris');
    assert.equal(config.options.courseNameSeparator, ' § ');
    assert.deepEqual(config.options.schedule, [
      { from: '11:00', to: '13:00' },
      { from: '18:00', to: '21:00' },
    ]);
    assert.equal(config.store.path, '/srv/schools/.auriga-edusign/lycee.sqlite');
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.auriga));
  });

  test('a missing key is named', () => {
    const raw = minimal();
    delete (raw.auriga as Partial<typeof raw.auriga>).realm;
    assert.match(
      errorOf(() => parseConfig(raw, { env: {} })).message,
      /auriga\.realm: is required but missing/,
    );
  });

  test('a wrong type is named with what is expected', () => {
    const raw = { ...minimal(), options: { windowDays: 'two weeks' } };
    assert.match(errorOf(() => parseConfig(raw, { env: {} })).message, /options\.windowDays:/);
  });

  test('a value of the wrong type is named with the type expected and the value given', () => {
    const raw = {
      ...minimal(),
      edusign: { token: 'edusign-token-value', requestsPerMinute: 'fast' },
      options: { syncGroups: 'yes', windowDays: 14.5 },
    };
    const message = errorOf(() => parseConfig(raw, { env: {} })).message;
    assert.doesNotMatch(message, /required but missing/);
    assert.match(message, /options\.syncGroups: expected true or false, got "yes"/);
    assert.match(message, /options\.windowDays: expected a whole number.*, got 14\.5/);
    assert.match(message, /edusign\.requestsPerMinute: expected a whole number.*, got "fast"/);
  });

  test('a secret of the wrong type is named without its value', () => {
    const raw = minimal();
    (raw.auriga as Record<string, unknown>).password = 98765432;
    (raw.edusign as Record<string, unknown>).token = ['edusign-token-value'];
    const message = errorOf(() => parseConfig(raw, { env: {} })).message;
    assert.match(
      message,
      /auriga\.password: expected text, \{ env: VARIABLE \} or \{ file: PATH \}, got a number/,
    );
    assert.match(message, /edusign\.token: expected text, .*got a list/);
    assert.ok(!message.includes('98765432') && !message.includes('edusign-token-value'));
  });

  test('a wrong-type environment override names the variable and the value given', () => {
    const message = errorOf(() =>
      parseConfig(minimal(), { env: { AURIGA_EDUSIGN__OPTIONS__WINDOW_DAYS: 'abc' } }),
    ).message;
    assert.match(
      message,
      /AURIGA_EDUSIGN__OPTIONS__WINDOW_DAYS \(options\.windowDays\): expected a whole number.*, got "abc"/,
    );
  });

  test('an unknown key (a typo) is an error, not ignored', () => {
    const raw = { ...minimal(), options: { syncGroup: true } };
    const message = errorOf(() => parseConfig(raw, { env: {} })).message;
    assert.match(message, /options\.syncGroup: unknown key/);
  });

  test('a time zone and schedule windows are checked', () => {
    const raw = {
      ...minimal(),
      options: { timeZone: 'Paris', schedule: [{ from: '13:00', to: '11:00' }] },
    };
    const message = errorOf(() => parseConfig(raw, { env: {} })).message;
    assert.match(message, /options\.timeZone: must be an IANA time zone/);
    assert.match(message, /options\.schedule\.0: a window must end after it starts/);
  });

  test('secrets by reference to the environment and to a file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    writeFileSync(path.join(dir, 'token.txt'), 'token-from-file\n');
    const raw = { ...minimal(), edusign: { token: { file: 'token.txt' } } };
    raw.auriga.password = { env: 'SCHOOL_PASSWORD' } as unknown as string;
    const config = parseConfig(raw, { env: { SCHOOL_PASSWORD: 'from-env' }, baseDir: dir });
    assert.equal(config.auriga.password, 'from-env');
    assert.equal(config.edusign.token, 'token-from-file');
  });

  test('a secret referring to an unset variable names the key and the variable', () => {
    const raw = minimal();
    raw.auriga.clientSecret = { env: 'NOT_SET_ANYWHERE' } as unknown as string;
    const error = errorOf(() => parseConfig(raw, { env: {} }));
    assert.equal(error.code, 'config.secret_missing');
    assert.match(
      error.message,
      /auriga\.clientSecret: the environment variable NOT_SET_ANYWHERE is not set/,
    );
  });

  test('environment overrides win over the file', () => {
    const config = parseConfig(minimal(), {
      env: {
        AURIGA_EDUSIGN__OPTIONS__WINDOW_DAYS: '7',
        AURIGA_EDUSIGN__AURIGA__PASSWORD: 'override',
      },
    });
    assert.equal(config.options.windowDays, 7);
    assert.equal(config.auriga.password, 'override');
  });

  test('an override of a text key (a secret too) takes the text as it is; numbers and booleans are read', () => {
    const config = parseConfig(minimal(), {
      env: {
        AURIGA_EDUSIGN__EDUSIGN__TOKEN: '12345678',
        AURIGA_EDUSIGN__AURIGA__PASSWORD: '{"env":"NOT_A_REFERENCE"}',
        AURIGA_EDUSIGN__AURIGA__CLIENT_SECRET: '007',
        AURIGA_EDUSIGN__AURIGA__REALM: 'true',
        AURIGA_EDUSIGN__AURIGA__INTERVENTIONS_QUERY_ID: '0042',
        AURIGA_EDUSIGN__OPTIONS__SYNC_GROUPS: 'true',
        AURIGA_EDUSIGN__OPTIONS__WINDOW_DAYS: ' 21 ',
        AURIGA_EDUSIGN__OPTIONS__ABSENCE_MOTIVES: '{"Maladie":"Maladie"}',
      },
    });
    assert.equal(config.edusign.token, '12345678');
    assert.equal(config.auriga.password, '{"env":"NOT_A_REFERENCE"}');
    assert.equal(config.auriga.clientSecret, '007');
    assert.equal(config.auriga.realm, 'true');
    assert.equal(config.auriga.interventionsQueryId, '0042');
    assert.equal(config.options.syncGroups, true);
    assert.equal(config.options.windowDays, 21);
    assert.deepEqual(config.options.absenceMotives, { Maladie: 'Maladie' });
  });

  /** Any text, with the shapes that look like something else: digits, booleans, JSON. */
  const secretText = fc
    .oneof(
      fc.string({ minLength: 1, unit: 'binary' }),
      fc.bigInt({ min: 0n }).map(String),
      fc.double({ noNaN: true }).map(String),
      fc.constantFrom('true', 'false', '007', '[1,2]', '{"env":"X"}', 'null'),
      fc.json(),
    )
    .filter((s) => s.trim() !== '');

  test('property: any non-blank text given to a secret by the environment is the secret, as it is', () => {
    fc.assert(
      fc.property(secretText, secretText, (token, password) => {
        const config = parseConfig(minimal(), {
          env: {
            AURIGA_EDUSIGN__EDUSIGN__TOKEN: token,
            AURIGA_EDUSIGN__AURIGA__PASSWORD: password,
          },
        });
        assert.equal(config.edusign.token, token);
        assert.equal(config.auriga.password, password);
      }),
    );
  });

  test('a mistake in an override is blamed on the variable, not on the file', () => {
    const message = errorOf(() =>
      parseConfig(minimal(), {
        env: { AURIGA_EDUSIGN__AURIGA__PASWORD: 'hunter2-typo' },
        source: 'school.yaml',
      }),
    ).message;
    assert.doesNotMatch(message, /^school\.yaml has/);
    assert.match(message, /AURIGA_EDUSIGN__AURIGA__PASWORD: unknown key auriga\.pasword/);
    assert.match(message, /did you mean AURIGA_EDUSIGN__AURIGA__PASSWORD\?/);
    assert.ok(!message.includes('hunter2-typo'));
  });

  test('no error message ever carries a secret value', () => {
    const raw = { ...minimal(), auriga: { ...minimal().auriga, url: 'not a url' } };
    const message = errorOf(() => parseConfig(raw, { env: {} })).message;
    for (const secret of ['client-secret-value', 'password-value', 'edusign-token-value'])
      assert.ok(!message.includes(secret));
  });

  test('a store path on a kernel file system (/proc, /sys, /dev) is refused, naming the key and the fix', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    symlinkSync('/proc/self', path.join(dir, 'looks-harmless'));
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ path: '/proc/self/status' }, dir],
      [{ path: '/sys/kernel/store.sqlite' }, dir],
      [{ path: '/dev/null' }, dir],
      [{ path: '../../proc/1/fd/store.sqlite' }, '/srv/schools'],
      [{ path: 'looks-harmless/store.sqlite' }, dir],
      [{}, '/proc/self'],
    ];
    for (const [store, baseDir] of cases) {
      const error = errorOf(() =>
        parseConfig({ ...minimal(), store: { kind: 'sqlite', ...store } }, { env: {}, baseDir }),
      );
      assert.equal(error.code, 'config.invalid');
      assert.match(
        error.message,
        /store\.path: .* is under \/(proc|sys|dev)/,
        JSON.stringify(store),
      );
      assert.match(error.hint ?? '', /give store\.path a file on a disk/);
    }
    const ok = parseConfig(
      { ...minimal(), store: { path: 'state/procedures.sqlite' } },
      { env: {}, baseDir: dir },
    );
    assert.equal(ok.store.path, path.join(dir, 'state/procedures.sqlite'));
  });

  test("store.path ':memory:' is SQLite's in-memory store, not a file of that name", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const config = parseConfig(
      { ...minimal(), store: { kind: 'sqlite', path: ':memory:' } },
      { env: {}, baseDir: dir },
    );
    assert.equal(config.store.path, ':memory:');
  });

  test('notifications are resolved for the school, frozen, their secrets known to the scrubber', () => {
    const config = parseConfig(
      {
        ...minimal(),
        school: 'lycee',
        options: { language: 'en-GB' },
        notifications: {
          consoleUrl: 'https://sync.school.fr',
          email: {
            smtp: { host: 'smtp.school.fr', user: 'sync', password: { env: 'SMTP_PASSWORD' } },
            from: 'sync@school.fr',
            to: ['scolarite@school.fr'],
          },
          webhooks: [{ url: 'https://hooks.school.fr/x', secret: 'hook-secret-value' }],
        },
      },
      { env: { SMTP_PASSWORD: 'smtp-password-value' } },
    );
    const settings = config.notifications;
    assert.ok(settings);
    assert.equal(settings.owner, 'lycee');
    assert.equal(settings.language, 'en');
    assert.deepEqual(settings.email?.smtp.auth, { user: 'sync', password: 'smtp-password-value' });
    assert.ok(Object.isFrozen(settings.webhooks[0]));
    const scrubber = scrubberFor([config]);
    assert.equal(scrubber.scrub('smtp-password-value hook-secret-value'), '[redacted] [redacted]');
    assert.equal(parseConfig(minimal(), { env: {} }).notifications, undefined);
    const wrong = errorOf(() =>
      parseConfig(
        {
          ...minimal(),
          notifications: { consoleUrl: 'https://x.fr', webhooks: [{ url: 'https://h.fr' }] },
        },
        { env: {} },
      ),
    );
    assert.match(wrong.message, /notifications\.webhooks\.0\.secret/);
  });

  test('the example file in the repository is valid', () => {
    const file = path.join(import.meta.dirname, '../../examples/school.example.yaml');
    const config = loadConfigFile(file, {
      env: { AURIGA_CLIENT_SECRET: 's', AURIGA_PASSWORD: 'p', EDUSIGN_TOKEN: 't' },
    });
    assert.equal(config.school, 'my-school');
    assert.equal(config.options.syncGroups, true);
  });
});
