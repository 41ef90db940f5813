import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { EntityKind } from '../src/domain/types.ts';
import { isAppError } from '../src/errors/app-error.ts';
import type { JournalEntry, Mapping, Store } from '../src/store/port.ts';

/**
 * The store contract (src/store/port.ts), as one list of cases that every
 * backend must pass against a real database. Each case opens a fresh store
 * (its own file, or its own PostgreSQL schema) and cleans it up.
 */
export interface OpenedStore {
  readonly store: Store;
  /**
   * Another Store on the same database, through its own connection (SQLite)
   * or its own pool (PostgreSQL), as a second process would open it: it runs
   * the migrations again. Closed by `cleanup`.
   */
  reopen(): Promise<Store>;
  /** Writes many mappings in one transaction, beside the port: seeds the large cases quickly. */
  seedMappings(school: string, mappings: readonly Mapping[]): Promise<void>;
  cleanup(): Promise<void>;
}

const at = (minutes: number): string =>
  new Date(Date.UTC(2025, 2, 14, 8, 30) + minutes * 60_000).toISOString();

const mapping = (
  kind: EntityKind,
  aurigaId: string,
  overrides: Partial<Mapping> = {},
): Mapping => ({
  kind,
  aurigaId,
  edusignId: `edu-${kind}-${aurigaId}`,
  fingerprint: `fp-${aurigaId}`,
  origin: 'created',
  courseStart: kind === 'sheet' ? at(24 * 60) : null,
  createdAt: at(0),
  updatedAt: at(1),
  ...overrides,
});

const entry = (
  id: string,
  startedAt: string,
  overrides: Partial<JournalEntry> = {},
): JournalEntry => ({
  id,
  runId: 'run-1',
  kind: 'sheet',
  aurigaId: `int-${id}`,
  action: 'create',
  fingerprint: `fp-${id}`,
  startedAt,
  ...overrides,
});

/** Rejects with an AppError of this code. */
const rejectsWithCode = (promise: Promise<unknown>, code: string): Promise<void> =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });

/** A report as a run writes it, with what JSON text makes hard to keep. */
const REPORT = {
  outcome: 'partly_failed',
  counts: {
    sheet: { created: 3, updated: 1, deleted: 0, unchanged: 120, heldBack: 2, failed: 1 },
    learner: { created: 40, updated: 0, deleted: 0, unchanged: 900, heldBack: 0, failed: 0 },
  },
  problems: [
    {
      code: 'person.missing_email',
      kind: 'learner',
      aurigaId: '12345',
      row: { favorite: 'interventions', id: 'row-7' },
      message: 'Élève « Zoé Ærø-Łukasz » sans e-mail : ajoutez-le dans Auriga. 李雷 😀',
    },
  ],
  odd: ['a\u0000b', '\ud800 lone surrogate', 'tab\there "quoted" \\ back', '\u2028\u2029'],
  numbers: [0, -1.5, 1e21, 2 ** 53 - 1, 0.1 + 0.2],
  nested: [[[{ deep: null, yes: true, no: false, empty: {}, none: [] }]]],
  apiCalls: 431,
};

export function storeSuite(name: string, open: () => Promise<OpenedStore>): void {
  async function fresh(t: TestContext): Promise<OpenedStore> {
    const opened = await open();
    t.after(() => opened.cleanup());
    return opened;
  }

  describe(`store contract: ${name}`, () => {
    describe('mappings', () => {
      test('put, get, list and delete, per kind', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        const all = [
          mapping('sheet', 'I-2', { origin: 'adopted' }),
          mapping('sheet', 'I-1'),
          mapping('learner', 'L-1'),
          mapping('instructor', 'T-1'),
          mapping('group', 'G-1'),
        ];
        for (const m of all) await school.putMapping(m);

        assert.deepEqual(await school.getMapping('sheet', 'I-2'), all[0]);
        assert.deepEqual(await school.getMapping('learner', 'L-1'), all[2]);
        assert.equal(
          await school.getMapping('learner', 'I-1'),
          undefined,
          'the kind is part of the key',
        );
        assert.equal(await school.getMapping('sheet', 'nope'), undefined);

        assert.deepEqual(
          (await school.listMappings()).map((m) => `${m.kind}:${m.aurigaId}`),
          ['group:G-1', 'instructor:T-1', 'learner:L-1', 'sheet:I-1', 'sheet:I-2'],
          'listed by kind, then Auriga id',
        );
        assert.deepEqual(await school.listMappings('sheet'), [all[1], all[0]]);
        assert.deepEqual(await school.listMappings('group'), [all[4]]);

        await school.deleteMapping('sheet', 'I-1');
        await school.deleteMapping('sheet', 'never-there');
        assert.equal(await school.getMapping('sheet', 'I-1'), undefined);
        assert.deepEqual(await school.listMappings('sheet'), [all[0]]);
        assert.equal((await school.listMappings()).length, 4);
      });

      test('put replaces the mapping of the same kind and Auriga id', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        await school.putMapping(mapping('sheet', 'I-1'));
        const replaced = mapping('sheet', 'I-1', {
          edusignId: 'edu-other',
          fingerprint: 'fp-new',
          origin: 'adopted',
          courseStart: at(48 * 60),
          createdAt: at(5),
          updatedAt: at(6),
        });
        await school.putMapping(replaced);
        assert.deepEqual(await school.getMapping('sheet', 'I-1'), replaced);
        assert.deepEqual(await school.listMappings(), [replaced]);

        const noStart = { ...replaced, courseStart: null };
        await school.putMapping(noStart);
        assert.deepEqual(
          await school.getMapping('sheet', 'I-1'),
          noStart,
          'null clears courseStart',
        );
      });

      test('lists 10,000 mappings of a school in one go', async (t) => {
        const { store, seedMappings } = await fresh(t);
        const many = Array.from({ length: 10_000 }, (_, i) =>
          mapping(i % 4 === 0 ? 'sheet' : 'learner', `A${String(i).padStart(5, '0')}`),
        );
        await seedMappings('big', many);
        await seedMappings('other', many.slice(0, 100));
        const school = store.forSchool('big');
        const started = performance.now();
        const listed = await school.listMappings();
        const elapsedMs = performance.now() - started;
        assert.equal(listed.length, 10_000);
        assert.deepEqual(listed[0], many[1], 'learners first, in id order');
        assert.deepEqual(listed.at(-1), many[9996]);
        assert.equal((await school.listMappings('sheet')).length, 2_500);
        // Measured at about 60 ms; the bound only catches a query per row.
        assert.ok(elapsedMs < 3_000, `listing took ${Math.round(elapsedMs)} ms`);
      });

      test('refuses instants not in toISOString() shape, writing nothing', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        for (const bad of [
          '2025-03-14T09:30:00+01:00',
          '2025-03-14T08:30:00Z',
          '2025-02-30T00:00:00.000Z',
          '',
        ]) {
          await rejectsWithCode(
            school.putMapping(mapping('sheet', 'I-1', { updatedAt: bad })),
            'store.invalid_value',
          );
        }
        await rejectsWithCode(
          school.putMapping(mapping('sheet', 'I-1', { kind: 'room' as EntityKind })),
          'store.invalid_value',
        );
        await rejectsWithCode(school.putMapping(mapping('sheet', '')), 'store.invalid_value');
        assert.deepEqual(await school.listMappings(), []);
      });
    });

    test('schools never see each other’s records', async (t) => {
      const { store } = await fresh(t);
      const a = store.forSchool('school-a');
      const b = store.forSchool('school-b');
      assert.equal(a.school, 'school-a');

      await a.putMapping(mapping('learner', 'L-1', { edusignId: 'edu-a' }));
      await b.putMapping(mapping('learner', 'L-1', { edusignId: 'edu-b' }));
      await a.deleteMapping('learner', 'L-1');
      assert.equal(await a.getMapping('learner', 'L-1'), undefined);
      assert.equal((await b.getMapping('learner', 'L-1'))?.edusignId, 'edu-b');
      assert.deepEqual(await a.listMappings(), []);

      await a.journalBegin(entry('j-1', at(0)));
      await b.journalBegin(entry('j-1', at(0), { aurigaId: 'other' }));
      await a.journalEnd('j-1');
      assert.deepEqual(await a.pendingJournal(), []);
      assert.deepEqual(
        (await b.pendingJournal()).map((e) => e.aurigaId),
        ['other'],
      );

      await a.startRun({ id: 'run-1', startedAt: at(0), dryRun: false });
      await b.startRun({ id: 'run-1', startedAt: at(1), dryRun: true });
      await a.finishRun('run-1', { finishedAt: at(2), outcome: 'succeeded', report: { of: 'a' } });
      assert.deepEqual((await b.getRun('run-1'))?.report, null);
      assert.equal((await b.getRun('run-1'))?.outcome, 'running');
      assert.deepEqual(
        (await a.recentRuns(10)).map((r) => r.startedAt),
        [at(0)],
      );
      assert.equal(await store.forSchool('school-c').getRun('run-1'), undefined);

      const now = new Date(at(0));
      assert.equal(await a.tryLock('worker-1', 60_000, now), true);
      assert.equal(await b.tryLock('worker-2', 60_000, now), true, 'a lock is per school');
    });

    describe('journal', () => {
      test('pending entries come oldest first, in begin order on ties, until ended', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        const later = entry('j-later', at(10), { action: 'delete', kind: 'group' });
        const first = entry('j-first', at(1), { action: 'update', runId: 'run-2' });
        const tieA = entry('j-z-tie', at(5));
        const tieB = entry('j-a-tie', at(5), { kind: 'learner' });
        for (const e of [later, first, tieA, tieB]) await school.journalBegin(e);

        assert.deepEqual(await school.pendingJournal(), [first, tieA, tieB, later]);

        await school.journalEnd('j-z-tie');
        await school.journalEnd('j-z-tie');
        await school.journalEnd('never-begun');
        assert.deepEqual(await school.pendingJournal(), [first, tieB, later]);
        for (const e of [first, tieB, later]) await school.journalEnd(e.id);
        assert.deepEqual(await school.pendingJournal(), []);
      });

      test('an entry id cannot be begun twice while pending', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        await school.journalBegin(entry('j-1', at(0)));
        await rejectsWithCode(
          school.journalBegin(entry('j-1', at(1), { aurigaId: 'other' })),
          'store.conflict',
        );
        assert.deepEqual(await school.pendingJournal(), [entry('j-1', at(0))]);
      });
    });

    describe('commit (several writes, one transaction)', () => {
      test('journals, saves, deletes and ends in one go, in that order', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        await school.putMapping(mapping('sheet', 'gone'));
        await school.journalBegin(entry('j-old', at(0)));
        await school.commit({
          journalBegin: [entry('j-1', at(2)), entry('j-2', at(3), { kind: 'learner' })],
        });
        assert.deepEqual(
          (await school.pendingJournal()).map((e) => e.id),
          ['j-old', 'j-1', 'j-2'],
        );
        await school.commit({
          putMappings: [mapping('sheet', 'int-j-1'), mapping('learner', 'int-j-2')],
          deleteMappings: [{ kind: 'sheet', aurigaId: 'gone' }],
          journalEnd: ['j-1', 'j-2', 'never-begun'],
        });
        assert.deepEqual(
          (await school.listMappings()).map((m) => `${m.kind}:${m.aurigaId}`),
          ['learner:int-j-2', 'sheet:int-j-1'],
        );
        assert.deepEqual(
          (await school.pendingJournal()).map((e) => e.id),
          ['j-old'],
        );
        // A mapping saved and deleted in one commit: deletions come after saves.
        await school.commit({
          putMappings: [mapping('group', 'g-1')],
          deleteMappings: [{ kind: 'group', aurigaId: 'g-1' }],
        });
        assert.equal(await school.getMapping('group', 'g-1'), undefined);
        await school.commit({});
      });

      test('all or nothing: a conflicting entry leaves every other write of the commit undone', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        await school.journalBegin(entry('j-1', at(0)));
        await rejectsWithCode(
          school.commit({
            journalBegin: [entry('j-2', at(1)), entry('j-1', at(2), { aurigaId: 'other' })],
            putMappings: [mapping('sheet', 'int-j-2')],
            journalEnd: ['j-1'],
          }),
          'store.conflict',
        );
        assert.deepEqual(await school.pendingJournal(), [entry('j-1', at(0))]);
        assert.deepEqual(await school.listMappings(), []);
        // The store is usable after the rollback.
        await school.commit({ putMappings: [mapping('sheet', 'after')] });
        assert.equal((await school.getMapping('sheet', 'after'))?.aurigaId, 'after');
      });

      test('refuses a malformed mapping before writing anything', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        await assert.rejects(
          school.commit({
            journalBegin: [entry('j-1', at(0))],
            putMappings: [mapping('sheet', 'bad', { createdAt: '14/03/2025' })],
          }),
        );
        assert.deepEqual(await school.pendingJournal(), []);
        assert.deepEqual(await school.listMappings(), []);
      });

      test('a school commits only its own records', async (t) => {
        const { store } = await fresh(t);
        const a = store.forSchool('school-a');
        const b = store.forSchool('school-b');
        await a.commit({
          journalBegin: [entry('j-1', at(0))],
          putMappings: [mapping('sheet', 'x')],
        });
        await b.commit({ journalEnd: ['j-1'], deleteMappings: [{ kind: 'sheet', aurigaId: 'x' }] });
        assert.equal((await a.pendingJournal()).length, 1);
        assert.equal((await a.getMapping('sheet', 'x'))?.aurigaId, 'x');
        assert.deepEqual(await b.listMappings(), []);
      });
    });

    describe('runs', () => {
      test('start, finish, recent (newest first) and get', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        await school.startRun({ id: 'run-noon', startedAt: at(0), dryRun: false });
        await school.startRun({ id: 'run-evening', startedAt: at(7 * 60), dryRun: true });
        await school.startRun({ id: 'run-early', startedAt: at(-60), dryRun: false });

        assert.deepEqual(await school.getRun('run-evening'), {
          id: 'run-evening',
          startedAt: at(7 * 60),
          finishedAt: null,
          outcome: 'running',
          dryRun: true,
          report: null,
        });

        await school.finishRun('run-noon', {
          finishedAt: at(3),
          outcome: 'partly_failed',
          report: REPORT,
        });
        const noon = await school.getRun('run-noon');
        assert.deepEqual(noon, {
          id: 'run-noon',
          startedAt: at(0),
          finishedAt: at(3),
          outcome: 'partly_failed',
          dryRun: false,
          report: REPORT,
        });
        assert.deepEqual(
          Object.keys((noon?.report ?? {}) as object),
          Object.keys(REPORT),
          'the report’s keys keep their order',
        );

        assert.deepEqual(
          (await school.recentRuns(10)).map((r) => r.id),
          ['run-evening', 'run-noon', 'run-early'],
        );
        assert.deepEqual(
          (await school.recentRuns(2)).map((r) => r.id),
          ['run-evening', 'run-noon'],
        );
        assert.deepEqual((await school.recentRuns(2))[1], noon);
        assert.deepEqual(await school.recentRuns(0), []);
        assert.equal(await school.getRun('run-unknown'), undefined);
      });

      test('runs started at the same instant list the later one first', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        for (const id of ['run-b', 'run-c', 'run-a']) {
          await school.startRun({ id, startedAt: at(0), dryRun: false });
        }
        assert.deepEqual(
          (await school.recentRuns(3)).map((r) => r.id),
          ['run-a', 'run-c', 'run-b'],
        );
      });

      test('finishing an unknown run and starting a run twice are refused', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        await rejectsWithCode(
          school.finishRun('run-x', { finishedAt: at(1), outcome: 'succeeded', report: {} }),
          'store.run_not_found',
        );
        await school.startRun({ id: 'run-x', startedAt: at(0), dryRun: false });
        await rejectsWithCode(
          school.startRun({ id: 'run-x', startedAt: at(5), dryRun: true }),
          'store.conflict',
        );
        await rejectsWithCode(
          school.finishRun('run-x', {
            finishedAt: at(1),
            outcome: 'exploded' as 'failed',
            report: {},
          }),
          'store.invalid_value',
        );
        assert.equal((await school.getRun('run-x'))?.startedAt, at(0));
        assert.equal((await school.getRun('run-x'))?.outcome, 'running');
      });
    });

    describe('run lock', () => {
      test('taken, refused to another owner while valid, re-entrant, taken after expiry', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        const t0 = Date.UTC(2025, 2, 14, 11, 0);
        const when = (ms: number) => new Date(t0 + ms);

        assert.equal(await school.tryLock('worker-1', 60_000, when(0)), true, 'free: taken');
        assert.equal(await school.tryLock('worker-2', 60_000, when(1)), false, 'held: refused');
        assert.equal(await school.tryLock('worker-2', 60_000, when(59_999)), false);

        // Re-entrant: the holder extends its lock to 30 s + 60 s.
        assert.equal(await school.tryLock('worker-1', 60_000, when(30_000)), true);
        assert.equal(await school.tryLock('worker-2', 60_000, when(60_000)), false, 'extended');
        assert.equal(await school.tryLock('worker-2', 60_000, when(89_999)), false);

        assert.equal(
          await school.tryLock('worker-2', 10_000, when(90_000)),
          true,
          'expired: taken',
        );
        assert.equal(
          await school.tryLock('worker-1', 60_000, when(95_000)),
          false,
          'now worker-2’s',
        );
      });

      test('unlock frees the lock only for its owner', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        const now = new Date(Date.UTC(2025, 2, 14, 18, 0));
        assert.equal(await school.tryLock('worker-1', 600_000, now), true);
        await school.unlock('worker-2');
        assert.equal(
          await school.tryLock('worker-2', 600_000, now),
          false,
          'not unlocked by another',
        );
        await school.unlock('worker-1');
        assert.equal(await school.tryLock('worker-2', 600_000, now), true, 'unlocked by its owner');
        await school.unlock('worker-1');
        assert.equal(await school.tryLock('worker-3', 600_000, now), false);
      });

      test("the holder can be read, and a dead holder's lock taken over", async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        const now = new Date(Date.UTC(2025, 2, 14, 18, 0));
        assert.equal(await school.lockHolder(), undefined);
        assert.equal(await school.tryLock('host/123/run-1', 600_000, now), true);
        assert.deepEqual(await school.lockHolder(), {
          owner: 'host/123/run-1',
          expiresAt: '2025-03-14T18:10:00.000Z',
        });
        assert.equal(
          await school.tryLock('host/456/run-2', 600_000, now, { takeOverFrom: 'host/999/other' }),
          false,
          'naming another owner takes nothing',
        );
        assert.equal(
          await school.tryLock('host/456/run-2', 600_000, now, { takeOverFrom: 'host/123/run-1' }),
          true,
          'the dead holder named is replaced',
        );
        assert.equal((await school.lockHolder())?.owner, 'host/456/run-2');
      });

      test('refuses a ttl that is not a positive duration', async (t) => {
        const { store } = await fresh(t);
        const school = store.forSchool('school-a');
        const now = new Date(Date.UTC(2025, 2, 14, 18, 0));
        await rejectsWithCode(school.tryLock('w', 0, now), 'store.invalid_value');
        await rejectsWithCode(school.tryLock('w', Number.NaN, now), 'store.invalid_value');
        await rejectsWithCode(
          school.tryLock('w', 1000, new Date(Number.NaN)),
          'store.invalid_value',
        );
        assert.equal(await school.tryLock('other', 1000, now), true, 'nothing was taken');
      });

      test('two stores on one database racing for a lock: exactly one wins', async (t) => {
        const { store, reopen } = await fresh(t);
        const other = await reopen();
        const now = new Date(Date.UTC(2025, 2, 14, 11, 0));
        const schools = Array.from({ length: 20 }, (_, i) => `school-${i}`);
        const results = await Promise.all(
          schools.map((school) =>
            Promise.all([
              store.forSchool(school).tryLock('worker-1', 60_000, now),
              other.forSchool(school).tryLock('worker-2', 60_000, now),
            ]),
          ),
        );
        for (const [i, [one, two]] of results.entries()) {
          assert.notEqual(one, two, `${schools[i]}: exactly one of the two takes it`);
          const [winner, loser] = one ? [store, other] : [other, store];
          const [winnerName, loserName] = one ? ['worker-1', 'worker-2'] : ['worker-2', 'worker-1'];
          assert.equal(await loser.forSchool(`school-${i}`).tryLock(loserName, 60_000, now), false);
          assert.equal(
            await winner.forSchool(`school-${i}`).tryLock(winnerName, 60_000, now),
            true,
          );
        }
      });
    });

    test('opening again migrates nothing and keeps every record', async (t) => {
      const { store, reopen } = await fresh(t);
      const school = store.forSchool('school-a');
      await school.putMapping(mapping('sheet', 'I-1'));
      await school.journalBegin(entry('j-1', at(0)));
      await school.startRun({ id: 'run-1', startedAt: at(0), dryRun: false });
      await school.finishRun('run-1', { finishedAt: at(1), outcome: 'succeeded', report: REPORT });
      await store.close();

      const again = await reopen();
      const third = await reopen();
      for (const s of [again, third]) {
        const reopened = s.forSchool('school-a');
        assert.deepEqual(await reopened.listMappings(), [mapping('sheet', 'I-1')]);
        assert.deepEqual(await reopened.pendingJournal(), [entry('j-1', at(0))]);
        assert.deepEqual((await reopened.getRun('run-1'))?.report, REPORT);
      }
    });

    test('a closed store refuses work, and closing twice is harmless', async (t) => {
      const { store } = await fresh(t);
      const school = store.forSchool('school-a');
      await store.close();
      await store.close();
      await rejectsWithCode(school.listMappings(), 'store.closed');
      await rejectsWithCode(school.tryLock('w', 1000, new Date()), 'store.closed');
    });
  });
}
