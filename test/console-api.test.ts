import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiSession, type Harness, PASSWORD, startHarness } from './helpers/console-harness.ts';

/**
 * The console's JSON API over a real `serve`, real sandboxes and real
 * SQLite stores: scoping, CSRF, secrets, throttling, held deletions.
 */

describe('console API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.account('op@example.org', 'operator');
    await h.account('south-admin@example.org', 'admin', ['south']);
    await h.account('north-admin@example.org', 'admin', ['north']);
    await h.account('north-viewer@example.org', 'viewer', ['north']);
  });
  after(() => h.close());

  /** Every route of a school, with a body where it takes one. */
  const SCHOOL_ROUTES: ReadonlyArray<[string, string, unknown?]> = [
    ['GET', ''],
    ['GET', '/live'],
    ['GET', '/runs'],
    ['GET', '/notifications'],
    ['POST', '/notifications/test'],
    ['GET', '/runs/RUN'],
    ['GET', '/runs/RUN/outcomes.csv'],
    ['GET', '/problems'],
    ['GET', '/held'],
    ['POST', '/held/confirm', { aurigaIds: ['1'] }],
    ['POST', '/held/keep', { aurigaIds: ['1'] }],
    ['POST', '/run'],
    ['POST', '/preview'],
    ['GET', '/explain?q=1'],
    ['GET', '/settings'],
    ['PUT', '/settings', { options: { windowDays: 7 } }],
    ['POST', '/doctor'],
    ['POST', '/activate'],
  ];

  test("every school route answers another school's admin exactly as a missing school", async () => {
    const op = await apiSession(h.url, 'op@example.org');
    const runs = (await op.call('GET', '/api/schools/north/runs')).json().runs as Array<{
      id: string;
    }>;
    const runId = runs[0]?.id ?? 'none';
    const notices = await op.call('GET', '/api/schools/north/notifications');
    assert.equal(notices.status, 200, notices.text);
    assert.ok(Array.isArray(notices.json().deliveries) && Array.isArray(notices.json().attempts));
    const admin = await apiSession(h.url, 'south-admin@example.org');
    for (const [method, tail, body] of SCHOOL_ROUTES) {
      const route = tail.replace('RUN', runId);
      const theirs = await admin.call(method, `/api/schools/north${route}`, body);
      const missing = await admin.call(method, `/api/schools/nowhere${route}`, body);
      assert.equal(theirs.status, 404, `${method} north${route}: ${theirs.text}`);
      assert.equal(theirs.text, missing.text, `${method} ${route}`);
    }
    // The pages too: the same 404 page, but for the path echoed in the language switch.
    for (const tail of ['', '/held', '/settings', '/explain?q=1', `/runs/${runId}`, '/live']) {
      const page = async (school: string) => {
        const path = `/schools/${school}${tail}`;
        const res = await fetch(`${h.url}${path}`, { headers: { cookie: admin.cookie } });
        return {
          status: res.status,
          body: (await res.text()).replaceAll(encodeURIComponent(path), ''),
        };
      };
      const [theirs, missing] = [await page('north'), await page('nowhere')];
      assert.equal(theirs.status, 404, `page north${tail}`);
      assert.equal(theirs.body, missing.body, `page ${tail}`);
    }
    for (const tail of [
      '/run',
      '/preview',
      '/held/confirm',
      '/held/keep',
      '/settings',
      '/check',
      '/activate',
      '/notifications/test',
    ]) {
      const res = await fetch(`${h.url}/schools/north${tail}`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: `_csrf=${encodeURIComponent(admin.csrf)}&aurigaIds=1`,
        redirect: 'manual',
      });
      assert.equal(res.status, 404, `POST page north${tail}`);
    }
    // The school list does not name it either; its own school is there.
    const listed = (await admin.call('GET', '/api/schools')).json().schools as Array<{
      name: string;
    }>;
    assert.deepEqual(
      listed.map((s) => s.name),
      ['south'],
    );
    // And the operator does see north's run: the 404 above was the scoping, not a bad id.
    assert.equal((await op.call('GET', `/api/schools/north/runs/${runId}`)).status, 200);
  });

  test('a change without its CSRF token is refused; with it, it goes through', async () => {
    const admin = await apiSession(h.url, 'south-admin@example.org');
    const without = await admin.call('POST', '/api/schools/south/preview', undefined, {
      csrf: false,
    });
    assert.equal(without.status, 403);
    assert.equal(
      without.json().error && (without.json().error as { code: string }).code,
      'console.csrf',
    );
    const wrong = await fetch(`${h.url}/api/schools/south/run`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-csrf-token': 'forged' },
    });
    assert.equal(wrong.status, 403);
    // A form post to a page without its token is refused too.
    const form = await fetch(`${h.url}/schools/south/run`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    assert.equal(form.status, 403);
  });

  test('a viewer reads but may not confirm deletions, run or change settings', async () => {
    const viewer = await apiSession(h.url, 'north-viewer@example.org');
    assert.equal((await viewer.call('GET', '/api/schools/north/held')).status, 200);
    const confirm = await viewer.call('POST', '/api/schools/north/held/confirm', {
      aurigaIds: h.heldIds,
    });
    assert.equal(confirm.status, 403);
    assert.equal((await viewer.call('POST', '/api/schools/north/run')).status, 403);
    assert.equal(
      (await viewer.call('PUT', '/api/schools/north/settings', { options: {} })).status,
      403,
    );
    const page = await (
      await fetch(`${h.url}/schools/north/held`, { headers: { cookie: viewer.cookie } })
    ).text();
    assert.ok(!page.includes('Confirm deletions'));
  });

  test('a school from a --config file has read-only settings, said so', async () => {
    const admin = await apiSession(h.url, 'north-admin@example.org');
    const answer = await admin.call('PUT', '/api/schools/north/settings', {
      options: { windowDays: 7 },
    });
    assert.equal(answer.status, 409);
    assert.match(answer.text, /configuration file/);
  });

  test('no stored secret appears in any API answer or page, searched literally', async () => {
    const op = await apiSession(h.url, 'op@example.org');
    const runs = (await op.call('GET', '/api/schools/south/runs')).json().runs as Array<{
      id: string;
    }>;
    const answers: string[] = [];
    for (const school of ['north', 'south']) {
      for (const route of [
        '',
        '/runs',
        '/problems',
        '/held',
        '/settings',
        '/live',
        '/explain?q=Martin',
      ])
        answers.push((await op.call('GET', `/api/schools/${school}${route}`)).text);
      answers.push((await op.call('POST', `/api/schools/${school}/doctor`)).text);
      answers.push((await op.call('POST', `/api/schools/${school}/preview`)).text);
      for (const page of ['', '/settings', '/held', '/explain?q=1'])
        answers.push(
          await (
            await fetch(`${h.url}/schools/${school}${page}`, { headers: { cookie: op.cookie } })
          ).text(),
        );
    }
    answers.push((await op.call('GET', `/api/schools/south/runs/${runs[0]?.id}`)).text);
    for (const route of [
      '/api/schools',
      '/api/accounts',
      '/api/audit',
      '/api/openapi.json',
      '/api/session',
    ])
      answers.push((await op.call('GET', route)).text);
    answers.push(
      await (await fetch(`${h.url}/schools`, { headers: { cookie: op.cookie } })).text(),
    );
    assert.ok(answers.length > 30);
    for (const secret of h.secrets)
      for (const [i, text] of answers.entries())
        assert.ok(!text.includes(secret), `answer ${i} carries a stored secret`);
  });

  test('sign-in is throttled after repeated failures, even with the right password then', async () => {
    await h.account('target@example.org', 'viewer', ['north']);
    const attempt = (password: string) =>
      fetch(`${h.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'target@example.org', password }),
      });
    for (let i = 0; i < 5; i++) assert.equal((await attempt('wrong password!')).status, 401);
    const refused = await attempt(PASSWORD);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
  });

  test('security headers: CSP without inline script, no framing; cookie HttpOnly and SameSite', async () => {
    const response = await fetch(`${h.url}/sign-in`);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.ok(!csp.includes('unsafe-inline'));
    const session = await fetch(`${h.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'op@example.org', password: PASSWORD }),
    });
    const cookie = session.headers.getSetCookie().find((c) => c.startsWith('aes_session=')) ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.ok(!/Secure/.test(cookie), 'plain HTTP on 127.0.0.1: not Secure');
  });

  test('sign-out ends the session; API tokens are shown once and work without CSRF', async () => {
    const op = await apiSession(h.url, 'op@example.org');
    const created = (await op.call('POST', '/api/tokens', { name: 'ci' })).json() as {
      token: string;
    };
    assert.match(created.token, /^aet_/);
    const withToken = await fetch(`${h.url}/api/schools/north/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.token}` },
    });
    assert.equal(withToken.status, 200);
    assert.equal((await op.call('DELETE', '/api/session')).status, 200);
    assert.equal((await op.call('GET', '/api/schools')).status, 401);
  });

  test('held deletions: a stale set answers 409 with the set held now and deletes nothing', async () => {
    const admin = await apiSession(h.url, 'north-admin@example.org');
    const before = h.north.edusign.state().courses.length;
    const stale = await admin.call('POST', '/api/schools/north/held/confirm', {
      aurigaIds: h.heldIds.slice(1),
    });
    assert.equal(stale.status, 409);
    const body = stale.json() as { held: Array<{ aurigaId: string }> };
    assert.deepEqual(body.held.map((i) => i.aurigaId).sort(), [...h.heldIds].sort());
    assert.equal(h.north.edusign.state().courses.length, before);
  });

  test('the audit log records the account added and the run asked, with who', async () => {
    const admin = await apiSession(h.url, 'south-admin@example.org');
    assert.equal((await admin.call('POST', '/api/schools/south/run')).status, 202);
    const op = await apiSession(h.url, 'op@example.org');
    const entries = (await op.call('GET', '/api/audit')).json().entries as Array<{
      actor: string;
      action: string;
      school: string | null;
    }>;
    assert.ok(
      entries.some(
        (e) =>
          e.action === 'run.asked' && e.actor === 'south-admin@example.org' && e.school === 'south',
      ),
    );
    assert.ok(entries.some((e) => e.action === 'account.added'));
    // South's admin sees only south's lines.
    const own = (await admin.call('GET', '/api/audit')).json().entries as Array<{
      school: string | null;
    }>;
    assert.ok(own.every((e) => e.school === 'south'));
  });

  test('a school set up through the API: validated like config check, secrets write-only, audited', async () => {
    const op = await apiSession(h.url, 'op@example.org');
    const spare = h.spare;
    const settings = {
      auriga: {
        url: spare.auriga.url,
        keycloakUrl: spare.auriga.keycloakUrl,
        realm: spare.auriga.realm,
        clientId: spare.auriga.clientId,
        clientSecret: spare.auriga.clientSecret,
        username: spare.auriga.username,
        password: spare.auriga.password,
        interventionsQueryId: spare.auriga.interventionsQueryId,
      },
      edusign: { token: spare.edusign.token, baseUrl: spare.edusign.url },
    };
    const bad = await op.call('POST', '/api/schools', {
      name: 'west',
      settings: { ...settings, options: { windowDays: 500 } },
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /windowDays/);
    const fromEnv = await op.call('POST', '/api/schools', {
      name: 'west',
      settings: { ...settings, auriga: { ...settings.auriga, password: { env: 'HOME' } } },
    });
    assert.equal(fromEnv.status, 400, 'a console setting never reads the server environment');
    assert.equal((await op.call('POST', '/api/schools', { name: 'west', settings })).status, 201);
    assert.equal((await op.call('POST', '/api/schools', { name: 'west', settings })).status, 409);
    // A secret left out keeps its value; the answer never carries one.
    const changed = await op.call('PUT', '/api/schools/west/settings', {
      options: { windowDays: 7 },
    });
    assert.equal(changed.status, 200, changed.text);
    const read = await op.call('GET', '/api/schools/west/settings');
    assert.equal(
      (read.json().settings as { options: { windowDays: number } }).options.windowDays,
      7,
    );
    for (const secret of [spare.auriga.clientSecret, spare.auriga.password, spare.edusign.token]) {
      assert.ok(!read.text.includes(secret));
      assert.ok(!changed.text.includes(secret));
    }
    const steps = (await op.call('POST', '/api/schools/west/doctor')).json().steps as Array<{
      id: string;
      status: string;
    }>;
    assert.equal(steps.find((s) => s.id === 'keycloak.user')?.status, 'passed');
    const listed = (await op.call('GET', '/api/schools')).json().schools as Array<{
      name: string;
      state: string;
    }>;
    assert.equal(listed.find((s) => s.name === 'west')?.state, 'disabled');
    const audit = (await op.call('GET', '/api/audit')).json().entries as Array<{
      action: string;
      school: string;
    }>;
    assert.ok(audit.some((e) => e.action === 'settings.changed' && e.school === 'west'));
  });

  test('why is X missing: by Auriga id, and by a name read from Auriga today', async () => {
    const admin = await apiSession(h.url, 'north-admin@example.org');
    const learner = h.north.school.learners[0];
    assert.ok(learner);
    const byId = (await admin.call('GET', `/api/schools/north/explain?q=${learner.id}`)).json() as {
      answers: Array<{ subject: string; aurigaId: string; sentences: string[] }>;
    };
    assert.ok(byId.answers.some((a) => a.subject === 'learner' && a.aurigaId === learner.id));
    const name = encodeURIComponent(learner.lastName);
    const byName = (await admin.call('GET', `/api/schools/north/explain?q=${name}`)).json() as {
      answers: Array<{ aurigaId: string; sentences: string[] }>;
    };
    const found = byName.answers.find((a) => a.aurigaId === learner.id);
    assert.ok(found, JSON.stringify(byName).slice(0, 500));
    assert.ok((found.sentences[0] ?? '').length > 10);
    // The page in French answers in French (the report's own sentences it quotes stay as written).
    const page = await fetch(`${h.url}/schools/north/explain?q=${learner.id}`, {
      headers: { cookie: `${admin.cookie}; lang=fr` },
    });
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, new RegExp(`<h2>Apprenant ${learner.id}</h2>`));
    assert.match(html, new RegExp(`L’apprenant ${learner.id} (est|n’est pas) sur Edusign`));
    assert.doesNotMatch(html, /is on Edusign \(Edusign id|is not on Edusign: /);
  });

  test('keep them: the hold of exactly that set is dismissed, said on the page, and audited', async () => {
    const admin = await apiSession(h.url, 'north-admin@example.org');
    const kept = await admin.call('POST', '/api/schools/north/held/keep', { aurigaIds: h.heldIds });
    assert.equal(kept.status, 200, kept.text);
    const held = (await admin.call('GET', '/api/schools/north/held')).json() as {
      kept: { by: string } | null;
      items: unknown[];
    };
    assert.equal(held.kept?.by, 'north-admin@example.org');
    assert.equal(held.items.length, h.heldIds.length, 'kept, not deleted');
    const op = await apiSession(h.url, 'op@example.org');
    const audit = (await op.call('GET', '/api/audit')).json().entries as Array<{ action: string }>;
    assert.ok(audit.some((e) => e.action === 'deletions.kept'));
  });

  test('confirming the set held now deletes exactly it, and the audit log says who', async () => {
    const admin = await apiSession(h.url, 'north-admin@example.org');
    const before = h.north.edusign.state().courses.length;
    const done = await admin.call('POST', '/api/schools/north/held/confirm', {
      aurigaIds: h.heldIds,
    });
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(((done.json().deleted as string[]) ?? []).sort(), [...h.heldIds].sort());
    assert.equal(h.north.edusign.state().courses.length, before - h.heldIds.length);
    const op = await apiSession(h.url, 'op@example.org');
    const audit = (await op.call('GET', '/api/audit')).json().entries as Array<{
      action: string;
      actor: string;
      detail: { aurigaIds?: string[] };
    }>;
    const line = audit.find((e) => e.action === 'deletions.confirmed');
    assert.equal(line?.actor, 'north-admin@example.org');
    assert.deepEqual([...(line?.detail.aurigaIds ?? [])].sort(), [...h.heldIds].sort());
  });

  test("a run's per-record outcomes download as CSV, one line per record written or held", async () => {
    const op = await apiSession(h.url, 'op@example.org');
    const runs = (await op.call('GET', '/api/schools/north/runs')).json().runs as Array<{
      id: string;
      writes: number;
    }>;
    const first = runs[runs.length - 1];
    assert.ok(first && first.writes > 0);
    const response = await fetch(`${h.url}/api/schools/north/runs/${first.id}/outcomes.csv`, {
      headers: { cookie: op.cookie },
    });
    assert.match(response.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(response.headers.get('content-disposition') ?? '', /attachment/);
    const lines = (await response.text()).trim().split('\r\n');
    assert.equal(lines[0], 'kind,auriga_id,edusign_id,outcome,code,reason');
    assert.equal(lines.length - 1, first.writes);
    assert.ok(lines.slice(1).every((line) => /^(sheet|learner|instructor|group),/.test(line)));
  });

  test('OpenAPI lists the routes from their schemas', async () => {
    const doc = (await (await fetch(`${h.url}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      '/api/schools',
      '/api/schools/{school}/held/confirm',
      '/api/schools/{school}/settings',
      '/healthz',
    ])
      assert.ok(path in doc.paths, path);
  });
});
