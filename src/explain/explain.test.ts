import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Mapping, RunRecord } from '../store/port.ts';
import { emptyCounts, type RunReport } from '../sync/report.ts';
import { explain, localTime } from './explain.ts';

const WINDOW = {
  from: '2026-03-01T23:00:00.000Z',
  to: '2026-03-15T23:00:00.000Z',
  timeZone: 'Europe/Paris',
  firstDay: '2026-03-02',
  lastDay: '2026-03-15',
};

function run(id: string, startedAt: string, report: Partial<RunReport>, dryRun = false): RunRecord {
  const full: RunReport = {
    runId: id,
    school: 'ecole',
    dryRun,
    startedAt,
    finishedAt: startedAt,
    outcome: 'succeeded',
    window: WINDOW,
    counts: emptyCounts(),
    problems: [],
    held: [],
    failures: [],
    done: [],
    guard: null,
    apiCalls: {
      auriga: 0,
      edusign: 0,
      edusignWrites: 0,
      edusignRateLimitWaitMs: 0,
      edusignByRoute: {},
    },
    ...report,
  };
  return { id, startedAt, finishedAt: startedAt, outcome: full.outcome, dryRun, report: full };
}

const base = { school: 'ecole', timeZone: 'Europe/Paris' } as const;

/** Learner 7's create failed in r2; the next run, r3, failed as a whole. */
const failedCreate = () => [
  run('r3', '2026-03-04T10:00:00.000Z', {
    outcome: 'failed',
    window: null,
    error: { code: 'auriga.unreachable', message: 'Auriga did not answer.' },
  }),
  run('r2', '2026-03-03T10:00:00.000Z', {
    outcome: 'partly_failed',
    failures: [
      {
        kind: 'learner',
        aurigaId: '7',
        action: 'create',
        code: 'edusign.bad_request',
        message: 'Learner 7: create failed: refused',
      },
    ],
  }),
];

describe('explain (pure)', () => {
  test('no run recorded: says so', () => {
    const answer = explain({
      ...base,
      subject: 'learner',
      aurigaId: '1',
      mapping: undefined,
      runs: [],
    });
    assert.equal(answer.state, 'no_run');
    assert.match(answer.sentences[0] ?? '', /No run of ecole/);
  });

  test('a sheet the sync deleted: when and why, with its former Edusign id', () => {
    const runs = [
      run('r2', '2026-03-03T10:00:00.000Z', {
        done: [
          {
            kind: 'sheet',
            aurigaId: '42',
            edusignId: 'E42',
            action: 'deleted',
            reason: 'Intervention 42 no longer appears.',
          },
        ],
      }),
      run('r1', '2026-03-02T10:00:00.000Z', {
        done: [
          { kind: 'sheet', aurigaId: '42', edusignId: 'E42', action: 'created', reason: 'new' },
        ],
      }),
    ];
    const answer = explain({ ...base, subject: 'sheet', aurigaId: '42', mapping: undefined, runs });
    assert.equal(answer.state, 'deleted');
    assert.equal(answer.edusignId, 'E42');
    assert.equal(
      answer.sentences[0],
      'Sheet 42 was deleted on Edusign by the sync on 2026-03-03 11:00 Europe/Paris (Edusign id E42).',
    );
    assert.equal(answer.sentences[1], 'Why: Intervention 42 no longer appears.');
  });

  test('a failed create is the reason, before any problem; a later failed run is noted', () => {
    const runs = [...failedCreate(), run('dry', '2026-03-05T10:00:00.000Z', {}, true)];
    const answer = explain({
      ...base,
      subject: 'learner',
      aurigaId: '7',
      mapping: undefined,
      runs,
    });
    assert.equal(answer.state, 'not_created');
    assert.equal(answer.because?.kind, 'failure');
    assert.equal(answer.lastRun?.runId, 'r3', 'dry runs are not runs');
    assert.equal(answer.referenceRun?.runId, 'r2');
    assert.match(
      answer.sentences[0] ?? '',
      /creating them failed in the run of 2026-03-03 11:00 Europe\/Paris \[edusign\.bad_request\]/,
    );
    assert.match(
      answer.sentences.at(-1) ?? '',
      /^Note: the last run, on 2026-03-04 11:00 Europe\/Paris, failed \[auriga\.unreachable\]/,
    );
  });

  test('only failed runs: the failure is the answer', () => {
    const runs = [
      run('r1', '2026-03-04T10:00:00.000Z', {
        outcome: 'failed',
        window: null,
        error: { code: 'auriga.invalid_grant', message: 'Keycloak refused the password.' },
      }),
    ];
    const answer = explain({
      ...base,
      subject: 'instructor',
      aurigaId: '9',
      mapping: undefined,
      runs,
    });
    assert.equal(answer.because?.kind, 'run_failed');
    assert.match(
      answer.sentences[0] ?? '',
      /no run has read Auriga yet.*\[auriga\.invalid_grant\]/,
    );
  });

  test('in French: the same answer, sentence for sentence, quoting the report as it is written', () => {
    const runs = failedCreate();
    const input = { ...base, subject: 'learner', aurigaId: '7', mapping: undefined, runs } as const;
    const english = explain(input).sentences;
    const french = explain({ ...input, lang: 'fr' }).sentences;
    assert.equal(french.length, english.length);
    assert.deepEqual(french, [
      'L’apprenant 7 n’est pas sur Edusign : sa création a échoué lors de l’exécution du 2026-03-03 11:00 Europe/Paris [edusign.bad_request] : Learner 7: create failed: refused La prochaine exécution réessaie.',
      'Note : la dernière exécution, le 2026-03-04 11:00 Europe/Paris, a échoué [auriga.unreachable] : Auriga did not answer. ; cette réponse vient de l’exécution du 2026-03-03 11:00 Europe/Paris.',
    ]);
    const deleted = explain({
      ...base,
      lang: 'fr',
      subject: 'sheet',
      aurigaId: '42',
      mapping: undefined,
      runs: [
        run('r1', '2026-03-03T10:00:00.000Z', {
          done: [
            {
              kind: 'sheet',
              aurigaId: '42',
              edusignId: 'E42',
              action: 'deleted',
              reason: 'Intervention 42 no longer appears.',
            },
          ],
        }),
      ],
    });
    assert.deepEqual(deleted.sentences, [
      'La feuille 42 a été supprimée d’Edusign par la synchronisation le 2026-03-03 11:00 Europe/Paris (identifiant Edusign E42).',
      'Pourquoi : Intervention 42 no longer appears.',
    ]);
  });

  test('a mapping older than the runs kept still answers from the mapping', () => {
    const mapping: Mapping = {
      kind: 'sheet',
      aurigaId: '5',
      edusignId: 'E5',
      fingerprint: 'x',
      origin: 'created',
      courseStart: '2026-02-20T08:00:00.000Z',
      createdAt: '2026-02-10T10:00:00.000Z',
      updatedAt: '2026-02-10T10:00:00.000Z',
    };
    const answer = explain({
      ...base,
      subject: 'sheet',
      aurigaId: '5',
      mapping,
      runs: [run('r1', '2026-03-03T10:00:00.000Z', {})],
    });
    assert.equal(answer.state, 'created');
    assert.match(answer.sentences.join(' '), /outside the window of the last run/);
  });

  test('localTime writes the school wall-clock time with its zone, across daylight saving', () => {
    assert.equal(
      localTime('2026-03-28T12:00:00.000Z', 'Europe/Paris'),
      '2026-03-28 13:00 Europe/Paris',
    );
    assert.equal(
      localTime('2026-03-30T12:00:00.000Z', 'Europe/Paris'),
      '2026-03-30 14:00 Europe/Paris',
    );
    assert.equal(
      localTime('2026-03-30T12:00:00.000Z', 'America/Martinique'),
      '2026-03-30 08:00 America/Martinique',
    );
  });

  test('an interrupted or abandoned last run is not the reference: it was cut short, not silent', () => {
    const complete = run('r1', '2026-03-02T10:00:00.000Z', {});
    for (const outcome of ['interrupted', 'abandoned'] as const) {
      const answer = explain({
        ...base,
        subject: 'sheet',
        aurigaId: '9',
        mapping: undefined,
        runs: [run('r2', '2026-03-03T10:00:00.000Z', { outcome }), complete],
      });
      assert.equal(answer.state, 'not_created');
      assert.equal(answer.because?.kind, 'interrupted');
      assert.equal(answer.referenceRun?.runId, 'r1', 'the complete run is the reference');
      const text = answer.sentences.join(' ');
      assert.doesNotMatch(text, /was read from Auriga/);
      assert.match(
        text,
        new RegExp(`the last run, on 2026-03-03 11:00 Europe/Paris, was ${outcome}`),
      );
    }
    // What the cut-short run did find (a problem read from Auriga) is still the reason.
    const problem = {
      code: 'person.missing_email',
      kind: 'learner',
      aurigaId: '4',
      message: 'Learner 4 has no email in Auriga.',
    } as const;
    const withProblem = explain({
      ...base,
      subject: 'learner',
      aurigaId: '4',
      mapping: undefined,
      runs: [
        run('r2', '2026-03-03T10:00:00.000Z', { outcome: 'interrupted', problems: [problem] }),
      ],
    });
    assert.equal(withProblem.because?.kind, 'problem');
  });

  test('sentences cite docs/rules.md, never a file the school does not have', () => {
    const window = { ...WINDOW };
    const notInWindow = explain({
      ...base,
      subject: 'learner',
      aurigaId: '3',
      mapping: undefined,
      runs: [run('r1', '2026-03-03T10:00:00.000Z', { window })],
    });
    const sheet = explain({
      ...base,
      subject: 'sheet',
      aurigaId: '3',
      mapping: undefined,
      runs: [run('r1', '2026-03-03T10:00:00.000Z', { window })],
    });
    const adopted = explain({
      ...base,
      subject: 'learner',
      aurigaId: '4',
      mapping: {
        kind: 'learner',
        aurigaId: '4',
        edusignId: 'E4',
        fingerprint: 'x',
        origin: 'adopted',
        courseStart: null,
        createdAt: '2026-02-10T10:00:00.000Z',
        updatedAt: '2026-02-10T10:00:00.000Z',
      },
      runs: [run('r1', '2026-03-03T10:00:00.000Z', {})],
    });
    const text = [notInWindow, sheet, adopted].flatMap((a) => a.sentences).join('\n');
    assert.doesNotMatch(text, /sync-rules/);
    assert.match(notInWindow.sentences[0] ?? '', /\(see docs\/rules\.md, section 5\)\.$/);
    assert.match(sheet.sentences[0] ?? '', /\(see docs\/rules\.md, section 2\)\.$/);
    assert.match(adopted.sentences.join(' '), /\(see docs\/rules\.md, section 5\)/);
  });
});

test('a deletion held by the mass-change guard quotes the guard', () => {
  const runs = [
    run('r1', '2026-03-03T10:00:00.000Z', {
      outcome: 'deletions_held',
      held: [
        {
          kind: 'sheet',
          aurigaId: '8',
          edusignId: 'E8',
          wanted: 'delete',
          cause: 'mass_change_guard',
          message:
            'The sheet of 8 should be deleted but is left as it is: the mass-change guard holds deletions until a person confirms.',
        },
      ],
      guard: {
        triggered: true,
        managed: 10,
        deletions: 5,
        reason: 'This run would delete 5 of the 10 sheets it manages.',
      },
    }),
  ];
  const mapping: Mapping = {
    kind: 'sheet',
    aurigaId: '8',
    edusignId: 'E8',
    fingerprint: 'x',
    origin: 'created',
    courseStart: '2026-03-10T08:00:00.000Z',
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:00.000Z',
  };
  const answer = explain({ ...base, subject: 'sheet', aurigaId: '8', mapping, runs });
  assert.equal(answer.lastAction?.code, 'mass_change_guard');
  assert.match(
    answer.sentences.join(' '),
    /held back \(mass_change_guard\).*would delete 5 of the 10/,
  );
});
