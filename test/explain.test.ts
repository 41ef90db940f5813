import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Temporal } from 'temporal-polyfill';
import YAML from 'yaml';
import { runSchool } from '../src/app/index.ts';
import type { CliIo } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { parseConfig } from '../src/config/load.ts';
import type { Config } from '../src/config/schema.ts';
import type { Explanation, Subject } from '../src/explain/explain.ts';
import { explainFromStore } from '../src/explain/from-store.ts';
import type { SchoolIntervention } from '../src/sandbox/school/index.ts';
import { type Sandboxes, startSandboxes } from '../src/sandbox/start.ts';
import { openStore } from '../src/store/index.ts';
import type { RunReport } from '../src/sync/report.ts';

/**
 * `explain` over a real history: syncs against both sandboxes (a school with
 * malformed rows, a learner made by hand on Edusign, a sheet locked then
 * changed in Auriga), then asks why each record is or is not on Edusign.
 */

describe('explain after real syncs', () => {
  let sandboxes: Sandboxes;
  let dir: string;
  let config: Config;
  let configFile: string;
  let first: RunReport;
  let second: RunReport;
  let inWindow: SchoolIntervention[];
  /** The scheduled learner a school admin had created by hand on Edusign. */
  let handMade: { aurigaId: string; edusignId: string };
  let locked: SchoolIntervention;

  const ask = async (subject: Subject, aurigaId: string): Promise<Explanation> => {
    const store = await openStore(config.store);
    try {
      return await explainFromStore(store.forSchool(config.school), {
        subject,
        aurigaId,
        timeZone: config.options.timeZone,
      });
    } finally {
      await store.close();
    }
  };

  const cli = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      stopSignal: new AbortController().signal,
    };
    const code = await main(argv, io);
    return { code, stdout, stderr };
  };

  before(async () => {
    sandboxes = await startSandboxes({
      school: 'small',
      seed: 7,
      malformedShare: 0.05,
      edusignRateLimit: { requests: 100_000, windowMs: 60_000 },
    });
    dir = mkdtempSync(path.join(tmpdir(), 'auriga-edusign-explain-'));
    const raw = {
      ...sandboxes.config,
      school: 'explained',
      edusign: { ...sandboxes.config.edusign, requestsPerMinute: 100_000 },
      store: { kind: 'sqlite', path: 'store.sqlite' },
    };
    configFile = path.join(dir, 'explained.yaml');
    writeFileSync(configFile, YAML.stringify(raw));
    config = parseConfig(raw, { env: {}, baseDir: dir });

    const zone = sandboxes.school.timeZone;
    const today = Temporal.Now.plainDateISO(zone);
    const end = today.add({ days: config.options.windowDays });
    inWindow = sandboxes.school.interventions.filter((i) => {
      const day = Temporal.PlainDate.from(i.start.slice(0, 10));
      return (
        Temporal.PlainDate.compare(day, today) >= 0 && Temporal.PlainDate.compare(day, end) < 0
      );
    });

    // A learner of a session in the window, already made by hand on Edusign with the same email.
    const learner = sandboxes.school.learners.find(
      (p) => p.email !== '' && inWindow.some((i) => !i.malformed && i.learners.includes(p.id)),
    );
    assert.ok(learner);
    handMade = {
      aurigaId: learner.id,
      edusignId: sandboxes.edusign.createStudent({
        FIRSTNAME: learner.firstName,
        LASTNAME: learner.lastName,
        EMAIL: learner.email,
      }),
    };

    first = await runSchool(config);
    assert.notEqual(first.outcome, 'failed', JSON.stringify(first.error));

    // Signatures collected on a sheet ahead; then its room changes in Auriga.
    const now = new Date().toISOString();
    const course = (id: string) => sandboxes.edusign.state().courses.find((c) => c.API_ID === id);
    const candidate = inWindow.find(
      (i) => !i.malformed && course(i.id) && (course(i.id)?.START ?? '') > now,
    );
    assert.ok(candidate, 'a synced sheet lies ahead');
    locked = candidate;
    sandboxes.edusign.lockCourse(course(locked.id)?.ID as string);
    const live = sandboxes.auriga.school.interventions.find((i) => i.id === locked.id);
    assert.ok(live);
    live.resourceLabel = 'Amphi Pasteur';
    second = await runSchool(config);
    assert.notEqual(second.outcome, 'failed', JSON.stringify(second.error));
  });

  after(async () => {
    await sandboxes?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a learner the sync created: which Edusign id, when, and why', async () => {
    const created = first.done.find(
      (d) => d.kind === 'learner' && d.action === 'created' && d.aurigaId !== handMade.aurigaId,
    );
    assert.ok(created);
    const answer = await ask('learner', created.aurigaId);
    assert.equal(answer.state, 'created');
    assert.equal(answer.edusignId, created.edusignId);
    assert.equal(answer.mapping?.origin, 'created');
    const student = sandboxes.edusign.state().students.find((s) => s.ID === created.edusignId);
    assert.equal(student?.API_ID, created.aurigaId, 'the Edusign id named is the right learner');
    assert.match(
      answer.sentences[0] ?? '',
      /created by the sync on \d{4}-\d\d-\d\d \d\d:\d\d Europe\/Paris/,
    );
    assert.ok(
      answer.sentences.some((s) => s.includes(created.reason)),
      'the reason is quoted',
    );
  });

  test('a learner made by hand on Edusign is adopted (matched by email), not duplicated', async () => {
    const answer = await ask('learner', handMade.aurigaId);
    assert.equal(answer.state, 'adopted');
    assert.equal(answer.edusignId, handMade.edusignId);
    assert.equal(answer.mapping?.origin, 'adopted');
    assert.match(answer.sentences.join(' '), /made by hand/);
    assert.match(answer.sentences.join(' '), /with the email/);
    // The command says the same, in sentences, exit 0.
    const { code, stdout } = await cli([
      'explain',
      'learner',
      handMade.aurigaId,
      '--config',
      configFile,
    ]);
    assert.equal(code, 0);
    assert.match(
      stdout,
      new RegExp(
        `Learner ${handMade.aurigaId} was already on Edusign, made by hand \\(Edusign id ${handMade.edusignId}\\)`,
      ),
    );
  });

  test('a learner without an email: not created, the problem and its Auriga row quoted', async () => {
    const problem = first.problems.find(
      (p) =>
        p.kind === 'learner' &&
        p.code === 'person.missing_email' &&
        !first.done.some((d) => d.kind === 'learner' && d.aurigaId === p.aurigaId),
    );
    assert.ok(problem, 'the school has a learner listed without an email');
    const answer = await ask('learner', problem.aurigaId);
    assert.equal(answer.state, 'not_created');
    assert.equal(answer.because?.kind, 'problem');
    assert.ok(answer.because && 'event' in answer.because);
    assert.equal(answer.because.event.code, 'person.missing_email');
    assert.equal(answer.because.event.row?.id, problem.row?.id);
    assert.ok(answer.sentences[0]?.includes(problem.message), answer.sentences[0]);
    assert.ok(answer.sentences[0]?.includes(`row of intervention ${problem.row?.id}`));
    const { code, stdout } = await cli([
      'explain',
      'learner',
      problem.aurigaId,
      '--config',
      configFile,
      '--json',
    ]);
    assert.equal(code, 0);
    const json = JSON.parse(stdout) as Explanation;
    assert.equal(json.state, 'not_created');
    assert.equal(json.because?.kind, 'problem');
  });

  test('a learner with no session in the window: says so, with the window', async () => {
    const listed = (i: SchoolIntervention, id: string) =>
      i.learners.includes(id) || (i.raw?.['Learner(s)'] ?? '').includes(id);
    const idle = sandboxes.school.learners.find((p) => !inWindow.some((i) => listed(i, p.id)));
    const aurigaId =
      idle?.id ??
      sandboxes.auriga.control.addPerson('learner', {
        lastName: 'SANSCOURS',
        firstName: 'Léa',
        email: 'lea.sanscours@etu.ecole-exemple.example',
      }).id;
    const answer = await ask('learner', aurigaId);
    assert.equal(answer.state, 'not_created');
    assert.equal(answer.because?.kind, 'not_in_window');
    const window = second.window;
    assert.ok(window);
    assert.equal(
      answer.sentences[0],
      `Learner ${aurigaId} is not on Edusign: no session of this learner lies in the window of the last run (from ${window.firstDay} to ${window.lastDay}, ${window.timeZone}): people are created only once a sheet in the window lists them (see docs/rules.md, section 5).`,
    );
  });

  test('a locked sheet changed in Auriga: held back because it is locked', async () => {
    assert.ok(second.held.some((h) => h.aurigaId === locked.id && h.cause === 'locked'));
    const answer = await ask('sheet', locked.id);
    assert.equal(answer.state, 'created');
    assert.equal(answer.lastAction?.event, 'held');
    assert.equal(answer.lastAction?.code, 'locked');
    assert.equal(answer.lastAction?.runId, second.runId);
    const text = answer.sentences.join('\n');
    assert.match(text, /held back \(locked\)/);
    assert.match(text, /locked on Edusign \(signatures collected\)/);
    // The history has both runs: created in the first, held in the second.
    assert.deepEqual(
      answer.history.filter((h) => h.event !== 'problem').map((h) => [h.runId, h.event]),
      [
        [second.runId, 'held'],
        [first.runId, 'created'],
      ],
    );
  });

  test('a sheet synced and unchanged: created, nothing to change in the last run', async () => {
    const sheet = first.done.find(
      (d) => d.kind === 'sheet' && d.action === 'created' && d.aurigaId !== locked.id,
    );
    assert.ok(sheet);
    const answer = await ask('sheet', sheet.aurigaId);
    assert.equal(answer.state, 'created');
    assert.equal(answer.lastAction, null);
    assert.match(answer.sentences.join(' '), /found nothing to change/);
  });

  test('the command refuses an unknown subject and a missing id', async () => {
    assert.equal((await cli(['explain', 'group', '1', '--config', configFile])).code, 3);
    assert.equal((await cli(['explain', 'learner', '--config', configFile])).code, 3);
  });
});
