import { seededRandom } from '../random.ts';
import { formatPeople } from '../school/people-cell.ts';
import type {
  MultiLabel,
  School,
  SchoolGroup,
  SchoolIntervention,
  SchoolPerson,
} from '../school/types.ts';

/**
 * The two favorites (saved queries) as Auriga serves them: columns with
 * bilingual labels, lines of cells in column order. Rendering is pure: the
 * server sorts, slices a page and renders only that page.
 */

export interface Column {
  readonly label: { readonly en: string; readonly fr: string };
  readonly field: string;
  readonly path: string;
}

export type Cell = string | number | null | { readonly fr?: string; readonly en?: string };

interface ColumnSpec<Row> extends Column {
  render(row: Row, context: RenderContext): Cell;
}

interface RenderContext {
  readonly people: ReadonlyMap<string, SchoolPerson>;
}

const column = <Row>(
  en: string,
  fr: string,
  field: string,
  path: string,
  render: (row: Row, context: RenderContext) => Cell,
): ColumnSpec<Row> => ({ label: { en, fr }, field, path, render });

/**
 * Rows disagree on how a multilingual label is written, as Auriga's do: the
 * row's id picks JSON text, an object, or plain text.
 */
function labelCell(label: MultiLabel | null, rowId: string): Cell {
  const variant = Number(rowId) % 3;
  if (label === null || (label.fr === undefined && label.en === undefined)) {
    return variant === 2 ? '' : null;
  }
  const clean: { fr?: string; en?: string } = {};
  if (label.fr !== undefined) clean.fr = label.fr;
  if (label.en !== undefined) clean.en = label.en;
  if (variant === 0) {
    // The seed's own examples: `{"fr": "..."}` and `{ "en": "Lectures", "fr": "Lecture" }`.
    return JSON.stringify(clean).replaceAll('":"', '": "').replaceAll('","', '", "');
  }
  if (variant === 1) return clean;
  return clean.fr ?? clean.en ?? '';
}

const textCell = (text: string, rowId: string): Cell =>
  text !== '' ? text : Number(rowId) % 2 === 0 ? null : '';

function peopleCell(ids: readonly string[], context: RenderContext): string {
  const people: SchoolPerson[] = [];
  for (const id of ids) {
    const person = context.people.get(id);
    if (person) people.push(person);
  }
  return formatPeople(people);
}

const minutesOf = (t: string): number => Number(t.slice(11, 13)) * 60 + Number(t.slice(14, 16));

/** Hours as French text: `1,5`, `2`. */
export function frenchHours(start: string, end: string): string {
  const days = (Date.parse(`${end.slice(0, 10)}Z`) - Date.parse(`${start.slice(0, 10)}Z`)) / 864e5;
  const hours = (days * 1440 + minutesOf(end) - minutesOf(start)) / 60;
  return String(Math.round(hours * 100) / 100).replace('.', ',');
}

const STATUSES = ['Confirmée', 'Planifiée', 'Confirmée', 'Confirmée'];
const AUTHORS = ['sco.ing', 'j.dupont', 'planning', 'm.nguyen'];

const INTERVENTION_COLUMNS: readonly ColumnSpec<SchoolIntervention>[] = [
  column('ID', 'ID', 'id', 'id', (iv) => iv.id),
  column('Activity Type.Label', "Type d'activité.Libellé", 'label', 'activityType.label', (iv) =>
    labelCell(iv.activityType, iv.id),
  ),
  column('Start', 'Début', 'startDate', 'startDate', (iv) => iv.start),
  column('Status', 'Statut', 'status', 'status', (iv) => STATUSES[Number(iv.id) % 4] ?? null),
  column(
    'Educational Unit.Label',
    'Unité pédagogique.Libellé',
    'label',
    'educationalUnit.label',
    (iv) => labelCell(iv.educationalUnit, iv.id),
  ),
  column('End', 'Fin', 'endDate', 'endDate', (iv) => iv.end),
  column('Duration (h)', 'Durée (h)', 'duration', 'duration', (iv) =>
    frenchHours(iv.start, iv.end),
  ),
  column(
    'Session (Description)',
    'Séance (Description)',
    'description',
    'session.description',
    (iv) => textCell(iv.description, iv.id),
  ),
  column('Resource.Code', 'Ressource.Code', 'code', 'resource.code', (iv) =>
    textCell(iv.resourceCode, iv.id),
  ),
  column('Resource.Label', 'Ressource.Libellé', 'label', 'resource.label', (iv) =>
    textCell(iv.resourceLabel, iv.id),
  ),
  column(
    'Created by',
    'Créé par',
    'createdBy',
    'createdBy',
    (iv) => AUTHORS[Number(iv.id) % 4] ?? null,
  ),
  column('Instructor(s)', 'Intervenant(s)', 'instructors', 'instructors', (iv, c) =>
    peopleCell(iv.instructors, c),
  ),
  column('Learner(s)', 'Apprenant(s)', 'learners', 'learners', (iv, c) =>
    peopleCell(iv.learners, c),
  ),
  column('Group ID(s)', 'ID groupe(s)', 'groupIds', 'groups.id', (iv) => iv.groups.join('|')),
];

const GROUP_COLUMNS: readonly ColumnSpec<SchoolGroup>[] = [
  column('ID', 'ID', 'id', 'id', (g) => g.id),
  column('Code', 'Code', 'code', 'code', (g) => g.code),
  column(
    'Number of learners',
    "Nombre d'apprenants",
    'learnerCount',
    'learnerCount',
    (g) => g.learners.length,
  ),
  column('Label', 'Libellé', 'label', 'label', (g) => labelCell(g.label, g.id)),
  column('Learner(s)', 'Apprenant(s)', 'learnerIds', 'learners.id', (g) => g.learners.join('|')),
];

export type FavoriteKind = 'interventions' | 'groups';

export interface Page {
  readonly totalElements: number;
  readonly columns: readonly Column[];
  readonly lines: readonly Cell[][];
}

const byNumericId = (a: { id: string }, b: { id: string }): number =>
  a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Column order: fixed and non-trivial by default, shuffled by a seed when given. */
function ordered<Row>(columns: readonly ColumnSpec<Row>[], seed: number | undefined) {
  return seed === undefined ? columns : seededRandom(seed).shuffle(columns);
}

/** One page (1-based) of a favorite, rows sorted by id. */
export function renderPage(
  school: School,
  kind: FavoriteKind,
  page: number,
  size: number,
  columnSeed: number | undefined,
): Page {
  const from = (page - 1) * size;
  if (kind === 'groups') {
    const columns = ordered(GROUP_COLUMNS, columnSeed);
    const rows = [...school.groups].sort(byNumericId).slice(from, from + size);
    const context: RenderContext = { people: new Map() };
    return {
      totalElements: school.groups.length,
      columns: columns.map(publicColumn),
      lines: rows.map((g) => columns.map((c) => c.render(g, context))),
    };
  }
  const columns = ordered(INTERVENTION_COLUMNS, columnSeed);
  const rows = [...school.interventions].sort(byNumericId).slice(from, from + size);
  const people = new Map<string, SchoolPerson>();
  for (const p of school.instructors) people.set(p.id, p);
  for (const p of school.learners) people.set(p.id, p);
  const context: RenderContext = { people };
  return {
    totalElements: school.interventions.length,
    columns: columns.map(publicColumn),
    lines: rows.map((iv) =>
      columns.map((c) => {
        const raw = iv.raw?.[c.label.en];
        return raw !== undefined ? raw : c.render(iv, context);
      }),
    ),
  };
}

const publicColumn = ({ label, field, path }: Column): Column => ({ label, field, path });

/** The saved definition `GET /api/menuEntries/{m}/query/{q}` returns and searchResult takes back. */
export function queryDefinition(
  kind: FavoriteKind,
  queryId: string,
  menuEntryId: string,
  owner: string,
): Record<string, unknown> {
  const columns = kind === 'groups' ? GROUP_COLUMNS : INTERVENTION_COLUMNS;
  return {
    id: apiId(queryId),
    menuEntryId: apiId(menuEntryId),
    code: kind === 'groups' ? 'EDUSIGN_GROUPES' : 'EDUSIGN_INTERVENTIONS',
    label:
      kind === 'groups'
        ? { fr: 'Groupes (détail Edusign)', en: 'Groups (Edusign detail)' }
        : { fr: 'Interventions (détail Edusign)', en: 'Interventions (Edusign detail)' },
    entityName: kind === 'groups' ? 'Group' : 'Intervention',
    favorite: true,
    owner,
    selectedFields: columns.map((c) => ({ path: c.path, label: c.label })),
    filters: { operator: 'AND', conditions: [] },
    sorts: [{ path: 'id', direction: 'ASC' }],
  };
}

/** Auriga writes ids as JSON numbers; a configured id that is not numeric stays text. */
export const apiId = (id: string): number | string => (/^\d{1,15}$/.test(id) ? Number(id) : id);
