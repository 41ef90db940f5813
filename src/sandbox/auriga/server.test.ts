import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { generateSchool, type School } from '../school/index.ts';
import { type AurigaSandbox, startAurigaSandbox } from './index.ts';

const TODAY = '2025-03-10';
const REQUIRED_COLUMNS = [
  'ID',
  'Start',
  'End',
  'Educational Unit.Label',
  'Activity Type.Label',
  'Session (Description)',
  'Resource.Label',
  'Resource.Code',
  'Learner(s)',
  'Instructor(s)',
  'Group ID(s)',
];

interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_expires_in: number;
  token_type: string;
  scope: string;
  session_state: string;
  'not-before-policy': number;
  id_token?: string;
}
interface Column {
  label: { en: string; fr: string };
  field: string;
  path: string;
}
interface SearchAnswer {
  totalPages: number;
  totalElements: number;
  number: number;
  size: number;
  content: { columns: Column[]; lines: unknown[][] };
}

const smallSchool = (seed = 1, malformedShare = 0): School =>
  generateSchool({ size: 'small', seed, today: TODAY, malformedShare });

const opened: AurigaSandbox[] = [];
after(() => Promise.all(opened.map((sandbox) => sandbox.close())));

async function start(options: Partial<Parameters<typeof startAurigaSandbox>[0]> = {}) {
  const sandbox = await startAurigaSandbox({ school: smallSchool(), ...options });
  opened.push(sandbox);
  return sandbox;
}

const tokenUrl = (sb: AurigaSandbox, base = sb.keycloakUrl, realm = sb.realm) =>
  `${base}/realms/${realm}/protocol/openid-connect/token`;

function tokenRequest(sb: AurigaSandbox, fields: Record<string, string>, init: RequestInit = {}) {
  return fetch(tokenUrl(sb), {
    method: 'POST',
    body: new URLSearchParams(fields),
    ...init,
  });
}

const passwordGrant = (sb: AurigaSandbox, extra: Record<string, string> = {}) => ({
  grant_type: 'password',
  client_id: sb.clientId,
  client_secret: sb.clientSecret,
  username: sb.username,
  password: sb.password,
  ...extra,
});

async function signIn(sb: AurigaSandbox, base = sb.keycloakUrl): Promise<TokenAnswer> {
  const response = await fetch(tokenUrl(sb, base), {
    method: 'POST',
    body: new URLSearchParams(passwordGrant(sb)),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as TokenAnswer;
}

async function expectOauthError(
  response: Response,
  status: number,
  error: string,
  description?: string,
): Promise<void> {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  const body = (await response.json()) as { error: string; error_description: string };
  assert.equal(body.error, error);
  assert.equal(typeof body.error_description, 'string');
  if (description !== undefined) assert.equal(body.error_description, description);
}

const jwtClaims = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));

function api(sb: AurigaSandbox, token: string | undefined, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  return fetch(`${sb.url}${path}`, { ...init, headers });
}

async function search(
  sb: AurigaSandbox,
  token: string,
  queryId: string,
  page: number,
  size: number,
  headers: Record<string, string> = {},
): Promise<SearchAnswer> {
  const definition = await api(sb, token, `/api/menuEntries/${sb.menuEntryId}/query/${queryId}`, {
    headers,
  });
  assert.equal(definition.status, 200);
  const { queryDefinition } = (await definition.json()) as { queryDefinition: unknown };
  const response = await api(
    sb,
    token,
    `/api/menuEntries/${sb.menuEntryId}/searchResult?size=${size}&page=${page}&sort=id&disableWarnings=true`,
    {
      method: 'POST',
      body: JSON.stringify(queryDefinition),
      headers: { 'content-type': 'application/json', ...headers },
    },
  );
  assert.equal(response.status, 200);
  return (await response.json()) as SearchAnswer;
}

/** Rows of one page as objects keyed by English column label. */
function rows(answer: SearchAnswer): Record<string, unknown>[] {
  const labels = answer.content.columns.map((c) => c.label.en);
  return answer.content.lines.map((line) =>
    Object.fromEntries(labels.map((label, i) => [label, line[i]])),
  );
}

function control(sb: AurigaSandbox, path: string, body?: unknown, method = 'POST') {
  return fetch(`${sb.url}/_sandbox${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}

describe('Keycloak sandbox', () => {
  let sb: AurigaSandbox;
  before(async () => {
    sb = await start();
  });

  test('password grant, with and without the legacy /auth prefix, answers like Keycloak', async () => {
    assert.equal(sb.keycloakUrl, `${sb.url}/auth`);
    for (const base of [sb.keycloakUrl, sb.url]) {
      const started = Math.floor(Date.now() / 1000);
      const answer = await signIn(sb, base);
      assert.equal(answer.token_type, 'Bearer');
      assert.equal(answer.expires_in, 60);
      assert.equal(answer.refresh_expires_in, 1800);
      assert.equal(answer['not-before-policy'], 0);
      assert.equal(typeof answer.session_state, 'string');
      assert.equal(answer.scope, 'profile email');
      assert.equal(answer.id_token, undefined, 'no id_token without the openid scope');
      const claims = jwtClaims(answer.access_token);
      assert.ok(Math.abs((claims.exp as number) - (started + 60)) <= 2, 'exp matches expires_in');
      assert.equal(claims.iss, `${base}/realms/${sb.realm}`);
      assert.equal(claims.azp, sb.clientId);
    }
  });

  test('client credentials may come as HTTP Basic, form-encoded per RFC 6749', async (t) => {
    sb.control.setOptions({ clientSecret: 'a:b+c d%' });
    t.after(() => sb.control.setOptions({ clientSecret: 'sandbox-client-secret' }));
    const basic = Buffer.from(`${sb.clientId}:${encodeURIComponent('a:b+c d%')}`).toString(
      'base64',
    );
    const ok = await tokenRequest(
      sb,
      { grant_type: 'password', username: sb.username, password: sb.password },
      { headers: { authorization: `Basic ${basic}` } },
    );
    assert.equal(ok.status, 200);
    const wrong = Buffer.from(`${sb.clientId}:nope`).toString('base64');
    await expectOauthError(
      await tokenRequest(
        sb,
        { grant_type: 'password', username: sb.username, password: sb.password },
        { headers: { authorization: `Basic ${wrong}` } },
      ),
      401,
      'unauthorized_client',
    );
  });

  test('discovery: issuer is the realm URL as requested, and openid-client v6 signs in and refreshes', async () => {
    for (const base of [sb.keycloakUrl, sb.url]) {
      const realmUrl = `${base}/realms/${sb.realm}`;
      const response = await fetch(`${realmUrl}/.well-known/openid-configuration`);
      assert.equal(response.status, 200);
      const doc = (await response.json()) as Record<string, unknown>;
      assert.equal(doc.issuer, realmUrl);
      assert.equal(doc.token_endpoint, `${realmUrl}/protocol/openid-connect/token`);
      assert.equal(doc.jwks_uri, `${realmUrl}/protocol/openid-connect/certs`);
      assert.ok(typeof doc.authorization_endpoint === 'string');
      assert.deepEqual(doc.token_endpoint_auth_methods_supported, [
        'client_secret_post',
        'client_secret_basic',
      ]);
      assert.ok((doc.grant_types_supported as string[]).includes('password'));
      assert.ok((doc.grant_types_supported as string[]).includes('refresh_token'));
      const certs = (await (await fetch(doc.jwks_uri as string)).json()) as { keys: unknown[] };
      assert.equal(certs.keys.length, 1);

      for (const auth of [
        oidc.ClientSecretPost(sb.clientSecret),
        oidc.ClientSecretBasic(sb.clientSecret),
      ]) {
        const config = await oidc.discovery(new URL(realmUrl), sb.clientId, undefined, auth, {
          execute: [oidc.allowInsecureRequests],
        });
        const tokens = await oidc.genericGrantRequest(config, 'password', {
          username: sb.username,
          password: sb.password,
          scope: 'openid',
        });
        assert.ok(tokens.id_token, 'openid scope brings a validated id_token');
        assert.equal(tokens.claims()?.iss, realmUrl);
        const userinfo = await fetch(`${realmUrl}/protocol/openid-connect/userinfo`, {
          headers: { authorization: `Bearer ${tokens.access_token}` },
        });
        assert.equal(
          ((await userinfo.json()) as { preferred_username: string }).preferred_username,
          sb.username,
        );
        const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
        assert.notEqual(refreshed.access_token, tokens.access_token);
        assert.equal((await api(sb, refreshed.access_token, '/api/menus')).status, 200);
      }
    }
  });

  test('refresh grant gives a working access token; a bad refresh token is invalid_grant', async () => {
    const first = await signIn(sb);
    const response = await tokenRequest(sb, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
      client_id: sb.clientId,
      client_secret: sb.clientSecret,
    });
    assert.equal(response.status, 200);
    const second = (await response.json()) as TokenAnswer;
    assert.equal(second.session_state, first.session_state, 'same session');
    assert.equal((await api(sb, second.access_token, '/api/menus')).status, 200);
    await expectOauthError(
      await tokenRequest(sb, {
        grant_type: 'refresh_token',
        refresh_token: 'not-a-token',
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
      }),
      400,
      'invalid_grant',
    );
    await expectOauthError(
      await tokenRequest(sb, {
        grant_type: 'refresh_token',
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
      }),
      400,
      'invalid_request',
    );
  });

  test('every error of the spec table, with its status and code', async () => {
    await expectOauthError(
      await tokenRequest(sb, passwordGrant(sb, { password: 'wrong' })),
      401,
      'invalid_grant',
      'Invalid user credentials',
    );
    await expectOauthError(
      await tokenRequest(sb, passwordGrant(sb, { username: 'nobody' })),
      401,
      'invalid_grant',
      'Invalid user credentials',
    );
    await expectOauthError(
      await tokenRequest(sb, passwordGrant(sb, { client_secret: 'wrong' })),
      401,
      'unauthorized_client',
    );
    await expectOauthError(
      await tokenRequest(sb, passwordGrant(sb, { client_id: 'other-client' })),
      401,
      'invalid_client',
    );
    const { client_id: _, ...noClient } = passwordGrant(sb);
    await expectOauthError(await tokenRequest(sb, noClient), 400, 'invalid_client');
    await expectOauthError(
      await tokenRequest(sb, passwordGrant(sb, { grant_type: 'client_credentials' })),
      400,
      'unsupported_grant_type',
    );
    const { grant_type: __, ...noGrant } = passwordGrant(sb);
    await expectOauthError(await tokenRequest(sb, noGrant), 400, 'invalid_request');

    // Account and client settings changed over the control API.
    assert.equal((await control(sb, '/options', { userSetupRequired: true })).status, 200);
    await expectOauthError(
      await tokenRequest(sb, passwordGrant(sb)),
      400,
      'invalid_grant',
      'Account is not fully set up',
    );
    await control(sb, '/options', { userSetupRequired: false, directGrants: false });
    await expectOauthError(await tokenRequest(sb, passwordGrant(sb)), 400, 'unauthorized_client');
    await control(sb, '/options', { directGrants: true });
    assert.equal((await tokenRequest(sb, passwordGrant(sb))).status, 200);
  });

  test('an unknown realm or path answers a 404 HTML page, not JSON', async () => {
    for (const url of [
      tokenUrl(sb, sb.keycloakUrl, 'no-such-realm'),
      `${sb.url}/realms/no-such-realm/.well-known/openid-configuration`,
      `${sb.url}/auth/realms/${sb.realm}/protocol/openid-connect/nothing`,
      `${sb.url}/auth/auth/realms/${sb.realm}/protocol/openid-connect/token`,
    ]) {
      const response = await fetch(url, { method: url.endsWith('token') ? 'POST' : 'GET' });
      assert.equal(response.status, 404, url);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await response.text(), /<html/);
    }
  });

  test('revoked sessions: refresh is invalid_grant and the API answers 401', async () => {
    const session = await signIn(sb);
    assert.equal((await control(sb, '/sessions/revoke')).status, 200);
    assert.equal((await api(sb, session.access_token, '/api/menus')).status, 401);
    await expectOauthError(
      await tokenRequest(sb, {
        grant_type: 'refresh_token',
        refresh_token: session.refresh_token,
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
      }),
      400,
      'invalid_grant',
      'Session not active',
    );
    assert.equal((await signIn(sb)).token_type, 'Bearer', 'a new sign-in works');
  });

  test('an expired access token is refused until refreshed', async () => {
    const session = await signIn(sb);
    assert.equal((await control(sb, '/tokens/expire')).status, 200);
    const refused = await api(sb, session.access_token, '/api/menus');
    assert.equal(refused.status, 401);
    assert.deepEqual(
      { error: ((await refused.json()) as { error: string }).error },
      { error: 'unauthorized' },
    );
    const refreshed = await tokenRequest(sb, {
      grant_type: 'refresh_token',
      refresh_token: session.refresh_token,
      client_id: sb.clientId,
      client_secret: sb.clientSecret,
    });
    const { access_token } = (await refreshed.json()) as TokenAnswer;
    assert.equal((await api(sb, access_token, '/api/menus')).status, 200);
  });
});

describe('token lifetimes', () => {
  test('after its lifetime an access token gets 401 and a refresh token invalid_grant', async () => {
    const sb = await start({ accessTokenLifetimeSeconds: 1, refreshTokenLifetimeSeconds: 1 });
    const session = await signIn(sb);
    assert.equal(session.expires_in, 1);
    assert.equal((await api(sb, session.access_token, '/api/menus')).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const response = await api(sb, session.access_token, '/api/menus');
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { error: string }).error, 'unauthorized');
    await expectOauthError(
      await tokenRequest(sb, {
        grant_type: 'refresh_token',
        refresh_token: session.refresh_token,
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
      }),
      400,
      'invalid_grant',
      'Token is not active',
    );
  });
});

describe('Auriga API sandbox', () => {
  let sb: AurigaSandbox;
  let token: string;
  before(async () => {
    sb = await start({ school: smallSchool(1, 0.1) });
    token = (await signIn(sb)).access_token;
  });

  test('a Bearer token is required and checked', async () => {
    for (const bearer of [undefined, 'garbage']) {
      const response = await api(sb, bearer, '/api/menus');
      assert.equal(response.status, 401);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(((await response.json()) as { error: string }).error, 'unauthorized');
    }
  });

  test('menus list several menus and entries, ours among them', async () => {
    const response = await api(sb, token, '/api/menus');
    assert.equal(response.status, 200);
    const { menus } = (await response.json()) as {
      menus: {
        objects: { menuEntryCode: string; menuEntryId: number; queryId: number; formId: number }[];
      }[];
    };
    assert.ok(menus.length >= 2);
    const objects = menus.flatMap((m) => m.objects);
    assert.ok(objects.length >= 4);
    for (const o of objects) {
      assert.equal(typeof o.menuEntryCode, 'string');
      assert.equal(typeof o.formId, 'number');
    }
    const ours = objects.filter((o) => String(o.menuEntryId) === sb.menuEntryId);
    assert.deepEqual(ours.map((o) => String(o.queryId)).sort(), [
      sb.interventionsQueryId,
      sb.groupsQueryId,
    ]);
  });

  test('hideFromMenus puts the favorites in no menu, yet they still answer', async (t) => {
    sb.control.setOptions({ hideFromMenus: true });
    t.after(() => sb.control.setOptions({ hideFromMenus: false }));
    const { menus } = (await (await api(sb, token, '/api/menus')).json()) as {
      menus: { objects: { queryId: number }[] }[];
    };
    const queryIds = menus.flatMap((m) => m.objects.map((o) => String(o.queryId)));
    assert.ok(!queryIds.includes(sb.interventionsQueryId));
    assert.ok(!queryIds.includes(sb.groupsQueryId));
    assert.equal(
      (await search(sb, token, sb.interventionsQueryId, 1, 10)).content.lines.length,
      10,
    );
  });

  test('query definitions: ours answer, unknown ones are 404 JSON', async () => {
    const response = await api(
      sb,
      token,
      `/api/menuEntries/${sb.menuEntryId}/query/${sb.interventionsQueryId}`,
    );
    assert.equal(response.status, 200);
    const { queryDefinition } = (await response.json()) as { queryDefinition: { id: number } };
    assert.equal(String(queryDefinition.id), sb.interventionsQueryId);
    for (const path of [
      `/api/menuEntries/${sb.menuEntryId}/query/999999`,
      '/api/menuEntries/1/query/4242',
    ]) {
      const missing = await api(sb, token, path);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { status: number }).status, 404);
    }
  });

  test('searchResult without a query definition body is refused', async () => {
    const path = `/api/menuEntries/${sb.menuEntryId}/searchResult?size=10&page=1`;
    const empty = await api(sb, token, path, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(empty.status, 400);
    const unknown = await api(sb, token, path, {
      method: 'POST',
      body: JSON.stringify({ id: 1 }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(unknown.status, 404);
  });

  test('columns: every required label in English and French, extra columns, a non-trivial order', async () => {
    const answer = await search(sb, token, sb.interventionsQueryId, 1, 5);
    const labels = answer.content.columns.map((c) => c.label.en);
    for (const label of REQUIRED_COLUMNS) assert.ok(labels.includes(label), label);
    for (const c of answer.content.columns) {
      assert.ok(c.label.fr.length > 0 && typeof c.field === 'string' && typeof c.path === 'string');
    }
    for (const extra of ['Status', 'Created by', 'Duration (h)']) assert.ok(labels.includes(extra));
    assert.notDeepEqual(
      labels.filter((l) => REQUIRED_COLUMNS.includes(l)),
      REQUIRED_COLUMNS,
      'not in the seed order',
    );
    for (const line of answer.content.lines) assert.equal(line.length, labels.length);

    const shuffled = await start({ columnSeed: 42 });
    const other = await search(
      shuffled,
      (await signIn(shuffled)).access_token,
      shuffled.interventionsQueryId,
      1,
      1,
    );
    const otherLabels = other.content.columns.map((c) => c.label.en);
    assert.notDeepEqual(otherLabels, labels);
    assert.deepEqual([...otherLabels].sort(), [...labels].sort());
  });

  test('cells are rendered from the school as Auriga writes them', async () => {
    const answer = await search(sb, token, sb.interventionsQueryId, 1, 1000);
    const all = rows(answer);
    assert.equal(all.length, sb.school.interventions.length);
    const byId = new Map(sb.school.interventions.map((iv) => [iv.id, iv]));
    const people = new Map([...sb.school.learners, ...sb.school.instructors].map((p) => [p.id, p]));
    const labelForms = new Set<string>();
    for (const row of all) {
      const iv = byId.get(row.ID as string);
      assert.ok(iv, `row ${row.ID} is an intervention`);
      if (iv.raw) {
        for (const [label, cell] of Object.entries(iv.raw)) assert.equal(row[label], cell);
      }
      if (!iv.raw?.Start) assert.equal(row.Start, iv.start);
      if (!iv.raw?.End) assert.equal(row.End, iv.end);
      if (!iv.raw?.['Learner(s)']) {
        const cell = row['Learner(s)'] as string;
        const entries = cell === '' ? [] : cell.split('|');
        assert.deepEqual(
          entries.map((e) => e.split('/')[0]),
          iv.learners,
        );
        for (const entry of entries) {
          const [id = '', last, first, email] = entry.split('/');
          const person = people.get(id);
          assert.equal(last, person?.lastName.toLocaleUpperCase('fr-FR'));
          assert.equal(first, person?.firstName);
          assert.equal(email, person?.email);
        }
      }
      assert.equal(row['Group ID(s)'], iv.groups.join('|'));
      for (const label of ['Activity Type.Label', 'Educational Unit.Label']) {
        const cell = row[label];
        if (cell === null || cell === '' || iv.raw?.[label]) continue;
        labelForms.add(
          typeof cell === 'object' ? 'object' : String(cell).startsWith('{') ? 'json' : 'text',
        );
      }
      const [h, m] = [
        Number(iv.end.slice(11, 13)) - Number(iv.start.slice(11, 13)),
        Number(iv.end.slice(14, 16)) - Number(iv.start.slice(14, 16)),
      ];
      assert.equal(row['Duration (h)'], String(h + m / 60).replace('.', ','));
    }
    assert.deepEqual(
      [...labelForms].sort(),
      ['json', 'object', 'text'],
      'labels come in every form',
    );
    assert.ok(
      all.some((r) => String(r['Duration (h)']).includes(',')),
      'a French decimal comma',
    );
    const ids = all.map((r) => Number(r.ID));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'sorted by id',
    );
  });

  test('groups favorite: ID, Label, Code, Learner(s) and an extra column', async () => {
    const answer = await search(sb, token, sb.groupsQueryId, 1, 100);
    const labels = answer.content.columns.map((c) => c.label.en);
    for (const label of ['ID', 'Label', 'Code', 'Learner(s)']) assert.ok(labels.includes(label));
    assert.ok(labels.length > 4);
    const all = rows(answer);
    assert.equal(all.length, sb.school.groups.length);
    for (const row of all) {
      const group = sb.school.groups.find((g) => g.id === row.ID);
      assert.ok(group);
      assert.equal(row.Code, group.code);
      assert.equal(row['Learner(s)'], group.learners.join('|'));
      assert.ok(row.Label !== null && row.Label !== '');
    }
  });

  test('paging: pages start at 1, the last is short, past the end is empty, size is capped', async () => {
    const school = generateSchool({
      size: { interventions: 250, learners: 30, instructors: 5, groups: 4 },
      seed: 9,
      today: TODAY,
    });
    const paged = await start({ school });
    const access = (await signIn(paged)).access_token;
    const pages = [];
    for (let page = 1; page <= 4; page++)
      pages.push(await search(paged, access, paged.interventionsQueryId, page, 100));
    assert.deepEqual(
      pages.map((p) => [p.number, p.totalPages, p.totalElements, p.content.lines.length]),
      [
        [1, 3, 250, 100],
        [2, 3, 250, 100],
        [3, 3, 250, 50],
        [4, 3, 250, 0],
      ],
    );
    const ids = pages.flatMap((p) => rows(p).map((r) => r.ID as string));
    assert.equal(new Set(ids).size, 250, 'no row twice');
    assert.deepEqual(new Set(ids), new Set(school.interventions.map((iv) => iv.id)));

    const capped = await search(paged, access, paged.interventionsQueryId, 1, 5000);
    assert.equal(capped.size, 1000);
    assert.equal(capped.totalPages, 1);
    for (const bad of ['page=0&size=10', 'page=1&size=0', 'page=x&size=10']) {
      const response = await api(
        paged,
        access,
        `/api/menuEntries/${paged.menuEntryId}/searchResult?${bad}`,
        {
          method: 'POST',
          body: JSON.stringify({ id: Number(paged.interventionsQueryId) }),
          headers: { 'content-type': 'application/json' },
        },
      );
      assert.equal(response.status, 400, bad);
    }
  });

  test('required headers: a call without one is refused with 403 naming it', async () => {
    const strict = await start({ requiredHeaders: { 'x-scope': 'frontend' } });
    const access = (await signIn(strict)).access_token;
    const refused = await api(strict, access, '/api/menus');
    assert.equal(refused.status, 403);
    assert.match(JSON.stringify(await refused.json()), /x-scope/);
    const ok = await api(strict, access, '/api/menus', { headers: { 'x-scope': 'frontend' } });
    assert.equal(ok.status, 200);
    const answer = await search(strict, access, strict.interventionsQueryId, 1, 10, {
      'x-scope': 'frontend',
    });
    assert.equal(answer.content.lines.length, 10);
  });

  test('faults set over the control API: 5xx, 429 with Retry-After, HTML, dropped connection', async () => {
    const inject = (kind: string) =>
      control(sb, '/faults', { inject: { kind, method: 'GET', pathPrefix: '/api/menus' } });
    assert.equal((await inject('5xx')).status, 200);
    assert.equal((await api(sb, token, '/api/menus')).status, 503);
    await inject('429');
    const limited = await api(sb, token, '/api/menus');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    await inject('html');
    const html = await api(sb, token, '/api/menus');
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    await inject('drop');
    await assert.rejects(api(sb, token, '/api/menus'));
    assert.equal((await api(sb, token, '/api/menus')).status, 200, 'faults are used up');
    const state = (await (await control(sb, '/state', undefined, 'GET')).json()) as {
      faults: { injected: Record<string, number> };
      settings: { clientSecret: string; password: string };
    };
    assert.deepEqual(
      [
        state.faults.injected['5xx'],
        state.faults.injected['429'],
        state.faults.injected.html,
        state.faults.injected.drop,
      ],
      [1, 1, 1, 1],
    );
    assert.equal(state.settings.clientSecret, '***', 'no secret shown back');
    assert.equal((await control(sb, '/faults', { kinds: ['bogus'] })).status, 400);
  });

  test('control changes show in the next searchResult', async () => {
    const read = async () => rows(await search(sb, token, sb.interventionsQueryId, 1, 1000));
    const learner = sb.school.learners.find((p) => p.email !== '');
    const group = sb.school.groups[0];
    const instructor = sb.school.instructors[0];
    assert.ok(learner && group && instructor);

    const added = await control(sb, '/interventions', {
      start: '2025-03-12T09:00:00',
      end: '2025-03-12T10:30:00',
      activityType: { fr: 'TD' },
      learners: [learner.id],
      instructors: [instructor.id],
      groups: [group.id],
    });
    assert.equal(added.status, 201);
    const { id } = (await added.json()) as { id: string };
    let row = (await read()).find((r) => r.ID === id);
    assert.equal(row?.Start, '2025-03-12T09:00:00');
    assert.equal(row?.['Duration (h)'], '1,5');

    assert.equal(
      (
        await control(sb, `/interventions/${id}/move`, {
          start: '2025-03-13T14:00:00',
          end: '2025-03-13T16:00:00',
        })
      ).status,
      200,
    );
    row = (await read()).find((r) => r.ID === id);
    assert.deepEqual([row?.Start, row?.End], ['2025-03-13T14:00:00', '2025-03-13T16:00:00']);

    assert.equal(
      (
        await control(sb, `/people/${learner.id}/rename`, {
          lastName: "O'Brien-Lévy",
          email: 'new.mail@etu.example',
        })
      ).status,
      200,
    );
    row = (await read()).find((r) => r.ID === id);
    assert.equal(
      row?.['Learner(s)'],
      `${learner.id}/O'BRIEN-LÉVY/${learner.firstName}/new.mail@etu.example`,
    );

    assert.equal((await control(sb, `/interventions/${id}`, undefined, 'DELETE')).status, 200);
    assert.equal(
      (await read()).find((r) => r.ID === id),
      undefined,
    );
    assert.equal((await control(sb, `/interventions/${id}`, undefined, 'DELETE')).status, 404);
    assert.equal(
      (await control(sb, '/interventions/1/move', { start: 'soon', end: 'later' })).status,
      400,
    );

    const newcomer = await control(sb, '/people', {
      kind: 'learner',
      lastName: 'Nouvel',
      firstName: 'Ève',
      email: 'eve.nouvel@etu.example',
    });
    assert.equal(newcomer.status, 201);
    const { id: newcomerId } = (await newcomer.json()) as { id: string };
    assert.match(newcomerId, /^\d{8}$/);
    const withNewcomer = await control(sb, '/interventions', {
      start: '2025-03-14T08:00:00',
      end: '2025-03-14T09:00:00',
      learners: [newcomerId],
      instructors: [instructor.id],
    });
    const { id: newcomerRow } = (await withNewcomer.json()) as { id: string };
    row = (await read()).find((r) => r.ID === newcomerRow);
    assert.equal(row?.['Learner(s)'], `${newcomerId}/NOUVEL/Ève/eve.nouvel@etu.example`);
    assert.equal(row?.['Activity Type.Label'] ?? '', '', 'no label given, none shown');

    // The same through the in-process control.
    const first = sb.school.interventions[0];
    assert.ok(first);
    sb.control.cancelIntervention(first.id);
    assert.equal(
      (await read()).find((r) => r.ID === first.id),
      undefined,
    );
    sb.control.addIntervention(first);
    assert.ok((await read()).some((r) => r.ID === first.id));
    sb.control.replaceSchool(smallSchool(2));
    assert.deepEqual(
      new Set((await read()).map((r) => r.ID)),
      new Set(smallSchool(2).interventions.map((iv) => iv.id)),
    );
    assert.equal((await control(sb, '/school', smallSchool(3, 0.1))).status, 200);
    assert.deepEqual(sb.school, smallSchool(3, 0.1), 'the school travels over HTTP intact');
    assert.equal((await control(sb, '/school', { timeZone: 'Europe/Paris' })).status, 400);
  });

  test('calls are counted per route pattern', async () => {
    const counted = await start();
    const access = (await signIn(counted)).access_token;
    await search(counted, access, counted.interventionsQueryId, 1, 10);
    await search(counted, access, counted.interventionsQueryId, 2, 10);
    await control(counted, '/state', undefined, 'GET');
    assert.deepEqual(counted.calls(), {
      'POST /auth/realms/:realm/protocol/openid-connect/token': 1,
      'GET /api/menuEntries/:m/query/:q': 2,
      'POST /api/menuEntries/:m/searchResult': 2,
    });
    const overHttp = await (await control(counted, '/calls', undefined, 'GET')).json();
    assert.deepEqual(overHttp, counted.calls());
    await control(counted, '/calls/reset');
    assert.deepEqual(counted.calls(), {});
  });
});
