import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickLanguage, problemSentence, translator } from './i18n.ts';

test('the language: the switch first, then the browser, then English', () => {
  assert.equal(pickLanguage(undefined, 'fr-FR,fr;q=0.9,en;q=0.8'), 'fr');
  assert.equal(pickLanguage(undefined, 'de-DE,en;q=0.5,fr;q=0.7'), 'fr');
  assert.equal(pickLanguage('en', 'fr-FR'), 'en');
  assert.equal(pickLanguage(undefined, 'de'), 'en');
  assert.equal(pickLanguage(undefined, undefined), 'en');
});

test('the accessible names the console promises, in both languages', () => {
  const en = translator('en');
  const fr = translator('fr');
  const names = [
    ['signIn.submit', 'Sign in', 'Se connecter'],
    ['school.runNow', 'Run now', 'Lancer maintenant'],
    ['school.preview', 'Preview', 'Aperçu'],
    ['held.confirm', 'Confirm deletions', 'Confirmer les suppressions'],
    ['held.keep', 'Keep them', 'Les garder'],
    ['settings.check', 'Check', 'Vérifier'],
    ['settings.activate', 'Activate', 'Activer'],
    ['settings.testNotice', 'Send a test notice', 'Envoyer une notification de test'],
    ['field.notifications.newWebhookUrl', 'New webhook URL', 'URL d’un nouveau webhook'],
  ] as const;
  for (const [key, english, french] of names) {
    assert.equal(en(key), english);
    assert.equal(fr(key), french);
  }
  assert.equal(en('held.deleted', { n: 3, runId: 'r' }), '3 sheet(s) deleted (run r).');
});

test("a problem's sentence in French keeps its Auriga ids; an unknown code keeps the report's", () => {
  const p = {
    code: 'person.missing_email',
    aurigaId: '24830',
    row: { favorite: 'interventions', id: '112007' },
  };
  assert.match(problemSentence('fr', p) ?? '', /La personne 24830 n’a pas d’e-mail/);
  assert.equal(problemSentence('en', p), null);
  assert.equal(problemSentence('fr', { ...p, code: 'something.new' }), null);
});
