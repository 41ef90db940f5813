import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';

/**
 * `auriga-edusign sandbox --json` as a person would use it: one line of
 * configuration, then the walk-through of issue 2 over plain HTTP.
 */

const BIN = path.join(import.meta.dirname, '../bin/auriga-edusign.js');

test('sandbox --json: a configuration on one line, then the curl walk-through', async (t) => {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
  });
  const config = JSON.parse(firstLine);
  assert.deepEqual(Object.keys(config).sort(), ['auriga', 'edusign', 'options']);
  const { auriga, edusign } = config;
  for (const key of [
    'url',
    'keycloakUrl',
    'realm',
    'clientId',
    'clientSecret',
    'username',
    'password',
    'interventionsQueryId',
  ]) {
    assert.ok(auriga[key], `auriga.${key}`);
  }

  // Keycloak: a token with and without /auth, and a refresh.
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const client = { client_id: auriga.clientId, client_secret: auriga.clientSecret };
  const withAuth = `${auriga.keycloakUrl}/realms/${auriga.realm}/protocol/openid-connect/token`;
  const withoutAuth = withAuth.replace('/auth/realms/', '/realms/');
  assert.notEqual(withAuth, withoutAuth);
  let tokens: { access_token: string; refresh_token: string } | undefined;
  for (const url of [withAuth, withoutAuth]) {
    const response = await fetch(
      url,
      form({
        grant_type: 'password',
        ...client,
        username: auriga.username,
        password: auriga.password,
      }),
    );
    assert.equal(response.status, 200, url);
    tokens = (await response.json()) as typeof tokens;
  }
  const refreshed = await fetch(
    withoutAuth,
    form({ grant_type: 'refresh_token', ...client, refresh_token: tokens?.refresh_token ?? '' }),
  );
  assert.equal(refreshed.status, 200);
  const bearer = { authorization: `Bearer ${tokens?.access_token}`, accept: 'application/json' };

  // Auriga: menus, then every page of the Interventions favorite.
  const menus = (await (await fetch(`${auriga.url}/api/menus`, { headers: bearer })).json()) as {
    menus: Array<{ objects: Array<{ menuEntryId: number | string; queryId: number | string }> }>;
  };
  const entry = menus.menus
    .flatMap((m) => m.objects)
    .find((o) => String(o.queryId) === String(auriga.interventionsQueryId));
  assert.ok(entry, 'the Interventions favorite is in a menu');
  const base = `${auriga.url}/api/menuEntries/${entry.menuEntryId}`;
  const { queryDefinition } = (await (
    await fetch(`${base}/query/${auriga.interventionsQueryId}`, { headers: bearer })
  ).json()) as {
    queryDefinition: unknown;
  };
  let rows = 0;
  let totalPages = 1;
  for (let page = 1; page <= totalPages; page++) {
    const response = await fetch(
      `${base}/searchResult?size=20&page=${page}&sort=id&disableWarnings=true`,
      {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify(queryDefinition),
      },
    );
    const body = (await response.json()) as { totalPages: number; content: { lines: unknown[][] } };
    totalPages = body.totalPages;
    rows += body.content.lines.length;
  }
  assert.ok(totalPages >= 3 && rows >= 60, `${rows} rows over ${totalPages} pages`);

  // Edusign: create a learner, find it by get-id and by email, patch it.
  const headers = { authorization: `Bearer ${edusign.token}`, 'content-type': 'application/json' };
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${edusign.baseUrl}${route}`, {
      method,
      headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        status: string;
        result?: { ID: string; LASTNAME?: string };
        message?: unknown;
      },
    };
  };
  const created = await call('POST', '/v1/student', {
    student: {
      FIRSTNAME: 'Zoé',
      LASTNAME: "N'Diaye",
      EMAIL: 'zoe.ndiaye@x.example',
      API_ID: '777',
    },
  });
  const id = created.body.result?.ID;
  assert.ok(id);
  assert.equal((await call('GET', '/v1/student/get-id/777')).body.result?.ID, id);
  assert.equal(
    (await call('GET', `/v1/student/by-email/${encodeURIComponent('zoe.ndiaye@x.example')}`)).body
      .result?.ID,
    id,
  );
  assert.equal(
    (await call('PATCH', '/v1/student', { student: { ID: id, LASTNAME: 'NDIAYE' } })).body.status,
    'success',
  );
  assert.equal((await call('GET', `/v1/student/${id}`)).body.result?.LASTNAME, 'NDIAYE');
  // A business error is HTTP 200 with status "error"; a bad token is a plain-text 401.
  const refused = await call('POST', '/v1/course', { course: { NAME: 'No instructor' } });
  assert.equal(refused.status, 200);
  assert.equal(refused.body.status, 'error');
  const unauthorized = await fetch(`${edusign.baseUrl}/v1/student/${id}`, {
    headers: { authorization: 'Bearer wrong' },
  });
  assert.equal(unauthorized.status, 401);
  assert.equal(await unauthorized.text(), 'Unauthorized');

  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.kill('SIGTERM');
  assert.equal(await exited, 0, 'stops cleanly on SIGTERM');
});
