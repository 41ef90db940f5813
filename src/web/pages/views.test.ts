import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DoctorStep } from '../../doctor/steps.ts';
import { translator } from '../i18n.ts';
import { checkList } from './views.ts';

const steps: DoctorStep[] = [
  {
    id: 'keycloak.reachable',
    title: 'Keycloak reachable',
    status: 'passed',
    detail: 'answered in 12 ms',
  },
  {
    id: 'keycloak.client',
    title: 'Client accepted and allowed direct grants',
    status: 'failed',
    detail: 'Keycloak refused the client secret of edusign-sync (401 unauthorized_client).',
    fix: 'Copy the client secret again from Keycloak.',
    code: 'auriga.invalid_client_secret',
  },
];
const ctx = (lang: 'fr' | 'en') => ({ lang, t: translator(lang), path: '/', who: null, csrf: 'x' });

test('Check in French: step titles and a failed step’s reason and fix, the doctor’s English kept beside', () => {
  const page = checkList(ctx('fr'), steps).value;
  assert.match(page, /Keycloak joignable/);
  assert.match(page, /Client accepté, connexion par mot de passe autorisée/);
  assert.match(page, /Keycloak refuse le secret du client\./);
  assert.match(page, /Correction : Copiez à nouveau le secret du client/);
  assert.match(
    page,
    /<details><summary>Le texte du rapport \(en anglais\)<\/summary>Keycloak refused/,
  );
  assert.match(page, /answered in 12 ms/, 'a pass keeps its evidence');
});

test('Check in English is the doctor’s own words', () => {
  const page = checkList(ctx('en'), steps).value;
  assert.match(page, /Client accepted and allowed direct grants/);
  assert.match(page, /Fix: Copy the client secret again from Keycloak\./);
  assert.doesNotMatch(page, /<details>/);
});
