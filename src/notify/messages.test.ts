import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  configurationError,
  networkError,
  problem,
  runReport,
} from '../../test/helpers/run-reports.ts';
import { decide, INITIAL_STATE } from './decide.ts';
import { EMAIL_PROBLEM_LIMIT, renderEmail, webhookBody, webhookPayload } from './messages.ts';
import type { Notice } from './notice.ts';
import { testNotice } from './notifier.ts';

const T0 = new Date('2026-12-01T11:00:00Z');
const consoleUrl = 'https://sync.example.org';

/** One notice of each event, as decide() makes them. */
function notices(): Record<Notice['event'], Notice> {
  const failed = decide(INITIAL_STATE, runReport({ runId: 'r1', error: configurationError }), T0);
  const back = decide(
    failed.state,
    runReport({ runId: 'r2', heldDeletions: 9, problems: [problem('P-1'), problem('P-2')] }),
    T0,
  );
  const all = [...failed.notices, ...back.notices, testNotice('ecole-a', T0)];
  return Object.fromEntries(all.map((n) => [n.event, n])) as Record<Notice['event'], Notice>;
}

describe('messages', () => {
  test('every event has a subject in French and in English', () => {
    const n = notices();
    const subject = (event: Notice['event'], language: 'fr' | 'en') =>
      renderEmail(n[event], { language, consoleUrl, secrets: [] }).subject;
    assert.deepEqual(
      (['run_failed', 'deletions_held', 'new_problems', 'recovered', 'test'] as const).map((e) => [
        subject(e, 'en'),
        subject(e, 'fr'),
      ]),
      [
        [
          '[auriga-edusign] ecole-a: sync failed (auriga.unauthorized_client)',
          '[auriga-edusign] ecole-a : la synchronisation a échoué (auriga.unauthorized_client)',
        ],
        [
          '[auriga-edusign] ecole-a: 9 deletions held, waiting for your confirmation',
          '[auriga-edusign] ecole-a : 9 suppressions retenues, en attente de votre confirmation',
        ],
        [
          '[auriga-edusign] ecole-a: 2 new problems to fix in Auriga',
          '[auriga-edusign] ecole-a : 2 nouveaux problèmes à corriger dans Auriga',
        ],
        [
          '[auriga-edusign] ecole-a: sync back to normal',
          '[auriga-edusign] ecole-a : la synchronisation fonctionne de nouveau',
        ],
        [
          '[auriga-edusign] ecole-a: test notice',
          '[auriga-edusign] ecole-a : notification de test',
        ],
      ],
    );
  });

  test('a failure says what came back and what to do, and links to the run', () => {
    const { text } = renderEmail(notices().run_failed, { language: 'en', consoleUrl, secrets: [] });
    assert.match(text, /Error \[auriga.unauthorized_client\]: Keycloak refused the client/);
    assert.match(text, /What to do: Enable Direct Access Grants for it\./);
    assert.match(
      text,
      /Details in the console: https:\/\/sync.example.org\/schools\/ecole-a\/runs\/r1\n/,
    );
    const fr = renderEmail(notices().run_failed, { language: 'fr', consoleUrl, secrets: [] }).text;
    assert.match(
      fr,
      /Que faire : Enable Direct Access Grants/,
      'a code with no French words keeps the English',
    );
    assert.match(fr, /Détails dans la console : https:/);
  });

  test('in French, a known failure is said in French, the English message kept below it', () => {
    const refused = decide(
      INITIAL_STATE,
      runReport({
        runId: 'r9',
        error: {
          code: 'auriga.invalid_credentials',
          message: 'Keycloak refused the username or password of "edusign.sync".',
          hint: 'Sign in to Auriga in a browser as "edusign.sync".',
          configuration: true,
        },
      }),
      T0,
    ).notices[0];
    assert.ok(refused);
    const fr = renderEmail(refused, { language: 'fr', consoleUrl, secrets: [] }).text;
    assert.match(
      fr,
      /Erreur \[auriga.invalid_credentials\] : Keycloak refuse l’identifiant ou le mot de passe/,
    );
    assert.match(fr, /Que faire : Saisissez à nouveau l’identifiant et le mot de passe/);
    assert.match(
      fr,
      /Message d’origine : Keycloak refused the username or password of "edusign.sync"\. Sign in to Auriga/,
    );
    const en = renderEmail(refused, { language: 'en', consoleUrl, secrets: [] }).text;
    assert.match(en, /Error \[auriga.invalid_credentials\]: Keycloak refused the username/);
    assert.doesNotMatch(en, /Keycloak refuse l’/);
  });

  test('problems carry their Auriga id and sentence; a long digest is cut, the webhook has them all', () => {
    const many = Array.from({ length: 60 }, (_, i) => problem(`P-${i}`));
    const [digest] = decide(INITIAL_STATE, runReport({ problems: many }), T0).notices;
    assert.ok(digest);
    const { text } = renderEmail(digest, { language: 'en', consoleUrl, secrets: [] });
    assert.match(text, /New problems \(60, first 50\):/);
    assert.match(text, / {2}- \[learner P-0\] Learner P-0 has no email in Auriga/);
    assert.doesNotMatch(text, /P-50\]/);
    assert.match(text, /… and 10 more in the console\./);
    assert.equal(text.split('\n').filter((l) => l.startsWith('  - ')).length, EMAIL_PROBLEM_LIMIT);
    const body = webhookBody(digest, consoleUrl, T0);
    assert.equal(body.problems.length, 60);
    assert.deepEqual(body.problems[0], {
      code: 'person.missing_email',
      kind: 'learner',
      aurigaId: 'P-0',
      message: 'Learner P-0 has no email in Auriga: add one so that Edusign can invite them.',
    });
  });

  test('the webhook body has exactly the contract fields', () => {
    const body = webhookBody(notices().deletions_held, `${consoleUrl}/`, T0);
    assert.deepEqual(body, {
      event: 'deletions_held',
      school: 'ecole-a',
      runId: 'r2',
      outcome: 'deletions_held',
      counts: body.counts,
      problems: [],
      consoleUrl: 'https://sync.example.org/schools/ecole-a/held',
      sentAt: '2026-12-01T11:00:00.000Z',
    });
    assert.equal(body.counts?.sheet.held, 9);
  });

  test('a secret is scrubbed from subject, text and webhook bytes, in any form', () => {
    const secret = 'pa"ss wörd\\42';
    const report = runReport({
      error: {
        ...networkError,
        code: `auriga.${secret}`,
        message: `echoed ${secret}`,
        configuration: true,
      },
      problems: [{ ...problem('P-1'), message: `Auriga said ${secret}` }],
    });
    const [n] = decide(INITIAL_STATE, report, T0).notices;
    assert.ok(n);
    const email = renderEmail(n, { language: 'fr', consoleUrl, secrets: [secret] });
    const payload = webhookPayload(n, { consoleUrl, sentAt: T0, secrets: [secret] });
    for (const text of [email.subject, email.text, payload]) {
      assert.equal(text.includes(secret), false);
      assert.equal(text.includes(JSON.stringify(secret).slice(1, -1)), false);
      assert.match(text, /\[redacted\]/);
    }
    assert.doesNotThrow(() => JSON.parse(payload));
  });
});
