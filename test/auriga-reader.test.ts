import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Temporal } from 'temporal-polyfill';
import { checkSignIn } from '../src/auriga/keycloak.ts';
import { createAurigaReader } from '../src/auriga/reader.ts';
import { type AurigaConfig, optionsSchema, type SyncOptions } from '../src/config/schema.ts';
import { AppError } from '../src/errors/app-error.ts';
import { type AurigaSandbox, startAurigaSandbox } from '../src/sandbox/auriga/index.ts';
import { generateSchool, type SchoolOptions } from '../src/sandbox/school/index.ts';

/**
 * The reader against the Auriga sandbox (its Keycloak and its favorites API)
 * over real HTTP on 127.0.0.1. Each suite starts its own sandbox and closes it.
 */

const PARIS = 'Europe/Paris';
const TODAY = '2026-03-16';
/** 11:00 in Paris on TODAY. */
const NOW = new Date('2026-03-16T10:00:00Z');
const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20, retries: 4 };
const TOKEN_ROUTE = 'POST /auth/realms/:realm/protocol/openid-connect/token';
const SEARCH_ROUTE = 'POST /api/menuEntries/:m/searchResult';

const options = (overrides: Partial<SyncOptions> = {}): SyncOptions =>
  ({ ...optionsSchema.parse({}), ...overrides }) as SyncOptions;

function configOf(sandbox: AurigaSandbox, overrides: Partial<AurigaConfig> = {}): AurigaConfig {
  return {
    url: sandbox.url,
    keycloakUrl: sandbox.keycloakUrl,
    realm: sandbox.realm,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    username: sandbox.username,
    password: sandbox.password,
    interventionsQueryId: sandbox.interventionsQueryId,
    groupsQueryId: sandbox.groupsQueryId,
    pageSize: 100,
    maxPages: 1000,
    timeoutMs: 5000,
    extraHeaders: {},
    ...overrides,
  };
}

async function sandboxFor(
  t: { after: (fn: () => Promise<void>) => void } | undefined,
  school: Partial<SchoolOptions> = {},
  extra: { columnSeed?: number } = {},
): Promise<AurigaSandbox> {
  const sandbox = await startAurigaSandbox({
    school: generateSchool({ size: 'small', seed: 7, today: TODAY, timeZone: PARIS, ...school }),
    ...extra,
  });
  t?.after(() => sandbox.close());
  return sandbox;
}

/** Logs kept as text, to check that no secret ever shows up in them. */
function recordingLogger() {
  const lines: string[] = [];
  const log = (level: string) => (data: object, message?: string) =>
    lines.push(`${level} ${message ?? ''} ${JSON.stringify(data)}`);
  return { lines, logger: { info: log('info'), warn: log('warn'), debug: log('debug') } };
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

const localOf = (iso: string) =>
  Temporal.Instant.from(iso).toZonedDateTimeISO(PARIS).toPlainDateTime().toString();

describe('reading a school', () => {
  let sandbox: AurigaSandbox;
  before(async () => {
    sandbox = await sandboxFor(undefined);
  });
  after(() => sandbox.close());

  test('every intervention in the window, converted to UTC, with its people and groups', async () => {
    const { lines, logger } = recordingLogger();
    const reader = createAurigaReader(configOf(sandbox), options(), { now: () => NOW, logger });
    const snapshot = await reader.read();
    const school = sandbox.school;
    assert.equal(snapshot.rowsRead.interventions, school.interventions.length);
    const expected = school.interventions.filter(
      (iv) => iv.start >= '2026-03-16T00:00:00' && iv.start < '2026-03-30T00:00:00',
    );
    assert.ok(expected.length > 20);
    assert.deepEqual(
      snapshot.interventions.map((i) => i.id).sort(),
      expected.map((iv) => iv.id).sort(),
    );
    for (const iv of expected) {
      const read = snapshot.interventions.find((i) => i.id === iv.id);
      assert.ok(read);
      assert.equal(localOf(read.start), iv.start);
      assert.equal(localOf(read.end), iv.end);
      assert.deepEqual(read.groups, iv.groups);
      const withEmail = iv.learners.filter(
        (id) => school.learners.find((p) => p.id === id)?.email !== '',
      );
      assert.deepEqual(read.learners, withEmail);
    }
    assert.equal(snapshot.groups?.length, school.groups.length);
    const group = school.groups[0];
    assert.ok(group);
    assert.deepEqual(
      snapshot.groups?.find((g) => g.id === group.id),
      { id: group.id, name: group.label.fr, code: group.code, learners: group.learners },
    );
    // A learner without an email in Auriga is reported, not synced.
    for (const learner of school.learners.filter((p) => p.email === '')) {
      if (!expected.some((iv) => iv.learners.includes(learner.id))) continue;
      assert.equal(snapshot.learners.has(learner.id), false);
      assert.ok(
        snapshot.problems.some(
          (p) => p.code === 'person.missing_email' && p.aurigaId === learner.id,
        ),
      );
    }
    assertNoSecret(lines.join('\n'), sandbox);
  });

  test('menuEntryId is found from the menus when not configured, and used when it is', async () => {
    sandbox.resetCalls();
    await createAurigaReader(configOf(sandbox), options(), { now: () => NOW }).read();
    assert.equal(sandbox.calls()['GET /api/menus'], 1, 'menus read once for both favorites');
    sandbox.resetCalls();
    await createAurigaReader(configOf(sandbox, { menuEntryId: sandbox.menuEntryId }), options(), {
      now: () => NOW,
    }).read();
    assert.equal(sandbox.calls()['GET /api/menus'], undefined);
  });

  test('columns in another order give the same snapshot', async () => {
    const reader = createAurigaReader(configOf(sandbox), options(), { now: () => NOW });
    const before = await reader.read();
    sandbox.control.setOptions({ columnSeed: 12345 });
    try {
      const detailed = await createAurigaReader(configOf(sandbox), options(), {
        now: () => NOW,
      }).readDetailed();
      assert.notEqual(detailed.interventions.columns[0], 'ID', 'the order did change');
      assert.deepEqual(detailed.snapshot, before);
    } finally {
      sandbox.control.setOptions({ columnSeed: undefined });
    }
  });

  test('a favorite without required columns names them', async () => {
    const error = await rejection(
      createAurigaReader(
        configOf(sandbox, { interventionsQueryId: sandbox.groupsQueryId }),
        options(),
        { now: () => NOW },
      ).read(),
    );
    assert.equal(error.code, 'auriga.missing_columns');
    assert.match(error.message, /lacks the columns "Start", "End", "Instructor\(s\)"/);
    assert.match(error.message, /auriga\.interventionsQueryId/);
  });

  test('a favorite in no menu is a clear error', async () => {
    sandbox.control.setOptions({ hideFromMenus: true });
    try {
      const error = await rejection(
        createAurigaReader(configOf(sandbox), options(), { now: () => NOW }).read(),
      );
      assert.equal(error.code, 'auriga.favorite_not_in_menus');
      assert.match(
        error.message,
        /4242 \(auriga\.interventionsQueryId\) is in none of the Auriga menus/,
      );
      assert.match(error.message, /set auriga\.menuEntryId/);
    } finally {
      sandbox.control.setOptions({ hideFromMenus: false });
    }
  });

  test('extra headers: refused without them, read with them', async () => {
    sandbox.control.setOptions({ requiredHeaders: { 'x-scope': 'frontend' } });
    try {
      const error = await rejection(
        createAurigaReader(configOf(sandbox), options(), { now: () => NOW }).read(),
      );
      assert.equal(error.code, 'auriga.forbidden');
      assert.match(error.message, /auriga\.extraHeaders/);
      const snapshot = await createAurigaReader(
        configOf(sandbox, { extraHeaders: { 'x-scope': 'frontend' } }),
        options(),
        { now: () => NOW },
      ).read();
      assert.ok(snapshot.interventions.length > 0);
    } finally {
      sandbox.control.setOptions({ requiredHeaders: {} });
    }
  });
});

describe('sign-in', () => {
  let sandbox: AurigaSandbox;
  before(async () => {
    sandbox = await sandboxFor(undefined);
  });
  after(() => sandbox.close());

  for (const [shape, keycloakUrl] of [
    ['with /auth', (s: AurigaSandbox) => `${s.url}/auth`],
    ['without /auth', (s: AurigaSandbox) => s.url],
    ['with a trailing slash', (s: AurigaSandbox) => `${s.url}/auth/`],
    [
      'with /realms/... pasted on',
      (s: AurigaSandbox) => `${s.url}/auth/realms/school/protocol/openid-connect/auth?client_id=x`,
    ],
  ] as const) {
    test(`keycloakUrl ${shape}`, async () => {
      const check = await checkSignIn(configOf(sandbox, { keycloakUrl: keycloakUrl(sandbox) }));
      assert.match(check.base, /^http:\/\/127\.0\.0\.1:\d+(\/auth)?$/);
      assert.equal(check.issuer, `${check.base}/realms/school`);
      assert.equal(check.accessTokenSeconds, 60);
      assert.equal(check.refreshable, true);
    });
  }

  test('Keycloak answering 429 or 503 with Retry-After: the sign-in waits what it says, then signs in', async (t) => {
    const own = await sandboxFor(t);
    own.faults.configure({ retryAfterSeconds: 2 });
    own.faults.inject({ kind: '429', method: 'POST', pathPrefix: '/auth/', count: 1 });
    own.faults.inject({ kind: '5xx', method: 'GET', pathPrefix: '/auth/', count: 1 });
    const waits: number[] = [];
    const check = await checkSignIn(configOf(own), {
      retry: { ...FAST_RETRY, jitter: 0, maxDelayMs: 5000 },
      // The injected sleep: no real waiting, and it shows each wait asked for.
      sleep: async (ms: number) => {
        waits.push(ms);
      },
    });
    assert.equal(check.refreshable, true);
    assert.equal(own.faults.injected['429'], 1);
    assert.equal(own.faults.injected['5xx'], 1);
    // Discovery's 503 (no Retry-After) backs off 5 ms; the token's 429 waits its 2 s.
    assert.deepEqual(waits, [5, 2000]);
  });

  test('a Keycloak configuration error is never retried', async (t) => {
    const own = await sandboxFor(t);
    const waits: number[] = [];
    const error = await rejection(
      checkSignIn(configOf(own, { password: 'wrong' }), {
        retry: FAST_RETRY,
        sleep: async (ms: number) => {
          waits.push(ms);
        },
      }),
    );
    assert.equal(error.code, 'auriga.invalid_credentials');
    assert.deepEqual(waits, []);
    assert.equal(own.calls()[TOKEN_ROUTE], 1);
  });

  test('a Keycloak serving only /auth is found by the fallback, and the base is remembered', async () => {
    // A reverse proxy in front of the sandbox that knows only the legacy prefix.
    const onlyAuth: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.startsWith('/realms/')) {
        return new Response('<html><body>Not Found</body></html>', {
          status: 404,
          headers: { 'content-type': 'text/html' },
        });
      }
      return fetch(input, init);
    };
    const config = configOf(sandbox, { keycloakUrl: `${sandbox.url}/` });
    sandbox.resetCalls();
    const check = await checkSignIn(config, { fetch: onlyAuth });
    assert.equal(check.base, `${sandbox.url}/auth`);
    const discovery = () =>
      sandbox.calls()['GET /auth/realms/:realm/.well-known/openid-configuration'] ?? 0;
    assert.equal(discovery(), 1);
    await checkSignIn(config, { fetch: onlyAuth });
    assert.equal(discovery(), 1, 'the base found is remembered');
  });

  const cases = [
    {
      name: 'wrong password',
      setup: () => ({ password: 'not-the-password' }),
      code: 'auriga.invalid_credentials',
      says: /auriga\.username and auriga\.password/,
    },
    {
      name: 'wrong client secret',
      setup: () => ({ clientSecret: 'not-the-secret-at-all' }),
      code: 'auriga.invalid_client_secret',
      says: /check auriga\.clientSecret/,
    },
    {
      name: 'client without direct grants',
      setup: (s: AurigaSandbox) => {
        s.control.setOptions({ directGrants: false });
        return {};
      },
      code: 'auriga.direct_grants_disabled',
      says: /enable Direct Access Grants/,
    },
    {
      name: 'wrong realm',
      setup: () => ({ realm: 'schol' }),
      code: 'auriga.unknown_realm',
      says: /has no realm "schol": check auriga\.realm/,
    },
    {
      name: 'unknown client',
      setup: () => ({ clientId: 'edusign-sink' }),
      code: 'auriga.unknown_client',
      says: /check auriga\.clientId/,
    },
    {
      name: 'account not fully set up',
      setup: (s: AurigaSandbox) => {
        s.control.setOptions({ userSetupRequired: true });
        return {};
      },
      code: 'auriga.account_not_ready',
      says: /must finish its setup/,
    },
  ] as const;
  for (const { name, setup, code, says } of cases) {
    test(`${name}: its own actionable message, tried once`, async () => {
      const overrides = setup(sandbox);
      try {
        const { lines, logger } = recordingLogger();
        sandbox.resetCalls();
        const error = await rejection(
          createAurigaReader(configOf(sandbox, overrides), options(), {
            now: () => NOW,
            logger,
            retry: FAST_RETRY,
          }).read(),
        );
        assert.equal(error.code, code);
        assert.match(error.message, says);
        assert.equal(error.name, 'ConfigError');
        assert.ok((sandbox.calls()[TOKEN_ROUTE] ?? 0) <= 1, 'a configuration error is not retried');
        assertNoSecret(
          `${error.message} ${error.hint ?? ''} ${JSON.stringify(error.cause ?? null)} ${lines.join('\n')}`,
          sandbox,
          overrides,
        );
      } finally {
        sandbox.control.setOptions({ directGrants: true, userSetupRequired: false });
      }
    });
  }

  test('a token of 2 s outlived by a read: refreshed ahead of expiry, never refused', async () => {
    sandbox.control.setOptions({ accessTokenLifetimeSeconds: 2 });
    sandbox.faults.configure({ latencyMs: 600 });
    try {
      sandbox.resetCalls();
      // Pages of 10 rows, each answered 600 ms late: the read lasts about 4 s.
      sandbox.faults.inject({ kind: 'latency', method: 'POST', pathPrefix: '/api/', count: 7 });
      const statuses: Array<number | 'error'> = [];
      const started = Date.now();
      const snapshot = await createAurigaReader(configOf(sandbox, { pageSize: 10 }), options(), {
        now: () => NOW,
        onRequest: (e) => statuses.push(e.status),
      }).read();
      assert.ok(Date.now() - started > 2500, 'the read outlived the token');
      assert.ok(statuses.length >= 9);
      assert.deepEqual(
        statuses.filter((s) => s !== 200),
        [],
        'no call was refused',
      );
      assert.equal(snapshot.rowsRead.interventions, sandbox.school.interventions.length);
      assert.ok((sandbox.calls()[TOKEN_ROUTE] ?? 0) >= 2, 'the token was renewed');
    } finally {
      sandbox.control.setOptions({ accessTokenLifetimeSeconds: 60 });
      sandbox.faults.clear();
    }
  });

  test('a 401 from the API: one refresh, one retry; tokens revoked: signed in again', async () => {
    const reader = createAurigaReader(configOf(sandbox), options(), { now: () => NOW });
    await reader.read();
    sandbox.resetCalls();
    sandbox.control.expireAccessTokens();
    const again = await reader.read();
    assert.ok(again.interventions.length > 0);
    assert.equal(sandbox.calls()[TOKEN_ROUTE], 1, 'one refresh');
    sandbox.resetCalls();
    sandbox.control.revokeSessions();
    await reader.read();
    assert.equal(sandbox.calls()[TOKEN_ROUTE], 2, 'the refresh is refused, a sign-in follows');
  });
});

describe('paging and faults', () => {
  test('three pages of 100 rows and a short last page', async (t) => {
    const sandbox = await sandboxFor(t, {
      size: { interventions: 350, learners: 120, instructors: 20, groups: 8 },
    });
    const detailed = await createAurigaReader(configOf(sandbox), options(), {
      now: () => NOW,
    }).readDetailed();
    assert.equal(detailed.interventions.rows, 350);
    assert.equal(detailed.interventions.pages, 4);
    assert.equal(detailed.completeness.complete, true);
    assert.equal(detailed.completeness.groups?.complete, true);
    assert.equal(
      sandbox.calls()[SEARCH_ROUTE],
      4 + 1,
      'four pages of interventions, one of groups',
    );
  });

  test('exactly three full pages: stops at totalPages, no empty fourth page asked', async (t) => {
    const sandbox = await sandboxFor(t, {
      size: { interventions: 300, learners: 120, instructors: 20, groups: 8 },
    });
    const detailed = await createAurigaReader(
      configOf(sandbox, { groupsQueryId: undefined }),
      options(),
      { now: () => NOW },
    ).readDetailed();
    assert.equal(detailed.interventions.rows, 300);
    assert.equal(sandbox.calls()[SEARCH_ROUTE], 3);
  });

  test('an Auriga that serves 100 rows when asked 200: every page up to totalPages is read', async (t) => {
    const sandbox = await sandboxFor(t, {
      size: { interventions: 450, learners: 120, instructors: 20, groups: 8 },
    });
    sandbox.control.setOptions({ maxPageSize: 100 });
    const { lines, logger } = recordingLogger();
    const detailed = await createAurigaReader(
      configOf(sandbox, { pageSize: 200, groupsQueryId: undefined }),
      options(),
      { now: () => NOW, logger },
    ).readDetailed();
    // Each page is short (100 < 200), yet totalPages says 5: all 450 rows are read.
    assert.equal(detailed.interventions.rows, 450);
    assert.equal(detailed.snapshot.rowsRead.interventions, 450);
    assert.equal(sandbox.calls()[SEARCH_ROUTE], 5);
    assert.deepEqual(detailed.completeness, {
      complete: true,
      interventions: { complete: true, pagesRead: 5, totalPages: 5, rowsRead: 450 },
      groups: undefined,
    });
    assert.ok(!lines.some((l) => l.startsWith('warn')), lines.join('\n'));
  });

  test('an empty page before totalPages ends the read, which is then incomplete', async (t) => {
    const sandbox = await sandboxFor(t, {
      size: { interventions: 350, learners: 120, instructors: 20, groups: 8 },
    });
    const { lines, logger } = recordingLogger();
    const detailed = await createAurigaReader(
      configOf(sandbox, { groupsQueryId: undefined }),
      options(),
      {
        now: () => NOW,
        logger,
        // The school's interventions go away once the first page is read:
        // Auriga's second page comes back empty while page 1 said 4 pages.
        onProgress: () => {
          sandbox.school.interventions.length = 0;
        },
      },
    ).readDetailed();
    assert.equal(detailed.interventions.rows, 100);
    assert.equal(sandbox.calls()[SEARCH_ROUTE], 2, 'no page asked after the empty one');
    assert.deepEqual(detailed.completeness.interventions, {
      complete: false,
      pagesRead: 2,
      totalPages: 4,
      rowsRead: 100,
    });
    assert.equal(detailed.completeness.complete, false);
    assert.ok(
      lines.some((l) => l.startsWith('warn') && /incomplete/.test(l)),
      'the incomplete read is logged as a warning',
    );
  });

  test('more pages than maxPages is an error, not a silent truncation', async (t) => {
    const sandbox = await sandboxFor(t);
    const error = await rejection(
      createAurigaReader(configOf(sandbox, { pageSize: 10, maxPages: 3 }), options(), {
        now: () => NOW,
      }).read(),
    );
    assert.equal(error.code, 'auriga.favorite_too_large');
    assert.match(error.message, /raise auriga\.maxPages/);
  });

  test('an HTML page instead of JSON is an error that names the cause', async (t) => {
    const sandbox = await sandboxFor(t);
    sandbox.faults.inject({
      kind: 'html',
      method: 'POST',
      pathPrefix: '/api/menuEntries',
      count: 1,
    });
    const error = await rejection(
      createAurigaReader(configOf(sandbox), options(), {
        now: () => NOW,
        retry: FAST_RETRY,
      }).read(),
    );
    assert.equal(error.code, 'auriga.html_answer');
    assert.match(error.message, /HTML page .* instead of JSON/);
    assert.match(error.message, /check auriga\.url/i);
  });

  test('5xx and dropped connections are retried, with a bound', async (t) => {
    const sandbox = await sandboxFor(t);
    sandbox.faults.inject({
      kind: '5xx',
      method: 'POST',
      pathPrefix: '/api/menuEntries',
      count: 2,
    });
    sandbox.faults.inject({ kind: 'drop', method: 'GET', pathPrefix: '/api/menus', count: 1 });
    sandbox.faults.inject({ kind: 'drop', method: 'POST', pathPrefix: '/auth/', count: 1 });
    const snapshot = await createAurigaReader(configOf(sandbox), options(), {
      now: () => NOW,
      retry: FAST_RETRY,
    }).read();
    assert.equal(snapshot.rowsRead.interventions, sandbox.school.interventions.length);
    assert.equal(sandbox.faults.injected['5xx'], 2);
    assert.equal(sandbox.faults.injected.drop, 2);

    sandbox.faults.inject({ kind: '5xx', method: 'GET', pathPrefix: '/api/menus', count: 50 });
    const error = await rejection(
      createAurigaReader(configOf(sandbox), options(), {
        now: () => NOW,
        retry: FAST_RETRY,
      }).read(),
    );
    assert.equal(error.code, 'auriga.unavailable');
    assert.equal(error.name, 'TransientError');
    assert.match(error.message, /after 5 attempts \(last: HTTP 503\)/);
    sandbox.faults.clear();
  });

  test('a timeout is retried', async (t) => {
    const sandbox = await sandboxFor(t);
    sandbox.faults.configure({ latencyMs: 1500 });
    sandbox.faults.inject({ kind: 'latency', method: 'GET', pathPrefix: '/api/menus', count: 1 });
    const { lines, logger } = recordingLogger();
    const snapshot = await createAurigaReader(configOf(sandbox, { timeoutMs: 300 }), options(), {
      now: () => NOW,
      retry: FAST_RETRY,
      logger,
    }).read();
    assert.ok(snapshot.interventions.length > 0);
    assert.ok(lines.some((l) => l.includes('no answer within 300 ms')));
  });

  test('an abort stops the read', async (t) => {
    const sandbox = await sandboxFor(t);
    const controller = new AbortController();
    controller.abort(new Error('stop asked'));
    await assert.rejects(
      createAurigaReader(configOf(sandbox), options(), { now: () => NOW }).read({
        signal: controller.signal,
      }),
    );
  });
});

describe('the window in Paris across daylight saving', () => {
  const person = { id: '90000001', lastName: 'Doe', firstName: 'Jo', email: 'jo@x.example' };
  const at = (id: string, start: string, end: string) => ({
    id,
    start,
    end,
    activityType: { fr: 'Cours' },
    educationalUnit: null,
    description: '',
    resourceLabel: '',
    resourceCode: '',
    learners: [person.id],
    instructors: [],
    groups: [],
  });

  test('the last Sunday of March (2026-03-29)', async (t) => {
    const sandbox = await sandboxFor(t);
    sandbox.control.replaceSchool({ ...sandbox.school, interventions: [] });
    sandbox.control.addPerson('learner', person);
    const rows = [
      at('900001', '2026-03-15T23:59:00', '2026-03-16T01:00:00'), // the day before: out
      at('900002', '2026-03-16T00:00:00', '2026-03-16T01:00:00'), // today 00:00: in
      at('900003', '2026-03-29T01:30:00', '2026-03-29T03:30:00'), // before the jump: in
      at('900004', '2026-03-29T02:30:00', '2026-03-29T04:00:00'), // does not exist: problem
      at('900005', '2026-03-29T03:00:00', '2026-03-29T04:00:00'), // right after: in
      at('900006', '2026-03-29T23:59:00', '2026-03-30T01:00:00'), // last minute: in
      at('900007', '2026-03-30T00:00:00', '2026-03-30T01:00:00'), // window end: out
    ];
    for (const row of rows) sandbox.control.addIntervention(row);
    const snapshot = await createAurigaReader(configOf(sandbox), options(), {
      now: () => new Date('2026-03-16T08:00:00Z'),
    }).read();
    assert.equal(snapshot.window.from, '2026-03-15T23:00:00.000Z');
    assert.equal(snapshot.window.to, '2026-03-29T22:00:00.000Z');
    assert.deepEqual(
      snapshot.interventions.map((i) => [i.id, i.start, i.end]),
      [
        ['900002', '2026-03-15T23:00:00.000Z', '2026-03-16T00:00:00.000Z'],
        ['900003', '2026-03-29T00:30:00.000Z', '2026-03-29T01:30:00.000Z'],
        ['900005', '2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z'],
        ['900006', '2026-03-29T21:59:00.000Z', '2026-03-29T23:00:00.000Z'],
      ],
    );
    assert.deepEqual(
      snapshot.problems.map((p) => [p.code, p.aurigaId]),
      [['row.nonexistent_time', '900004']],
    );
  });

  test('the last Sunday of October (2026-10-25)', async (t) => {
    const sandbox = await sandboxFor(t);
    sandbox.control.replaceSchool({ ...sandbox.school, interventions: [] });
    sandbox.control.addPerson('learner', person);
    const rows = [
      at('910001', '2026-10-11T23:59:00', '2026-10-12T01:00:00'), // the day before: out
      at('910002', '2026-10-12T00:00:00', '2026-10-12T01:00:00'), // today 00:00: in
      at('910003', '2026-10-25T02:30:00', '2026-10-25T03:30:00'), // twice: the first one
      at('910004', '2026-10-25T23:59:00', '2026-10-26T01:00:00'), // last minute: in
      at('910005', '2026-10-26T00:00:00', '2026-10-26T01:00:00'), // window end: out
    ];
    for (const row of rows) sandbox.control.addIntervention(row);
    const snapshot = await createAurigaReader(configOf(sandbox), options(), {
      now: () => new Date('2026-10-12T08:00:00Z'),
    }).read();
    assert.equal(snapshot.window.from, '2026-10-11T22:00:00.000Z');
    assert.equal(snapshot.window.to, '2026-10-25T23:00:00.000Z');
    assert.deepEqual(
      snapshot.interventions.map((i) => [i.id, i.start, i.end]),
      [
        ['910002', '2026-10-11T22:00:00.000Z', '2026-10-11T23:00:00.000Z'],
        ['910003', '2026-10-25T00:30:00.000Z', '2026-10-25T02:30:00.000Z'],
        ['910004', '2026-10-25T22:59:00.000Z', '2026-10-26T00:00:00.000Z'],
      ],
    );
    assert.deepEqual(snapshot.problems, []);
  });
});

function assertNoSecret(
  text: string,
  sandbox: AurigaSandbox,
  overrides: Partial<AurigaConfig> = {},
): void {
  for (const secret of [
    sandbox.password,
    sandbox.clientSecret,
    overrides.password,
    overrides.clientSecret,
  ]) {
    if (secret) assert.ok(!text.includes(secret), 'a secret leaked');
  }
  assert.doesNotMatch(text, /eyJ[\w-]{10,}/, 'a token leaked');
}
