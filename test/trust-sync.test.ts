import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { EdusignState } from '../src/sandbox/edusign/index.ts';
import { type Harness, startHarness } from './helpers/sync-harness.ts';

/**
 * Defects found by trying the product as a school admin would (issue "Trust"),
 * each shown end to end over HTTP against both sandboxes and a real store.
 */

/** A v1 call to the Edusign sandbox, as another tool or a person in Edusign's UI would make it. */
async function edusignCall(h: Harness, method: string, path: string, body?: unknown) {
  const response = await fetch(`${h.edusign.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${h.edusign.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as { status: string; result?: unknown; message?: unknown };
  assert.equal(answer.status, 'success', JSON.stringify(answer));
  return answer.result as Record<string, unknown>;
}

const ours = (state: EdusignState) => state.courses.filter((c) => c.API_TYPE === 'auriga-edusign');

/** A clock at the start of the school's today: no sheet of the window has started. */
const startOfToday = (h: Harness) => {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
  const at = new Date(Date.parse(h.toInstant(`${today}T00:00:00`)));
  return () => at;
};

describe('trust: an interrupted run is recorded as interrupted', () => {
  test('stopped during the write phase: outcome interrupted, the written part recorded, the next run finishes', async () => {
    const h = await startHarness({ school: 'small', seed: 31 });
    try {
      const stop = new AbortController();
      let written = 0;
      const report = await h.sync({
        signal: stop.signal,
        onResult: () => {
          written += 1;
          if (written === 10) stop.abort();
        },
      });
      assert.equal(report.outcome, 'interrupted');
      assert.ok(report.done.length >= 10, `${report.done.length} writes recorded`);
      const next = await h.sync();
      assert.equal(next.outcome, 'succeeded');
      assert.ok(next.counts.sheet.created > 0, 'the next run does what was left');
    } finally {
      await h.cleanup();
    }
  });
});

describe('trust: a new store facing an account that already holds sheets of ours', () => {
  test('started sheets are adopted and held as started, and an unchanged school is written nothing', async () => {
    const h = await startHarness({ school: 'small', seed: 32 });
    try {
      const first = await h.sync({ now: startOfToday(h) });
      assert.equal(first.outcome, 'succeeded');
      // The SQLite file is lost (or the school moved to another store).
      rmSync(h.configuration.store.path as string, { force: true });
      h.edusign.resetCalls();
      const again = await h.sync({ now: startOfToday(h) });
      assert.equal(again.outcome, 'succeeded', JSON.stringify(again.failures.slice(0, 2)));
      assert.equal(h.edusign.calls().writes, 0, JSON.stringify(h.edusign.calls().byRoute));

      rmSync(h.configuration.store.path as string, { force: true });
      const sheets = ours(h.edusign.state()).sort((a, b) => a.START.localeCompare(b.START));
      const startedAt = sheets[Math.floor(sheets.length / 2)]!.START;
      const later = new Date(Date.parse(startedAt) + 60_000);
      const afterLoss = await h.sync({ now: () => later });
      assert.equal(afterLoss.outcome, 'succeeded', JSON.stringify(afterLoss.failures.slice(0, 2)));
      const held = afterLoss.done.filter((d) => d.kind === 'sheet' && d.action === 'adopted');
      assert.ok(held.length > 0);
      assert.ok(afterLoss.done.some((d) => /left as it is: started/.test(d.reason)));
    } finally {
      await h.cleanup();
    }
  });
});

describe('trust: the mass-change guard holds only above 10% and above 5 sheets', () => {
  test('a few cancelled classes of a small window are deleted; many are held', async () => {
    const h = await startHarness({
      school: 'small',
      seed: 33,
      config: { options: { timeZone: 'Europe/Paris', syncGroups: true, windowDays: 4 } },
    });
    try {
      const now = startOfToday(h);
      await h.sync({ now });
      const managed = ours(h.edusign.state()).length;
      const few = Math.min(5, Math.floor(managed / 10) + 1);
      assert.ok(few > managed / 10 && few <= 5, `${few} of ${managed}: over 10%, not over 5`);
      const ids = ours(h.edusign.state())
        .map((c) => c.API_ID as string)
        .slice(0, few);
      for (const id of ids) h.auriga.control.cancelIntervention(id);
      const report = await h.sync({ now });
      assert.equal(report.outcome, 'succeeded');
      assert.equal(report.counts.sheet.deleted, few);
    } finally {
      await h.cleanup();
    }
  });
});

describe('trust: identity (a record is ours only when API_ID and API_TYPE match; one email, one person)', () => {
  test('another tool’s course with the same API_ID is left alone', async () => {
    const h = await startHarness({ school: 'small', seed: 34 });
    try {
      const target = h.expectedInterventions().find((i) => !i.malformed)!;
      const professor = h.edusign.createProfessor({
        FIRSTNAME: 'Other',
        LASTNAME: 'TOOL',
        EMAIL: 'other.tool@example.test',
      });
      const start = h.toInstant(target.start);
      const created = await edusignCall(h, 'POST', '/v1/course', {
        course: {
          NAME: 'Planning of another tool',
          START: start,
          END: new Date(Date.parse(start) + 3_600_000).toISOString(),
          PROFESSOR: professor,
          API_ID: target.id,
          API_TYPE: 'another-tool',
        },
      });
      await h.sync({ now: startOfToday(h) });
      const state = h.edusign.state();
      const theirs = state.courses.find((c) => c.ID === created.ID)!;
      assert.equal(theirs.NAME, 'Planning of another tool');
      assert.equal(theirs.API_TYPE, 'another-tool');
      assert.equal(
        state.courses.filter((c) => c.API_ID === target.id && c.API_TYPE === 'auriga-edusign')
          .length,
        1,
        'ours is created beside it',
      );
    } finally {
      await h.cleanup();
    }
  });

  test('two instructors sharing a mailbox: the lowest id is synced, the other is reported, nobody is renamed', async () => {
    const h = await startHarness({ school: 'small', seed: 35 });
    try {
      const listed = new Set(h.expectedInterventions().flatMap((i) => i.instructors));
      const [a, b] = h.school.instructors
        .filter((p) => p.email && listed.has(p.id))
        .sort((x, y) => Number(x.id) - Number(y.id));
      assert.ok(a && b);
      h.auriga.control.renamePerson(b.id, { email: a.email });
      const first = await h.sync({ now: startOfToday(h) });
      const before = h.edusign.state().professors.find((p) => p.API_ID === a.id)!;
      assert.equal(before.FIRSTNAME.toLowerCase(), a.firstName.toLowerCase());
      await h.sync({ now: startOfToday(h) });
      const state = h.edusign.state();
      const recordOfA = state.professors.find((p) => p.ID === before.ID)!;
      assert.equal(recordOfA.API_ID, a.id, 'not taken over for the other instructor');
      assert.equal(recordOfA.LASTNAME, before.LASTNAME);
      assert.equal(recordOfA.FIRSTNAME, before.FIRSTNAME);
      assert.equal(state.professors.filter((p) => p.API_ID === b.id).length, 0);
      assert.ok(
        first.problems.some(
          (p) =>
            p.code === 'person.shared_email' && p.aurigaId === b.id && p.message.includes(a.id),
        ),
        JSON.stringify(first.problems.map((p) => p.code)),
      );
    } finally {
      await h.cleanup();
    }
  });

  test('two learners sharing an email get one Edusign learner', async () => {
    const h = await startHarness({ school: 'small', seed: 36 });
    try {
      const listed = new Set(h.expectedInterventions().flatMap((i) => i.learners));
      const [a, b] = h.school.learners.filter((p) => p.email && listed.has(p.id));
      assert.ok(a && b);
      h.auriga.control.renamePerson(b.id, { email: a.email });
      await h.sync({ now: startOfToday(h) });
      const emails = h.edusign.state().students.map((s) => s.EMAIL.toLowerCase());
      assert.equal(emails.filter((e) => e === a.email.toLowerCase()).length, 1);
    } finally {
      await h.cleanup();
    }
  });
});

describe('trust: drift (Auriga is the source of truth)', () => {
  test('a sheet of ours deleted by hand while its class still takes place is created again and reported', async () => {
    const h = await startHarness({ school: 'small', seed: 37 });
    try {
      const now = startOfToday(h);
      await h.sync({ now });
      const victim = ours(h.edusign.state()).at(-1)!;
      await edusignCall(h, 'DELETE', `/v1/course/${victim.ID}`);
      const report = await h.sync({ now });
      assert.ok(
        report.done.some((d) => d.aurigaId === victim.API_ID && d.action === 'recreated'),
        JSON.stringify(report.counts.sheet),
      );
      const again = ours(h.edusign.state()).filter((c) => c.API_ID === victim.API_ID);
      assert.equal(again.length, 1);
      assert.notEqual(again[0]?.ID, victim.ID);
    } finally {
      await h.cleanup();
    }
  });
  test('a sheet of ours moved by hand outside the listed days is found by its id and set back, not created twice', async () => {
    const h = await startHarness({ school: 'small', seed: 36 });
    try {
      const now = startOfToday(h);
      await h.sync({ now });
      const moved = ours(h.edusign.state()).at(-1)!;
      const later = (iso: string) => new Date(Date.parse(iso) + 40 * 86_400_000).toISOString();
      await edusignCall(h, 'PATCH', '/v1/course', {
        course: { ID: moved.ID, START: later(moved.START), END: later(moved.END) },
        editSurveys: false,
      });
      const report = await h.sync({ now });
      assert.equal(report.outcome, 'succeeded');
      // Not in the listing of the window's days: looked up by its id.
      assert.equal(report.apiCalls.edusignByRoute['GET /v1/course/:id'], 1);
      const done = report.done.filter((d) => d.aurigaId === moved.API_ID);
      assert.deepEqual(
        done.map((d) => d.action),
        ['updated'],
        JSON.stringify(done),
      );
      assert.match(done[0]?.reason ?? '', /by hand on Edusign \(end, start\)/);
      const held = ours(h.edusign.state()).filter((c) => c.API_ID === moved.API_ID);
      assert.deepEqual(
        held.map((c) => [c.ID, c.START]),
        [[moved.ID, moved.START]],
      );
    } finally {
      await h.cleanup();
    }
  });

  test('a sheet of ours changed by hand (name, room, a learner taken off) is set back at once, and the next run writes nothing', async () => {
    const h = await startHarness({ school: 'small', seed: 35 });
    try {
      const now = startOfToday(h);
      await h.sync({ now });
      const before = ours(h.edusign.state()).find((c) => c.STUDENTS.length >= 2)!;
      const takenOff = before.STUDENTS[0]!.studentId;
      await edusignCall(h, 'PATCH', '/v1/course', {
        course: { ID: before.ID, NAME: 'Renamed by hand', CLASSROOM: 'Hall by hand' },
        editSurveys: false,
      });
      await edusignCall(h, 'DELETE', `/v1/course/attendance/${before.ID}`, {
        studentId: takenOff,
      });
      const report = await h.sync({ now });
      assert.equal(report.outcome, 'succeeded');
      const done = report.done.filter((d) => d.aurigaId === before.API_ID);
      assert.deepEqual(
        done.map((d) => d.action),
        ['updated'],
        JSON.stringify(done),
      );
      assert.match(done[0]?.reason ?? '', /by hand on Edusign \(classroom, learners, name\)/);
      assert.equal(report.counts.sheet.updated, 1);
      const after = h.edusign.state().courses.find((c) => c.ID === before.ID)!;
      assert.equal(after.NAME, before.NAME);
      assert.equal(after.CLASSROOM, before.CLASSROOM);
      assert.deepEqual(
        after.STUDENTS.map((s) => s.studentId).sort(),
        before.STUDENTS.map((s) => s.studentId).sort(),
      );
      const next = await h.sync({ now });
      assert.equal(next.apiCalls.edusignWrites, 0, JSON.stringify(next.done));
    } finally {
      await h.cleanup();
    }
  });
});

describe('trust: paging (Auriga pages read to totalPages; an incomplete read deletes nothing)', () => {
  test('an Auriga that caps its pages below the size asked is still read to its last page', async () => {
    const h = await startHarness({
      school: 'small',
      seed: 38,
      config: { auriga: { pageSize: 50 } },
    });
    try {
      h.auriga.control.setOptions({ maxPageSize: 20 });
      const report = await h.sync({ now: startOfToday(h) });
      const synced = new Set(ours(h.edusign.state()).map((c) => c.API_ID));
      const expected = h.expectedInterventions().filter((i) => i.instructors.length > 0);
      assert.ok(expected.length > 20, `${expected.length} interventions, more than one page`);
      const missing = expected.filter((i) => !synced.has(i.id) && !i.malformed);
      assert.deepEqual(
        missing.map((i) => i.id),
        [],
        `${report.counts.sheet.created} sheets created`,
      );
    } finally {
      await h.cleanup();
    }
  });

  test('a read that stops before totalPages syncs what it read, deletes nothing, and says how far it got', async () => {
    const h = await startHarness({
      school: 'small',
      seed: 39,
      config: { auriga: { pageSize: 20 } },
    });
    try {
      const now = startOfToday(h);
      await h.sync({ now });
      const before = ours(h.edusign.state()).length;
      const saved = [...h.auriga.school.interventions];
      let pages = 0;
      const report = await h.sync({
        now,
        // Auriga's later pages come back empty while page 1 announced more.
        onReadProgress: () => {
          pages += 1;
          if (pages === 1) h.auriga.school.interventions.length = 0;
        },
      });
      h.auriga.school.interventions.push(...saved);
      assert.equal(report.counts.sheet.deleted, 0);
      assert.equal(ours(h.edusign.state()).length, before);
      assert.equal(report.outcome, 'partly_failed');
      assert.ok(report.held.some((x) => x.cause === 'incomplete_read'));
      const said = report.problems.find((p) => p.code === 'auriga.incomplete_read');
      assert.match(said?.message ?? '', /only to page 2 of \d+/);
    } finally {
      await h.cleanup();
    }
  });
});
