import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GROUP_COLUMNS, INTERVENTION_COLUMNS, matchColumns, normaliseLabel } from './columns.ts';

const column = (en: string, fr: string) => ({ label: { en, fr }, field: en.toLowerCase() });

describe('matchColumns', () => {
  test('finds columns by label in any order, ignoring extra columns', () => {
    const columns = [
      column('Comment', 'Commentaire'),
      column('End', 'Fin'),
      column('Learner(s)', 'Apprenant(s)'),
      column('ID', 'ID'),
      column('Instructor(s)', 'Intervenant(s)'),
      column('Start', 'Début'),
      column('Group ID(s)', 'ID Groupe(s)'),
    ];
    const match = matchColumns(columns, INTERVENTION_COLUMNS);
    assert.deepEqual(match.index, {
      id: 3,
      start: 5,
      end: 1,
      learners: 2,
      instructors: 4,
      groups: 6,
    });
    assert.deepEqual(match.missing, []);
    assert.deepEqual(
      match.missingOptional.map((c) => c.label),
      [
        'Educational Unit.Label',
        'Activity Type.Label',
        'Session (Description)',
        'Resource.Label',
        'Resource.Code',
      ],
    );
  });

  test('French-only labels, plain-text labels, case and accents', () => {
    const match = matchColumns(
      [
        { label: { fr: 'DEBUT' } },
        'fin',
        { label: { fr: 'identifiant' } },
        { label: 'Apprenant(s)' },
        { label: { fr: 'Intervenant (s)' } },
        { label: { fr: 'Unité Pédagogique . Libellé' } },
      ],
      INTERVENTION_COLUMNS,
    );
    assert.deepEqual(match.missing, []);
    assert.equal(match.index.educationalUnit, 5);
    assert.equal(match.index.instructors, 4);
  });

  test('names the required columns that are missing and lists those found', () => {
    const match = matchColumns([column('ID', 'ID'), column('Label', 'Libellé')], GROUP_COLUMNS);
    assert.deepEqual(
      match.missing.map((c) => c.label),
      ['Learner(s)'],
    );
    assert.deepEqual(match.labels, ['ID', 'Label']);
    const none = matchColumns([{ field: 'x' }, null], INTERVENTION_COLUMNS);
    assert.deepEqual(
      none.missing.map((c) => c.key),
      ['id', 'start', 'end', 'learners', 'instructors'],
    );
    assert.deepEqual(none.labels, ['x', 'null']);
  });

  test('the first of two matching columns is used', () => {
    const match = matchColumns([column('ID', 'ID'), column('ID', 'ID')], GROUP_COLUMNS);
    assert.equal(match.index.id, 0);
  });

  test('normaliseLabel', () => {
    assert.equal(normaliseLabel('  Type d’activité . Libellé '), "type d'activite.libelle");
    assert.equal(normaliseLabel('Session  ( Description )'), 'session(description)');
  });
});
