/**
 * How long reading a large school takes: starts an Auriga sandbox serving the
 * `large` generated school (about 3,000 interventions, 6,000 learners), then
 *
 * 1. reads it in-process with the reader (sign-in, menus, definition, every
 *    page, parsing), twice: cold, then warm (token and Keycloak base kept);
 * 2. runs the CLI, `auriga-edusign auriga read --config FILE --json`, as a
 *    child process, as a school admin would (Node's start-up included).
 *
 * Prints figures; it is a benchmark, not a test.
 *
 *   node bench/read-large.ts [--page-size 200] [--malformed 0.02] [--seed 1]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { createAurigaReader } from '../src/auriga/reader.ts';
import { optionsSchema, type SyncOptions } from '../src/config/schema.ts';
import { startAurigaSandbox } from '../src/sandbox/auriga/index.ts';
import { generateSchool } from '../src/sandbox/school/index.ts';

const { values } = parseArgs({
  options: {
    'page-size': { type: 'string', default: '200' },
    malformed: { type: 'string', default: '0.02' },
    seed: { type: 'string', default: '1' },
  },
});
const pageSize = Number(values['page-size']);
const timeZone = 'Europe/Paris';
const today = new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const generatedAt = performance.now();
const school = generateSchool({
  size: 'large',
  seed: Number(values.seed),
  today,
  timeZone,
  malformedShare: Number(values.malformed),
});
console.log(
  `school: ${school.interventions.length} interventions, ${school.learners.length} learners, ${school.instructors.length} instructors, ${school.groups.length} groups (generated in ${((performance.now() - generatedAt) / 1000).toFixed(2)} s)`,
);

const sandbox = await startAurigaSandbox({ school });
const dir = mkdtempSync(path.join(tmpdir(), 'read-large-'));
try {
  const auriga = {
    url: sandbox.url,
    keycloakUrl: sandbox.keycloakUrl,
    realm: sandbox.realm,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    username: sandbox.username,
    password: sandbox.password,
    interventionsQueryId: sandbox.interventionsQueryId,
    groupsQueryId: sandbox.groupsQueryId,
    pageSize,
    maxPages: 1000,
    timeoutMs: 30_000,
    extraHeaders: {},
  };
  const options = optionsSchema.parse({}) as SyncOptions;
  const reader = createAurigaReader(auriga, options);
  const heapBefore = process.memoryUsage().heapUsed;
  for (const run of ['cold', 'warm'] as const) {
    const started = performance.now();
    const read = await reader.readDetailed();
    const seconds = (performance.now() - started) / 1000;
    const { snapshot } = read;
    console.log(
      `in-process read (${run}): ${snapshot.rowsRead.interventions} rows in ${read.interventions.pages} pages of ${pageSize}, ${snapshot.interventions.length} interventions in the window, ${snapshot.learners.size} learners, ${snapshot.instructors.size} instructors, ${snapshot.groups?.length ?? 0} groups, ${snapshot.problems.length} problems; ${seconds.toFixed(2)} s; heap +${mb(process.memoryUsage().heapUsed - heapBefore)}, rss ${mb(process.memoryUsage().rss)} (sandbox included)`,
    );
  }

  const file = path.join(dir, 'large.json');
  writeFileSync(
    file,
    JSON.stringify({ auriga, edusign: { token: 'not-used-by-auriga-read' } }, null, 2),
  );
  const command = ['bin/auriga-edusign.js', 'auriga', 'read', '--config', file, '--json'];
  const started = performance.now();
  // Asynchronous: the sandbox answers from this very process.
  const child = await promisify(execFile)(process.execPath, command, {
    cwd: path.resolve(import.meta.dirname, '..'),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  }).then(
    ({ stdout }) => ({ status: 0, stdout, stderr: '' }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      status: error.code ?? -1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0 && child.status !== 1) {
    console.error(child.stderr);
    throw new Error(`the CLI exited with ${child.status}`);
  }
  const result = JSON.parse(child.stdout) as {
    counts: {
      rowsRead: { interventions: number };
      interventionsInWindow: number;
      problems: number;
    };
    seconds: number;
  };
  console.log(
    `CLI: node ${command.join(' ')}\n  exit ${child.status}; ${result.counts.rowsRead.interventions} rows, ${result.counts.interventionsInWindow} in the window, ${result.counts.problems} problems; read ${result.seconds.toFixed(2)} s, wall ${seconds.toFixed(2)} s (Node start-up included)`,
  );
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
