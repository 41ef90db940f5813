/**
 * The fleet page with many schools: imports N schools (each with one run)
 * into a fresh PostgreSQL database, serves the fleet's console, signs an
 * operator in and times GET /api/schools and GET /schools, three times
 * each. Prints its figures, then one line holding a JSON object of them.
 *
 *   PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=test node bench/console-fleet.ts [N=2000]
 *
 * A benchmark that prints figures, not a test.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseConfig } from '../src/config/load.ts';
import { openFleetDatabase } from '../src/fleet/database.ts';
import { loadSecretKeys } from '../src/fleet/secret-key.ts';
import { startFleetService } from '../src/fleet/service.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createSecretScrubber } from '../src/observability/secrets.ts';
import { addAccount } from '../src/web/accounts.ts';
import { hashPassword } from '../src/web/auth/password.ts';

const N = Number(process.argv[2] ?? 2000);
const KEY = randomBytes(32).toString('base64');
const keys = loadSecretKeys({ AURIGA_EDUSIGN_SECRET_KEY: KEY });
const name = `fleetpage_${randomBytes(4).toString('hex')}`;
const PG = `postgres://${encodeURIComponent(process.env.PGUSER ?? 'postgres')}@${process.env.PGHOST ?? '127.0.0.1'}:${process.env.PGPORT ?? '5432'}`;
const admin = new pg.Client({ connectionString: `${PG}/${process.env.PGDATABASE ?? 'test'}` });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const url = `${PG}/${name}`;
const db = await openFleetDatabase({ url });
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const config = parseConfig(
    {
      school: `s${i}`,
      auriga: {
        url: 'https://a.example.fr',
        keycloakUrl: 'https://k.example.fr/auth',
        realm: 'r',
        clientId: 'c',
        clientSecret: 'x',
        username: 'u',
        password: 'p',
        interventionsQueryId: '1',
      },
      edusign: { token: 't' + i },
      store: { kind: 'sqlite', path: '/tmp/x.sqlite' },
    },
    { env: {} },
  );
  await db.schools.import(config, keys);
  const store = db.store.forSchool(`s${i}`);
  const at = new Date(Date.now() - 3600_000).toISOString();
  await store.startRun({ id: `r${i}`, startedAt: at, dryRun: false });
  await store.finishRun(`r${i}`, {
    finishedAt: at,
    outcome: 'succeeded',
    report: { problems: [], held: [], counts: {} } as never,
  });
}
console.error(`imported ${N} in ${Math.round(performance.now() - t0)} ms`);
const service = await startFleetService({
  db,
  keys,
  logger: createLogger({ level: 'silent' }),
  metrics: createMetrics({ processMetrics: false }),
  scrubber: createSecretScrubber({}),
  port: 0,
  host: '127.0.0.1',
  workers: 0,
  tickMs: 3600_000,
});
const c = db.store.console();
const added = await addAccount(
  c,
  { email: 'op@x.org', role: 'operator', schools: [] },
  { now: () => new Date(), publicUrl: service.url, actor: 't' },
);
await c.setPassword(added.account.id, await hashPassword('pw pw pw pw pw'));
const r = await fetch(`${service.url}/api/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'op@x.org', password: 'pw pw pw pw pw' }),
});
const cookie = (r.headers.getSetCookie()[0] ?? '').split(';')[0];
const figures: Record<string, number[]> = { api: [], page: [] };
for (let i = 0; i < 3; i++)
  for (const [key, route] of [
    ['api', '/api/schools'],
    ['page', '/schools'],
  ] as const) {
    const t = performance.now();
    const res = await fetch(`${service.url}${route}`, { headers: { cookie } });
    const body = await res.text();
    const ms = Math.round(performance.now() - t);
    figures[key]?.push(ms);
    console.error(`${route}: ${res.status}, ${body.length} bytes in ${ms} ms`);
  }
await service.stop({ graceMs: 0 });
await db.close();
await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
await admin.end();
const median = (xs: number[] = []) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? null;
process.stdout.write(
  `${JSON.stringify({ bench: 'console-fleet', schools: N, apiSchoolsMs: { median: median(figures.api), runs: figures.api }, fleetPageMs: { median: median(figures.page), runs: figures.page } })}\n`,
);
