import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { CliIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { parseConfig } from '../src/config/load.ts';
import type { ConfigInput } from '../src/config/schema.ts';
import { runDoctor } from '../src/doctor/checks.ts';
import type { DoctorStep } from '../src/doctor/steps.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';

/**
 * `doctor` against both sandboxes over real HTTP: all right, then each
 * prerequisite broken in turn. Each time exactly that step fails, with its
 * fix; the steps depending on it are skipped; the others pass. No secret
 * ever appears in what is printed.
 */

/** The order of the prerequisites, and which one each needs (written independently of the code). */
const ORDER = [
  'keycloak.reachable',
  'keycloak.realm',
  'keycloak.client',
  'keycloak.user',
  'auriga.api',
  'auriga.favorite.interventions',
  'auriga.favorite.groups',
  'auriga.rows',
  'edusign.token',
  'edusign.absence_motives',
  'store',
] as const;
type Id = (typeof ORDER)[number];
const NEEDS: Partial<Record<Id, Id>> = {
  'keycloak.realm': 'keycloak.reachable',
  'keycloak.client': 'keycloak.realm',
  'keycloak.user': 'keycloak.client',
  'auriga.api': 'keycloak.user',
  'auriga.favorite.interventions': 'auriga.api',
  'auriga.favorite.groups': 'auriga.api',
  'auriga.rows': 'auriga.favorite.interventions',
  'edusign.absence_motives': 'edusign.token',
};

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

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('doctor against the sandboxes', () => {
  let sandboxes: Sandboxes;
  let dir: string;
  let secrets: string[];

  before(async () => {
    sandboxes = await startSandboxes({ school: 'small' });
    dir = mkdtempSync(path.join(tmpdir(), 'auriga-edusign-doctor-'));
    secrets = [sandboxes.auriga.clientSecret, sandboxes.auriga.password, sandboxes.edusign.token];
  });
  after(async () => {
    await sandboxes.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    sandboxes.auriga.control.setOptions({
      directGrants: true,
      userSetupRequired: false,
      requiredHeaders: {},
      hideFromMenus: false,
    });
    sandboxes.edusign.setOptions({ account: 'ok', forbiddenRoutes: [] });
  });

  /** The sandboxes' school, mapping one motive that Edusign has, with changes. */
  function input(change: {
    auriga?: Record<string, unknown>;
    edusign?: Record<string, unknown>;
    options?: Record<string, unknown>;
    store?: ConfigInput['store'];
  }): ConfigInput {
    const base = sandboxes.config;
    return {
      ...base,
      auriga: { ...base.auriga, ...change.auriga } as ConfigInput['auriga'],
      edusign: { ...base.edusign, ...change.edusign } as ConfigInput['edusign'],
      options: {
        ...base.options,
        absenceMotives: { MAL: 'maladie', RDV: 'Rendez-vous médical' },
        ...change.options,
      },
      store: change.store ?? { kind: 'sqlite', path: path.join(dir, 'unused.sqlite') },
    };
  }

  async function doctor(change: Parameters<typeof input>[0] = {}): Promise<DoctorStep[]> {
    const config = parseConfig(input(change), { env: {}, baseDir: dir });
    const steps = await runDoctor(config);
    assertNoSecret(JSON.stringify(steps), [
      ...secrets,
      ...[change.auriga?.clientSecret, change.auriga?.password, change.edusign?.token].filter(
        (s): s is string => typeof s === 'string',
      ),
    ]);
    return steps;
  }

  function assertNoSecret(text: string, values: readonly string[]): void {
    for (const value of values) assert.ok(!text.includes(value), 'a secret value is printed');
  }

  /**
   * Exactly `broken` failed, with this code and a fix matching `fix`; the
   * steps needing them skipped; every other step passed.
   */
  function assertOnly(
    steps: readonly DoctorStep[],
    broken: Partial<Record<Id, { code: string; fix: RegExp; detail?: RegExp }>>,
  ): void {
    assert.deepEqual(
      steps.map((s) => s.id),
      [...ORDER],
    );
    const expected = new Map<Id, DoctorStep['status']>();
    for (const id of ORDER) {
      const need = NEEDS[id];
      if (id in broken) expected.set(id, 'failed');
      else if (need !== undefined && expected.get(need) !== 'passed') expected.set(id, 'skipped');
      else expected.set(id, 'passed');
    }
    for (const step of steps) {
      const want = expected.get(step.id as Id);
      assert.equal(step.status, want, `${step.id}: ${step.status} (${step.detail})`);
      if (want === 'failed') {
        const spec = broken[step.id as Id];
        assert.ok(spec);
        assert.equal(step.code, spec.code, `${step.id}: ${step.detail}`);
        assert.match(step.fix ?? '', spec.fix, `${step.id}'s fix`);
        if (spec.detail) assert.match(step.detail, spec.detail, `${step.id}'s detail`);
      }
      if (want === 'skipped') assert.match(step.detail, /must pass first/);
    }
  }

  test('all right: every step passes, exit 0, through the CLI, secrets masked', async () => {
    const file = path.join(dir, 'ecole.json');
    writeFileSync(file, JSON.stringify(input({})));
    const { io, out } = captureIo();
    const code = await main(['doctor', '--config', file], io);
    const text = out();
    assert.equal(code, 0, text);
    const lines = text.trimEnd().split('\n');
    // The configuration, eleven prerequisites, the summary.
    assert.equal(lines.length, 13, text);
    for (const line of lines.slice(0, 12)) assert.match(line, /^✔ /);
    assert.match(
      text,
      /^✔ Keycloak reachable: Keycloak answers at http:\/\/127\.0\.0\.1:\d+\/auth/m,
    );
    assert.match(text, /✔ Client accepted and allowed direct grants: .*\*{8} \(21 characters\)/);
    assert.match(text, /Edusign has|all 2 mapped absence reasons are on Edusign/);
    assert.match(lines.at(-1) ?? '', /All prerequisites of "sandbox" are met/);
    assertNoSecret(text, secrets);

    const json = captureIo();
    assert.equal(await main(['doctor', '--config', file, '--json'], json.io), 0);
    const result = JSON.parse(json.out()) as { ok: boolean; steps: DoctorStep[] };
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.steps.map((s) => s.status),
      Array(12).fill('passed'),
    );
    assertNoSecret(json.out(), secrets);
  });

  test('a configuration error is the first step, failed, exit 3', async () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'auriga:\n  url: not-a-url\nedusign:\n  token: abcdef\n');
    const { io, out } = captureIo();
    assert.equal(await main(['doctor', '--config', file], io), 3);
    assert.match(out(), /^✘ Configuration valid: .*auriga\.url.* → Fix: /s);
    const json = captureIo();
    assert.equal(await main(['doctor', '--config', file, '--json'], json.io), 3);
    const result = JSON.parse(json.out()) as { ok: boolean; steps: DoctorStep[] };
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.steps.map((s) => [s.id, s.status, s.code]),
      [['configuration', 'failed', 'config.invalid']],
    );
  });

  test('Keycloak unreachable (a closed port)', async () => {
    const port = await closedPort();
    const steps = await doctor({ auriga: { keycloakUrl: `http://127.0.0.1:${port}/auth` } });
    assertOnly(steps, {
      'keycloak.reachable': {
        code: 'auriga.keycloak_unreachable',
        fix: /auriga\.keycloakUrl .*reaches it/,
        detail: /ECONNREFUSED/,
      },
    });
  });

  test('wrong realm', async () => {
    const steps = await doctor({ auriga: { realm: 'ecole' } });
    assertOnly(steps, {
      'keycloak.realm': {
        code: 'auriga.unknown_realm',
        fix: /after \/realms\/.*auriga\.realm/,
        detail: /no realm "ecole"/,
      },
    });
  });

  test('wrong client secret, named by the masked secret only', async () => {
    const steps = await doctor({ auriga: { clientSecret: 'not-the-client-secret' } });
    assertOnly(steps, {
      'keycloak.client': {
        code: 'auriga.invalid_client_secret',
        fix: /Credentials.*auriga\.clientSecret/,
      },
    });
  });

  test('direct grants disabled for the client', async () => {
    sandboxes.auriga.control.setOptions({ directGrants: false });
    const steps = await doctor();
    assertOnly(steps, {
      'keycloak.client': {
        code: 'auriga.direct_grants_disabled',
        fix: /enable "Direct Access Grants" for this client/,
        detail: /unauthorized_client/,
      },
    });
  });

  test('wrong password', async () => {
    const steps = await doctor({ auriga: { password: 'not-the-password' } });
    assertOnly(steps, {
      'keycloak.user': {
        code: 'auriga.invalid_credentials',
        fix: /Sign in to Auriga in a browser as "edusign\.sync"/,
      },
    });
  });

  test('user account not fully set up', async () => {
    sandboxes.auriga.control.setOptions({ userSetupRequired: true });
    const steps = await doctor();
    assertOnly(steps, {
      'keycloak.user': { code: 'auriga.account_not_ready', fix: /complete every step/ },
    });
  });

  test('Auriga API unreachable', async () => {
    const port = await closedPort();
    const steps = await doctor({ auriga: { url: `http://127.0.0.1:${port}` } });
    assertOnly(steps, {
      'auriga.api': {
        code: 'auriga.unavailable',
        fix: /auriga\.url \(http:\/\/127\.0\.0\.1:\d+\) is reachable/,
      },
    });
  });

  test('an extra header required by the instance, then given', async () => {
    sandboxes.auriga.control.setOptions({ requiredHeaders: { 'x-scope': 'frontend' } });
    assertOnly(await doctor(), {
      'auriga.api': {
        code: 'auriga.forbidden',
        fix: /auriga\.extraHeaders/,
        detail: /Missing required header x-scope/,
      },
    });
    assertOnly(await doctor({ auriga: { extraHeaders: { 'x-scope': 'frontend' } } }), {});
  });

  test('favorites in no menu of the account, then the menu entry configured', async () => {
    sandboxes.auriga.control.setOptions({ hideFromMenus: true });
    const notInMenus = { code: 'auriga.favorite_not_in_menus', fix: /auriga\.menuEntryId/ };
    assertOnly(await doctor(), {
      'auriga.favorite.interventions': { ...notInMenus, detail: /favorite 4242/ },
      'auriga.favorite.groups': { ...notInMenus, detail: /favorite 4343/ },
    });
    const steps = await doctor({ auriga: { menuEntryId: sandboxes.auriga.menuEntryId } });
    assertOnly(steps, {});
    assert.match(steps[5]?.detail ?? '', /menu entry 310, as configured/);
  });

  test('a wrong interventions query id', async () => {
    assertOnly(await doctor({ auriga: { interventionsQueryId: '9999' } }), {
      'auriga.favorite.interventions': {
        code: 'auriga.favorite_not_in_menus',
        fix: /query id/,
        detail: /favorite 9999 \(auriga\.interventionsQueryId\)/,
      },
    });
  });

  test('required columns missing: named, with the columns the favorite has', async () => {
    // The Groups favorite read as the Interventions one: no Start, End, Instructor(s).
    const steps = await doctor({
      auriga: { interventionsQueryId: sandboxes.auriga.groupsQueryId },
    });
    assertOnly(steps, {
      'auriga.favorite.interventions': {
        code: 'auriga.missing_columns',
        fix: /add "Start", "End", "Instructor\(s\)" to the favorite/,
        detail:
          /lacks the required columns "Start", "End", "Instructor\(s\)"; its columns are: .*"Label"/,
      },
    });
    // And the other way round: the Interventions favorite has no Label for groups.
    assertOnly(await doctor({ auriga: { groupsQueryId: sandboxes.auriga.interventionsQueryId } }), {
      'auriga.favorite.groups': {
        code: 'auriga.missing_columns',
        fix: /add "Label"/,
        detail: /lacks the required column "Label"; its columns are: .*"Start"/,
      },
    });
  });

  test('a favorite larger than auriga.maxPages fails as a sync would, with the fix', async () => {
    assertOnly(await doctor({ auriga: { pageSize: 10, maxPages: 3 } }), {
      'auriga.favorite.interventions': {
        code: 'auriga.favorite_too_large',
        fix: /narrow the favorite in Auriga .* raise auriga\.maxPages/,
        detail: /more than auriga\.maxPages \(3\)/,
      },
    });
  });

  test('groups: optional when not configured, failed when options.syncGroups wants them', async () => {
    const config = (syncGroups: boolean) =>
      parseConfig(
        {
          ...input({ options: { syncGroups } }),
          auriga: { ...sandboxes.config.auriga, groupsQueryId: undefined },
        },
        { env: {}, baseDir: dir },
      );
    const optional = await runDoctor(config(false));
    const groups = optional.find((s) => s.id === 'auriga.favorite.groups');
    assert.equal(groups?.status, 'skipped');
    assert.ok(optional.every((s) => s.status !== 'failed'));
    assert.equal(optional.find((s) => s.id === 'auriga.rows')?.status, 'passed');
    const wanted = await runDoctor(config(true));
    assert.deepEqual(
      wanted.filter((s) => s.status === 'failed').map((s) => [s.id, s.fix]),
      [
        [
          'auriga.favorite.groups',
          'set auriga.groupsQueryId to the query id of the "Groups" favorite, or turn options.syncGroups off',
        ],
      ],
    );
  });

  test('the rows sample counts what it parsed and names problems without failing', async () => {
    const steps = await doctor();
    const rows = steps.find((s) => s.id === 'auriga.rows');
    assert.equal(rows?.status, 'passed');
    const total = sandboxes.school.interventions.length;
    assert.match(
      rows?.detail ?? '',
      new RegExp(
        `^${Math.min(total, 200)} intervention rows of the first page: \\d+ interventions`,
      ),
    );
  });

  test('Edusign token refused (401)', async () => {
    assertOnly(await doctor({ edusign: { token: 'not-the-edusign-token' } }), {
      'edusign.token': {
        code: 'edusign.unauthorized',
        fix: /copy the API token again .* into edusign\.token/,
        detail: /HTTP 401/,
      },
    });
  });

  test('Edusign account without subscription (402)', async () => {
    sandboxes.edusign.setOptions({ account: 'no-subscription' });
    assertOnly(await doctor(), {
      'edusign.token': {
        code: 'edusign.payment_required',
        fix: /no subscription or no API option/,
        detail: /HTTP 402/,
      },
    });
  });

  test('Edusign route forbidden to the token (403)', async () => {
    sandboxes.edusign.setOptions({ forbiddenRoutes: ['GET /v1/justified-absence/absence-reason'] });
    assertOnly(await doctor(), {
      'edusign.token': {
        code: 'edusign.forbidden',
        fix: /token with full API access/,
        detail: /HTTP 403/,
      },
    });
  });

  test('an absence motive of the mapping not on Edusign: missing and available named', async () => {
    const steps = await doctor({
      options: { absenceMotives: { MAL: 'MALADIE', VAC: 'Vacances' } },
    });
    assertOnly(steps, {
      'edusign.absence_motives': {
        code: 'edusign.absence_motive_missing',
        fix: /options\.absenceMotives/,
        detail:
          /^1 of 2 .*"Vacances" \(for Auriga's "VAC"\); Edusign has: "Maladie", "Retard transport"/,
      },
    });
  });

  test('a corrupt SQLite file: the store step fails, naming store.path, exit 2', async () => {
    const file = path.join(dir, 'corrupt.sqlite');
    writeFileSync(
      file,
      'this is no SQLite database, just text where the store should be\n'.repeat(80),
    );
    assertOnly(await doctor({ store: { kind: 'sqlite', path: file } }), {
      store: {
        code: 'store.open_failed',
        fix: /store\.path .*corrupt\.sqlite/,
        detail: /Could not open the SQLite store .*corrupt\.sqlite: file is not a database/,
      },
    });
    const config = path.join(dir, 'corrupt.json');
    writeFileSync(config, JSON.stringify(input({ store: { kind: 'sqlite', path: file } })));
    const { io, out } = captureIo();
    assert.equal(await main(['doctor', '--config', config], io), 2, out());
    assert.match(out(), /^✘ Store opens, schema current, writable: .* → Fix: check store\.path/m);
    assert.doesNotMatch(out(), /All prerequisites/);
  });

  test('a folder as store.path: the store step fails, naming store.path', async () => {
    const folder = mkdtempSync(path.join(dir, 'a-folder-'));
    assertOnly(await doctor({ store: { kind: 'sqlite', path: folder } }), {
      store: {
        code: 'store.open_failed',
        fix: /store\.path .*a-folder-.*not a folder/,
        detail: /Could not open the SQLite store .*a-folder-/,
      },
    });
  });

  test('PostgreSQL not reachable: the store step fails, naming store.url, never its password', async () => {
    const url = 'postgres://sync:pg-secret-password@127.0.0.1:1/school';
    const steps = await doctor({ store: { kind: 'postgres', url } });
    assertOnly(steps, {
      store: {
        code: 'store.unreachable',
        fix: /store\.url \(sync@127\.0\.0\.1:1\/school\)/,
        detail: /ECONNREFUSED 127\.0\.0\.1:1/,
      },
    });
    assertNoSecret(JSON.stringify(steps), ['pg-secret-password']);
  });

  test('a store that opens: passed, and it says whether a run holds the lock', async () => {
    const steps = await doctor({ store: { kind: 'sqlite', path: path.join(dir, 'fine.sqlite') } });
    const store = steps.find((s) => s.id === 'store');
    assert.equal(store?.status, 'passed');
    assert.match(store?.detail ?? '', /opens with its schema current and takes writes/);
  });

  test('several broken at once: each chain stops at its own first failure, exit 2', async () => {
    sandboxes.auriga.control.setOptions({ directGrants: false });
    const file = path.join(dir, 'two.json');
    writeFileSync(file, JSON.stringify(input({ edusign: { token: 'not-the-edusign-token' } })));
    const { io, out } = captureIo();
    assert.equal(await main(['doctor', '--config', file], io), 2);
    const text = out();
    assert.equal((text.match(/^✘ /gm) ?? []).length, 2, text);
    assert.match(
      text,
      /^✘ Client accepted and allowed direct grants: .* → Fix: enable "Direct Access Grants"/m,
    );
    assert.match(text, /^✘ Edusign token valid: .* → Fix: /m);
    assert.match(text, /^○ User credentials accepted: skipped/m);
    assert.match(text, /2 checks failed/);
    assertNoSecret(text, [...secrets, 'not-the-edusign-token']);
  });
});
