import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EdusignState } from '../src/sandbox/edusign/index.ts';
import type { Course } from '../src/sandbox/edusign/school.ts';
import { expectedName, type Harness, startHarness } from './helpers/sync-harness.ts';

/**
 * The sync end to end, over HTTP, against both sandboxes: assertions are on
 * Edusign's final state (the sandbox's), not on our own counters.
 */

const professorsOf = (course: Course): string[] => {
  const out: string[] = [];
  const record = course as unknown as Record<string, unknown>;
  for (let slot = 1; ; slot++) {
    const value = record[slot === 1 ? 'PROFESSOR' : `PROFESSOR_${slot}`];
    if (typeof value !== 'string' || value === '') break;
    out.push(value);
  }
  return out;
};

function indexState(state: EdusignState) {
  const byApi = <T extends { API_ID: string | null }>(items: T[]) => {
    const map = new Map<string, T[]>();
    for (const item of items)
      if (item.API_ID) map.set(item.API_ID, [...(map.get(item.API_ID) ?? []), item]);
    return map;
  };
  return {
    courses: byApi(state.courses),
    students: byApi(state.students),
    professors: byApi(state.professors),
    groups: byApi(state.groups),
  };
}

/** No Auriga id is held twice on Edusign, and no email twice among learners. */
function assertNoDuplicates(state: EdusignState) {
  const index = indexState(state);
  for (const [kind, map] of Object.entries(index)) {
    for (const [apiId, items] of map)
      assert.equal(items.length, 1, `${kind} ${apiId} is on Edusign ${items.length} times`);
  }
  const emails = state.students.map((s) => s.EMAIL.toLowerCase());
  assert.equal(new Set(emails).size, emails.length, 'two learners share an email');
}

describe('sync end to end (small school)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ school: 'small', seed: 7, malformedShare: 0.05 });
  });
  after(() => h.cleanup());

  test('the first run writes every sheet as the rules say', async () => {
    const report = await h.sync();
    assert.notEqual(report.outcome, 'failed', JSON.stringify(report.error));
    const state = h.edusign.state();
    const index = indexState(state);
    const expected = h.expectedInterventions();
    assert.ok(
      expected.length >= 40,
      `the small school has ${expected.length} interventions in the window`,
    );
    const withEmail = (id: string) => h.school.learners.find((p) => p.id === id)?.email;
    let namedByDescription = 0;
    let namedById = 0;
    for (const intervention of expected) {
      const [course, ...others] = index.courses.get(intervention.id) ?? [];
      assert.ok(course, `intervention ${intervention.id} has a sheet`);
      assert.equal(others.length, 0);
      // A malformed row is synced with what could be read: its details are checked by the reader's tests.
      if (intervention.malformed) continue;
      assert.equal(course.NAME, expectedName(intervention));
      if (course.NAME === intervention.description.trim()) namedByDescription += 1;
      if (course.NAME === intervention.id) namedById += 1;
      assert.equal(
        course.CLASSROOM,
        intervention.resourceLabel.trim() || intervention.resourceCode.trim() || null,
      );
      assert.equal(course.START, h.toInstant(intervention.start));
      assert.equal(course.END, h.toInstant(intervention.end));
      assert.equal(course.API_TYPE, 'auriga-edusign');
      const professors = professorsOf(course).map(
        (id) => state.professors.find((p) => p.ID === id)?.API_ID,
      );
      assert.deepEqual(
        professors,
        intervention.instructors,
        `instructors of ${intervention.id}, in order`,
      );
      const learners = course.STUDENTS.map(
        (s) => state.students.find((p) => p.ID === s.studentId)?.API_ID,
      ).sort();
      assert.deepEqual(
        learners,
        intervention.learners.filter((id) => withEmail(id)).sort(),
        `learners of ${intervention.id}`,
      );
      const groups = course.SCHOOL_GROUP.map(
        (id) => state.groups.find((g) => g.ID === id)?.API_ID,
      ).sort();
      assert.deepEqual(groups, [...intervention.groups].sort());
    }
    assert.ok(namedByDescription > 0 && namedById > 0, 'the naming fallbacks are exercised');
    assert.equal(state.courses.length, expected.length, 'no sheet outside the window');

    // People: created only when a sheet in the window lists them; never without an email.
    const scheduled = new Set(expected.flatMap((i) => i.learners));
    for (const student of state.students) assert.ok(scheduled.has(student.API_ID as string));
    const withoutEmail = h.school.learners.filter((p) => p.email === '' && scheduled.has(p.id));
    for (const person of withoutEmail) {
      assert.ok(
        !index.students.has(person.id),
        `learner ${person.id} has no email and is not created`,
      );
      assert.ok(
        report.problems.some((p) => p.aurigaId === person.id && p.code === 'person.missing_email'),
        `learner ${person.id} is reported`,
      );
    }
    // Bad rows are reported with their ids; all good rows synced (checked above).
    for (const bad of h.school.interventions.filter((i) => i.malformed)) {
      assert.ok(
        report.problems.some((p) => p.row?.id === bad.id || p.aurigaId === bad.id),
        `malformed intervention ${bad.id} (${bad.malformed}) is reported`,
      );
    }
    assertNoDuplicates(state);
  });

  test('a second run over unchanged data makes zero write calls', async () => {
    h.edusign.resetCalls();
    const report = await h.sync();
    assert.equal(h.edusign.calls().writes, 0, JSON.stringify(h.edusign.calls().byRoute));
    assert.equal(report.counts.sheet.unchanged, h.expectedInterventions().length);
  });

  test('moved, renamed, re-roomed, another instructor: one update each; cancelled: one delete', async () => {
    const [moved, renamed, reroomed, reassigned, cancelled] = h
      .expectedInterventions()
      .filter((i) => !i.malformed)
      .slice(-5);
    assert.ok(moved && renamed && reroomed && reassigned && cancelled);
    // The sandbox edits these very objects: keep the times from before the move.
    const was = { start: moved.start, end: moved.end };
    const later = (local: string) =>
      local.replace(
        /T(\d\d)/,
        (_, hh: string) => `T${String(Math.min(Number(hh) + 1, 20)).padStart(2, '0')}`,
      );
    h.auriga.control.moveIntervention(moved.id, later(was.start), later(was.end));
    const fresh = h.school.instructors.find(
      (p) => !reassigned.instructors.includes(p.id) && p.email,
    )!;
    const school = h.auriga.school;
    const find = (id: string) => school.interventions.find((i) => i.id === id)!;
    find(renamed.id).educationalUnit = { fr: 'Nouvelle unité' };
    find(reroomed.id).resourceLabel = 'Amphi Curie';
    find(reassigned.id).instructors = [fresh.id];
    h.auriga.control.cancelIntervention(cancelled.id);

    h.edusign.resetCalls();
    const report = await h.sync();
    const calls = h.edusign.calls().byRoute;
    if (h.api === 'v3')
      // The four updates in one batch; deletions stay on v1.
      assert.equal(calls['POST /v3/courses/batch-upsert'], 1, JSON.stringify(calls));
    else assert.equal(calls['PATCH /v1/course'], 4, JSON.stringify(calls));
    assert.equal(calls['DELETE /v1/course/:id'], 1, JSON.stringify(calls));
    assert.equal(h.edusign.calls().writes, 2 + (h.api === 'v3' ? 0 : 3), JSON.stringify(calls));
    assert.equal(report.counts.sheet.updated, 4);
    assert.equal(report.counts.sheet.deleted, 1);
    const index = indexState(h.edusign.state());
    assert.equal(index.courses.get(moved.id)?.[0]?.START, h.toInstant(later(was.start)));
    assert.match(index.courses.get(renamed.id)?.[0]?.NAME ?? '', /Nouvelle unité$/);
    assert.equal(index.courses.get(reroomed.id)?.[0]?.CLASSROOM, 'Amphi Curie');
    const prof = index.courses.get(reassigned.id)?.[0]?.PROFESSOR;
    assert.equal(h.edusign.state().professors.find((p) => p.ID === prof)?.API_ID, fresh.id);
    assert.ok(!index.courses.has(cancelled.id));
  });

  test('an intervention moved beyond the window is deleted now and recreated when it comes back', async () => {
    const target = h.expectedInterventions().at(-1)!;
    const { start, end } = target;
    const beyond = (local: string) =>
      local.replace(/^(\d{4}-\d\d-\d\d)/, (day: string) => {
        const d = new Date(`${day}T00:00:00Z`);
        d.setUTCDate(d.getUTCDate() + 30);
        return d.toISOString().slice(0, 10);
      });
    h.auriga.control.moveIntervention(target.id, beyond(start), beyond(end));
    let report = await h.sync();
    assert.equal(report.counts.sheet.deleted, 1);
    assert.ok(!indexState(h.edusign.state()).courses.has(target.id));
    h.auriga.control.moveIntervention(target.id, start, end);
    report = await h.sync();
    assert.equal(report.counts.sheet.created, 1);
    assert.equal(indexState(h.edusign.state()).courses.get(target.id)?.length, 1);
  });

  test('a locked sheet and a started sheet are never touched, and the report says so', async () => {
    const [locked, started] = h.expectedInterventions().slice(-8, -6);
    assert.ok(locked && started);
    const index = indexState(h.edusign.state());
    h.edusign.lockCourse(index.courses.get(locked.id)![0]!.ID);
    const school = h.auriga.school;
    for (const i of school.interventions)
      if (i.id === locked.id || i.id === started.id) i.resourceLabel = 'Salle changée';
    const before = h.edusign.state();
    // A clock half an hour into the started sheet.
    const now = new Date(Date.parse(h.toInstant(started.start)) + 30 * 60_000);
    const report = await h.sync({ now: () => now });
    const after = indexState(h.edusign.state());
    for (const id of [locked.id, started.id]) {
      assert.deepEqual(
        after.courses.get(id)?.[0],
        indexState(before).courses.get(id)?.[0],
        `sheet ${id} untouched`,
      );
    }
    assert.ok(report.held.some((x) => x.aurigaId === locked.id && x.cause === 'locked'));
    assert.ok(report.held.some((x) => x.aurigaId === started.id && x.cause === 'started'));
  });

  test('Auriga returning an empty favorite holds every deletion', async () => {
    const saved = h.auriga.school.interventions.splice(0);
    try {
      const coursesBefore = h.edusign.state().courses.length;
      const report = await h.sync();
      assert.equal(report.outcome, 'deletions_held');
      assert.equal(report.counts.sheet.deleted, 0);
      assert.ok(report.guard?.triggered);
      assert.equal(h.edusign.state().courses.length, coursesBefore);
    } finally {
      h.auriga.school.interventions.push(...saved);
    }
  });
});

describe('identity: people made by hand on Edusign are adopted, not duplicated', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ school: 'small', seed: 11 });
  });
  after(() => h.cleanup());

  test('a learner and an instructor with the same email', async () => {
    const expected = h.expectedInterventions();
    const learner = h.school.learners.find(
      (p) => p.email && expected.some((i) => i.learners.includes(p.id)),
    )!;
    const instructor = h.school.instructors.find(
      (p) => p.email && expected.some((i) => i.instructors.includes(p.id)),
    )!;
    const learnerId = h.edusign.createStudent({
      FIRSTNAME: learner.firstName,
      LASTNAME: learner.lastName,
      EMAIL: learner.email.toUpperCase(),
    });
    const instructorId = h.edusign.createProfessor({
      FIRSTNAME: instructor.firstName,
      LASTNAME: instructor.lastName,
      EMAIL: instructor.email,
    });
    const report = await h.sync();
    assert.notEqual(report.outcome, 'failed');
    const state = h.edusign.state();
    assert.equal(
      state.students.filter((s) => s.EMAIL.toLowerCase() === learner.email.toLowerCase()).length,
      1,
    );
    assert.equal(state.students.find((s) => s.ID === learnerId)?.API_ID, learner.id);
    assert.equal(state.professors.find((p) => p.ID === instructorId)?.API_ID, instructor.id);
    assert.equal(report.counts.learner.adopted, 1);
    assert.equal(report.counts.instructor.adopted, 1);
    assertNoDuplicates(state);
  });
});

const localDay = (date: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);

describe('two runs of one school never overlap', () => {
  test('a second run that may not wait for the lease is refused, names the holder, and nothing is doubled', async () => {
    const h = await startHarness({ school: 'small', seed: 13 });
    try {
      const results = await Promise.allSettled([
        h.sync({ leaseWaitMs: 0 }),
        h.sync({ leaseWaitMs: 0 }),
      ]);
      const refused = results.filter(
        (r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'sync.locked',
      );
      for (const r of refused)
        assert.match(
          String((r as PromiseRejectedResult).reason.message),
          /in progress \(run [0-9a-f-]{36}, on .+ pid \d+/,
        );
      const done = results.filter(
        (r) => r.status === 'fulfilled' && r.value.outcome === 'succeeded',
      );
      assert.equal(refused.length, 1, JSON.stringify(results.map((r) => r.status)));
      assert.equal(done.length, 1);
      assertNoDuplicates(h.edusign.state());
      // The lock is released at the end: the next run goes ahead.
      assert.equal((await h.sync()).outcome, 'succeeded');
    } finally {
      await h.cleanup();
    }
  });

  test('a second run waits for a live lease, then runs after it, writing nothing twice', async () => {
    const h = await startHarness({ school: 'small', seed: 13 });
    try {
      const [first, second] = await Promise.all([h.sync(), h.sync()]);
      assert.equal(first.outcome, 'succeeded');
      assert.equal(second.outcome, 'succeeded');
      const writes = (r: typeof first) => r.apiCalls.edusignWrites;
      assert.equal(Math.min(writes(first), writes(second)), 0, 'the one that waited wrote nothing');
      assertNoDuplicates(h.edusign.state());
    } finally {
      await h.cleanup();
    }
  });
});

describe('resilience', () => {
  test('10% injected 5xx, 429 and timeouts: the run completes with the same final state', async () => {
    const clean = await startHarness({ school: 'small', seed: 3 });
    const faulty = await startHarness({ school: 'small', seed: 3 });
    try {
      // A clock at the start of today: no sheet has started, so every one can still be completed.
      const midnight = new Date(Date.parse(clean.toInstant(`${localDay(new Date())}T00:00:00`)));
      const today = () => midnight;
      await clean.sync({ now: today });
      faulty.edusign.faults.configure({
        rate: 0.1,
        kinds: ['5xx', '429', 'latency'],
        seed: 5,
        latencyMs: 1500,
        retryAfterSeconds: 0,
      });
      faulty.auriga.faults.configure({ rate: 0.1, kinds: ['5xx', 'drop'], seed: 6 });
      const faultyConfig = {
        ...faulty.configuration,
        edusign: { ...faulty.configuration.edusign, timeoutMs: 1000 },
      };
      const { runSchool } = await import('../src/app/index.ts');
      let report = await runSchool(faultyConfig, { now: today });
      // A run may leave items for the next one; it never leaves a duplicate.
      for (let i = 0; i < 3 && report.outcome === 'partly_failed'; i++)
        report = await runSchool(faultyConfig, { now: today });
      assert.ok(
        report.outcome === 'succeeded',
        `${report.outcome}: ${JSON.stringify(report.failures.slice(0, 3))}`,
      );
      const strip = (s: EdusignState) =>
        s.courses
          .map(
            (c) => `${c.API_ID}|${c.NAME}|${c.START}|${c.END}|${c.CLASSROOM}|${c.STUDENTS.length}`,
          )
          .sort();
      assert.deepEqual(strip(faulty.edusign.state()), strip(clean.edusign.state()));
      assertNoDuplicates(faulty.edusign.state());
    } finally {
      await clean.cleanup();
      await faulty.cleanup();
    }
  });

  test('a create whose answer is lost (dropped connection) is not duplicated', async () => {
    const h = await startHarness({ school: 'small', seed: 4 });
    try {
      // On v3 the answers lost are those of whole batches, which are sent again.
      h.edusign.faults.inject({
        kind: 'drop-after',
        method: 'POST',
        pathPrefix: h.api === 'v3' ? '/v3/courses' : '/v1/course',
        count: 3,
      });
      h.edusign.faults.inject({
        kind: 'drop-after',
        method: 'POST',
        pathPrefix: h.api === 'v3' ? '/v3/students' : '/v1/student',
        count: 2,
      });
      await h.sync();
      await h.sync();
      const state = h.edusign.state();
      assertNoDuplicates(state);
      assert.equal(state.courses.length, h.expectedInterventions().length);
    } finally {
      await h.cleanup();
    }
  });
});
