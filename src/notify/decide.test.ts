import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  configurationError,
  networkError,
  problem,
  runReport,
} from '../../test/helpers/run-reports.ts';
import type { RunReport } from '../sync/report.ts';
import {
  DEFAULT_DECIDE_POLICY,
  type Decision,
  decide,
  INITIAL_STATE,
  type NotifyState,
  problemKey,
  readState,
} from './decide.ts';

const HOUR = 3_600_000;
const T0 = new Date('2026-12-01T11:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

/** Feed runs in order; returns every decision. */
function play(runs: readonly { report: RunReport; at: Date }[], start = INITIAL_STATE) {
  let state: NotifyState = start;
  const decisions: Decision[] = [];
  for (const run of runs) {
    const decision = decide(state, run.report, run.at);
    decisions.push(decision);
    state = decision.state;
  }
  return { decisions, state, events: decisions.map((d) => d.notices.map((n) => n.event)) };
}

describe('decide: a run failed', () => {
  test('a refused configuration is told at once, linking to the run', () => {
    const report = runReport({ runId: 'r1', error: configurationError });
    const { notices, state } = decide(INITIAL_STATE, report, T0);
    assert.equal(notices.length, 1);
    const [n] = notices;
    assert.equal(n?.event, 'run_failed');
    assert.equal(n?.path, '/schools/ecole-a/runs/r1');
    assert.deepEqual(n?.error, {
      code: configurationError.code,
      message: configurationError.message,
      hint: configurationError.hint,
    });
    assert.equal(state.failedRuns, 1);
    assert.equal(state.failure?.code, configurationError.code);
  });

  test('one failure then a success tells nobody', () => {
    const { events } = play([
      { report: runReport({ error: networkError }), at: at(0) },
      { report: runReport(), at: at(7) },
    ]);
    assert.deepEqual(events, [[], []]);
  });

  test('two failures in a row are told once, and not again while the failure lasts', () => {
    const { events, decisions } = play([
      { report: runReport({ error: networkError }), at: at(0) },
      { report: runReport({ error: networkError }), at: at(7) },
      { report: runReport({ error: networkError }), at: at(24) },
      { report: runReport({ error: networkError }), at: at(31) },
    ]);
    assert.deepEqual(events, [[], ['run_failed'], [], ['run_failed']]);
    assert.equal(decisions[1]?.notices[0]?.failedRuns, 2);
    // The reminder comes when a day has passed since the first notice (7 h → 31 h).
    assert.equal(decisions[3]?.notices[0]?.failedRuns, 4);
  });

  test('a new cause within a told failure is told (a refused configuration needs a person)', () => {
    const { events } = play([
      { report: runReport({ error: networkError }), at: at(0) },
      { report: runReport({ error: networkError }), at: at(7) },
      { report: runReport({ error: configurationError }), at: at(24) },
      { report: runReport({ error: configurationError }), at: at(31) },
    ]);
    assert.deepEqual(events, [[], ['run_failed'], ['run_failed'], []]);
  });

  test('back to healthy after a failure notice is told once, linking to the school', () => {
    const { events, decisions } = play([
      { report: runReport({ error: configurationError }), at: at(0) },
      { report: runReport(), at: at(7) },
      { report: runReport(), at: at(24) },
    ]);
    assert.deepEqual(events, [['run_failed'], ['recovered'], []]);
    assert.equal(decisions[1]?.notices[0]?.path, '/schools/ecole-a');
  });

  test('a partly failed run has completed: it ends the failure and its failures are problems', () => {
    const failure = {
      kind: 'sheet' as const,
      aurigaId: 'I-9',
      action: 'update' as const,
      code: 'edusign.validation',
      message: 'Sheet I-9: update failed: the end is before the start',
    };
    const { events, decisions } = play([
      { report: runReport({ error: configurationError }), at: at(0) },
      { report: runReport({ outcome: 'partly_failed', failures: [failure] }), at: at(7) },
    ]);
    assert.deepEqual(events, [['run_failed'], ['recovered', 'new_problems']]);
    assert.deepEqual(decisions[1]?.notices[1]?.problems, [
      { code: failure.code, kind: 'sheet', aurigaId: 'I-9', message: failure.message },
    ]);
  });

  test('a failed run leaves holds and problems as they were', () => {
    const start = play([
      { report: runReport({ heldDeletions: 9, problems: [problem('P1')] }), at: at(0) },
    ]).state;
    const { state } = decide(start, runReport({ error: networkError }), at(7));
    assert.deepEqual(state.held, start.held);
    assert.deepEqual(state.problems, start.problems);
  });
});

describe('decide: deletions held', () => {
  test('told at once, linking to the held page, and not again on the next run with the same hold', () => {
    const { events, decisions } = play([
      { report: runReport({ heldDeletions: 9 }), at: at(0) },
      { report: runReport({ heldDeletions: 9 }), at: at(7) },
    ]);
    assert.deepEqual(events, [['deletions_held'], []]);
    assert.equal(decisions[0]?.notices[0]?.path, '/schools/ecole-a/held');
    assert.equal(decisions[0]?.notices[0]?.held?.deletions, 9);
  });

  test('a hold lasting a day is told again; a released hold then a new one is told', () => {
    const { events } = play([
      { report: runReport({ heldDeletions: 9 }), at: at(0) },
      { report: runReport({ heldDeletions: 9 }), at: at(24) },
      { report: runReport(), at: at(31) },
      { report: runReport({ heldDeletions: 3 }), at: at(48) },
    ]);
    assert.deepEqual(events, [['deletions_held'], ['deletions_held'], [], ['deletions_held']]);
  });

  test('held deletions in a partly failed run are told too (the guard, not the outcome, says so)', () => {
    const report = runReport({ heldDeletions: 9, outcome: 'partly_failed' });
    assert.deepEqual(
      decide(INITIAL_STATE, report, T0).notices.map((n) => n.event),
      ['deletions_held'],
    );
  });
});

describe('decide: new problems', () => {
  test('the daily digest lists only the new problems', () => {
    const { events, decisions } = play([
      { report: runReport({ problems: [problem('P1')] }), at: at(0) },
      { report: runReport({ problems: [problem('P1'), problem('P2')] }), at: at(7) },
      {
        report: runReport({ problems: [problem('P1'), problem('P2'), problem('P3')] }),
        at: at(24),
      },
    ]);
    assert.deepEqual(events, [['new_problems'], [], ['new_problems']]);
    assert.deepEqual(
      decisions[2]?.notices[0]?.problems.map((p) => p.aurigaId),
      ['P2', 'P3'],
    );
    assert.equal(decisions[2]?.notices[0]?.problemsTotal, 3);
  });

  test('a problem fixed before the digest is never told; one that comes back is new again', () => {
    const { events, decisions } = play([
      { report: runReport({ problems: [problem('P1')] }), at: at(0) },
      { report: runReport({ problems: [problem('P2')] }), at: at(7) },
      { report: runReport({ problems: [] }), at: at(12) },
      { report: runReport({ problems: [problem('P1')] }), at: at(24) },
    ]);
    assert.deepEqual(events, [['new_problems'], [], [], ['new_problems']]);
    assert.deepEqual(
      decisions[3]?.notices[0]?.problems.map((p) => p.aurigaId),
      ['P1'],
    );
  });

  test('a dry run tells nobody and changes nothing', () => {
    const report = runReport({ dryRun: true, error: configurationError });
    assert.deepEqual(decide(INITIAL_STATE, report, T0), { notices: [], state: INITIAL_STATE });
  });
});

describe('decide: state', () => {
  test('an unreadable stored state starts afresh', () => {
    assert.deepEqual(readState(null), INITIAL_STATE);
    assert.deepEqual(readState({ version: 2 }), INITIAL_STATE);
    assert.deepEqual(readState('{'), INITIAL_STATE);
  });
});

// ---- Properties over any sequence of runs ----

const codes = ['auriga.unavailable', 'edusign.unavailable', 'auriga.unauthorized_client'] as const;
const universe = ['P1', 'P2', 'P3', 'P4', 'P5'];

const runArb = fc.record({
  gapHours: fc.integer({ min: 1, max: 30 }),
  kind: fc.constantFrom('failed', 'succeeded', 'partly_failed', 'dry'),
  code: fc.constantFrom(...codes),
  configuration: fc.boolean(),
  held: fc.constantFrom(0, 0, 5),
  problems: fc.subarray(universe),
});
type RunSpec = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

function toRuns(specs: readonly RunSpec[]) {
  let hours = 0;
  return specs.map((spec, i) => {
    hours += spec.gapHours;
    const when = at(hours);
    const report =
      spec.kind === 'failed'
        ? runReport({
            runId: `r${i}`,
            at: when,
            error: { code: spec.code, message: 'It failed.', configuration: spec.configuration },
          })
        : runReport({
            runId: `r${i}`,
            at: when,
            dryRun: spec.kind === 'dry',
            heldDeletions: spec.held,
            problems: spec.problems.map((id) => problem(id)),
            ...(spec.kind === 'partly_failed' ? { outcome: 'partly_failed' as const } : {}),
          });
    return { report, at: when, spec };
  });
}

const runsArb = fc.array(runArb, { minLength: 1, maxLength: 30 });
const DAY = DEFAULT_DECIDE_POLICY.dayMs;

describe('decide: properties', () => {
  test('one network blip wakes nobody: a first non-configuration failure is never told', () => {
    fc.assert(
      fc.property(runsArb, (specs) => {
        const runs = toRuns(specs);
        const { decisions } = play(runs);
        let streak = 0;
        runs.forEach((run, i) => {
          if (run.spec.kind === 'dry') return;
          streak = run.spec.kind === 'failed' ? streak + 1 : 0;
          const told = decisions[i]?.notices.some((n) => n.event === 'run_failed');
          if (run.spec.kind === 'failed' && streak === 1 && !run.spec.configuration)
            assert.equal(told, false);
          // And the rule's other half: a due failure with nothing told before is told.
          if (run.spec.kind === 'failed' && (streak >= 2 || run.spec.configuration)) {
            const before = decisions[i - 1]?.state ?? INITIAL_STATE;
            if (before.failure === null) assert.equal(told, true);
          }
        });
      }),
    );
  });

  test('one notice per incident: the same failure, hold or digest is not repeated within a day', () => {
    fc.assert(
      fc.property(runsArb, (specs) => {
        const runs = toRuns(specs);
        const { decisions } = play(runs);
        let failure: { at: number; code: string | undefined } | undefined;
        let held: number | undefined;
        let digest: number | undefined;
        runs.forEach((run, i) => {
          const now = run.at.getTime();
          // An incident ends when a completed run shows it is over.
          if (run.spec.kind === 'succeeded' || run.spec.kind === 'partly_failed') {
            failure = undefined;
            if (run.spec.held === 0) held = undefined;
          }
          for (const n of decisions[i]?.notices ?? []) {
            if (n.event === 'run_failed') {
              if (failure !== undefined && failure.code === n.error?.code)
                assert.ok(now - failure.at >= DAY, 'a failure told twice within a day');
              failure = { at: now, code: n.error?.code };
            } else if (n.event === 'deletions_held') {
              if (held !== undefined)
                assert.ok(now - held >= DAY, 'a hold told twice within a day');
              held = now;
            } else if (n.event === 'new_problems') {
              if (digest !== undefined) assert.ok(now - digest >= DAY, 'two digests within a day');
              digest = now;
            }
          }
        });
      }),
    );
  });

  test('recovery is told once per told failure, right after it', () => {
    fc.assert(
      fc.property(runsArb, (specs) => {
        const { decisions } = play(toRuns(specs));
        let open = false;
        for (const d of decisions) {
          for (const n of d.notices) {
            if (n.event === 'run_failed') open = true;
            if (n.event === 'recovered') {
              assert.equal(open, true, 'recovered without a failure told');
              open = false;
            }
          }
        }
      }),
    );
  });

  test('a problem is listed at most once while it lasts, and every digest lists only untold ones', () => {
    fc.assert(
      fc.property(runsArb, (specs) => {
        const runs = toRuns(specs);
        const { decisions } = play(runs);
        const told = new Set<string>();
        runs.forEach((run, i) => {
          if (run.spec.kind !== 'succeeded' && run.spec.kind !== 'partly_failed') return;
          const present = new Set(run.spec.problems);
          for (const id of [...told]) if (!present.has(id)) told.delete(id);
          for (const n of decisions[i]?.notices ?? []) {
            if (n.event !== 'new_problems') continue;
            assert.ok(n.problems.length > 0, 'an empty digest');
            // Listing only some of the new ones would lose the others.
            for (const id of present)
              assert.ok(
                told.has(id) || n.problems.some((p) => p.aurigaId === id),
                `${id} left out`,
              );
            for (const p of n.problems) {
              assert.equal(told.has(p.aurigaId), false, `${p.aurigaId} told twice`);
              assert.ok(present.has(p.aurigaId), `${p.aurigaId} listed but not reported`);
              told.add(p.aurigaId);
            }
          }
        });
      }),
    );
  });

  test('the state is plain JSON: it survives storage and reads back as it was', () => {
    fc.assert(
      fc.property(runsArb, (specs) => {
        let state: NotifyState = INITIAL_STATE;
        for (const run of toRuns(specs)) {
          const direct = decide(state, run.report, run.at);
          const stored = readState(JSON.parse(JSON.stringify(state)));
          assert.deepEqual(decide(stored, run.report, run.at), direct);
          state = direct.state;
          assert.deepEqual(readState(JSON.parse(JSON.stringify(state))), state);
        }
        assert.ok(state.problems.told.every((k) => k.includes('|')));
      }),
    );
  });

  test('notice ids are unique per school, run and event, and links name the school', () => {
    fc.assert(
      fc.property(runsArb, (specs) => {
        const { decisions } = play(toRuns(specs));
        const ids = decisions.flatMap((d) => d.notices.map((n) => n.id));
        assert.equal(new Set(ids).size, ids.length);
        for (const n of decisions.flatMap((d) => d.notices))
          assert.ok(n.path.startsWith('/schools/ecole-a'));
      }),
    );
  });
});

test('problem keys tell records and causes apart', () => {
  assert.notEqual(problemKey(problem('P1')), problemKey(problem('P2')));
  assert.notEqual(problemKey(problem('P1')), problemKey(problem('P1', 'person.bad_email')));
});
