/**
 * Finding a favorite's columns by label, not by position (docs/rules.md
 * §3): schools reorder columns and add their own. A column carries
 * `label: {en, fr}` (some instances give plain text); it matches when any of
 * its labels equals one of a concept's names, compared without case, accents
 * or extra spaces. Extra columns are ignored; when two columns match one
 * concept, the first is used.
 */

export interface ColumnSpec<K extends string = string> {
  readonly key: K;
  /** The English label, used in messages. */
  readonly label: string;
  /** Other names it goes by (French labels, variants seen). */
  readonly aliases: readonly string[];
  readonly required: boolean;
}

const spec = <K extends string>(
  key: K,
  label: string,
  aliases: readonly string[],
  required: boolean,
): ColumnSpec<K> => Object.freeze({ key, label, aliases: Object.freeze([...aliases]), required });

/**
 * The Interventions favorite. Required: without ID, Start and End a row is no
 * class; without Learner(s) and Instructor(s) every sheet would be synced
 * empty, which a school would only notice in class.
 */
export const INTERVENTION_COLUMNS = Object.freeze([
  spec('id', 'ID', ['Id', 'Identifiant'], true),
  spec('start', 'Start', ['Début', 'Date de début', 'Start date'], true),
  spec('end', 'End', ['Fin', 'Date de fin', 'End date'], true),
  spec(
    'educationalUnit',
    'Educational Unit.Label',
    ['Unité pédagogique.Libellé', "Unité d'enseignement.Libellé", 'Unité pédagogique'],
    false,
  ),
  spec(
    'activityType',
    'Activity Type.Label',
    ["Type d'activité.Libellé", "Type d'activité", 'Activity Type'],
    false,
  ),
  spec('description', 'Session (Description)', ['Séance (Description)', 'Session'], false),
  spec('resourceLabel', 'Resource.Label', ['Ressource.Libellé', 'Ressource'], false),
  spec('resourceCode', 'Resource.Code', ['Ressource.Code'], false),
  spec('learners', 'Learner(s)', ['Apprenant(s)', 'Learners', 'Apprenants'], true),
  spec(
    'instructors',
    'Instructor(s)',
    ['Intervenant(s)', 'Formateur(s)', 'Instructors', 'Intervenants'],
    true,
  ),
  spec(
    'groups',
    'Group ID(s)',
    ['ID Groupe(s)', 'ID du ou des groupes', 'Groupe(s) ID', 'Group IDs'],
    false,
  ),
]);
export type InterventionColumn = (typeof INTERVENTION_COLUMNS)[number]['key'];

/** The Groups favorite (docs/rules.md §6). */
export const GROUP_COLUMNS = Object.freeze([
  spec('id', 'ID', ['Id', 'Identifiant'], true),
  spec('label', 'Label', ['Libellé', 'Nom', 'Name'], true),
  spec('code', 'Code', [], false),
  spec('learners', 'Learner(s)', ['Apprenant(s)', 'Learners', 'Apprenants'], true),
]);
export type GroupColumn = (typeof GROUP_COLUMNS)[number]['key'];

export interface ColumnMatch<K extends string> {
  /** Position of each concept's column in a line; absent when not found. */
  readonly index: Readonly<Partial<Record<K, number>>>;
  /** Required concepts with no column. */
  readonly missing: readonly ColumnSpec<K>[];
  /** Optional concepts with no column. */
  readonly missingOptional: readonly ColumnSpec<K>[];
  /** Every column's label as shown (English first), for messages. */
  readonly labels: readonly string[];
}

export function matchColumns<K extends string>(
  columns: readonly unknown[],
  specs: readonly ColumnSpec<K>[],
): ColumnMatch<K> {
  const names = columns.map(columnNames);
  const index: Partial<Record<K, number>> = {};
  for (const concept of specs) {
    const wanted = new Set([concept.label, ...concept.aliases].map(normaliseLabel));
    const position = names.findIndex((list) => list.some((name) => wanted.has(name)));
    if (position >= 0) index[concept.key] = position;
  }
  return {
    index,
    missing: specs.filter((c) => c.required && index[c.key] === undefined),
    missingOptional: specs.filter((c) => !c.required && index[c.key] === undefined),
    labels: columns.map(displayLabel),
  };
}

/** Compare labels without case, accents, spaces around punctuation, or runs of spaces. */
export function normaliseLabel(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/\s*([.()'])\s*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

function columnNames(column: unknown): string[] {
  if (typeof column === 'string') return [normaliseLabel(column)];
  if (column === null || typeof column !== 'object') return [];
  const { label } = column as { label?: unknown };
  const texts: string[] = [];
  if (typeof label === 'string') texts.push(label);
  else if (label !== null && typeof label === 'object') {
    for (const value of Object.values(label)) if (typeof value === 'string') texts.push(value);
  }
  return texts.map(normaliseLabel).filter((name) => name !== '');
}

function displayLabel(column: unknown): string {
  if (typeof column === 'string') return column;
  if (column === null || typeof column !== 'object') return String(column);
  const { label, field, path } = column as { label?: unknown; field?: unknown; path?: unknown };
  if (typeof label === 'string') return label;
  if (label !== null && typeof label === 'object') {
    const { en, fr } = label as { en?: unknown; fr?: unknown };
    if (typeof en === 'string' && en !== '') return en;
    if (typeof fr === 'string' && fr !== '') return fr;
  }
  if (typeof field === 'string') return field;
  if (typeof path === 'string') return path;
  return '(no label)';
}

/** "ID, Start" → a sentence part naming missing columns. */
export function describeMissing(missing: readonly ColumnSpec[]): string {
  return missing.map((c) => `"${c.label}"`).join(', ');
}
