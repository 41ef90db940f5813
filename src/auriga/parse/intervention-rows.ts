import { Hash53, hash53OfJsonText } from '../../domain/hash.ts';
import type { Intervention, Person, PersonKind, Problem, SyncWindow } from '../../domain/types.ts';
import type { InterventionColumn } from './columns.ts';
import { type LabelResolution, resolveLabel } from './labels.ts';
import {
  type BrokenEntry,
  normaliseId,
  type ParsedPerson,
  type PeopleList,
  parseIdList,
  parsePeople,
} from './people.ts';
import { PeopleTally } from './people-tally.ts';
import { type Index, missingIdProblem, shapeProblem } from './row-problems.ts';
import { type CachedText, TextCache } from './text-cache.ts';
import { parseWallClock, type TimeResolution } from './times.ts';

/**
 * Interventions favorite rows → interventions, the people they list, and
 * problems. Pure: one bad row, cell or person never stops the others; each is
 * a Problem naming the Auriga row and what to fix (docs/rules.md §3
 * and §5).
 *
 * Rows whose Start lies outside the window are skipped before anything else
 * is checked: a favorite often holds years of history, and its old rows are
 * no concern of this run. A row whose Start cannot be read is reported, as it
 * may belong to the window.
 */

export interface InterventionParseContext {
  readonly timeZone: string;
  readonly language: string;
  readonly window: SyncWindow;
}

export interface InterventionRows {
  readonly interventions: readonly Intervention[];
  readonly learners: ReadonlyMap<string, Person>;
  readonly instructors: ReadonlyMap<string, Person>;
  readonly problems: readonly Problem[];
  /** Rows with a valid Start outside the window, skipped. */
  readonly outsideWindow: number;
}

/** Rows given a page at a time: `add` each page in order, then `finish` once. */
export interface InterventionRowParser {
  add(lines: readonly unknown[]): void;
  finish(): InterventionRows;
}

export function parseInterventionRows(
  lines: readonly unknown[],
  index: Index<InterventionColumn>,
  context: InterventionParseContext,
): InterventionRows {
  const parser = createInterventionParser(index, context);
  parser.add(lines);
  return parser.finish();
}

/**
 * The parser behind `parseInterventionRows`, fed page by page so that a
 * reader holds what it parsed of the rows, never the rows themselves. The
 * result is the same whatever the pages' sizes.
 */
export function createInterventionParser(
  index: Index<InterventionColumn>,
  context: InterventionParseContext,
): InterventionRowParser {
  const problems: Problem[] = [];
  /**
   * A digest of each id's first row (`rowDigest`), to tell a repeated row
   * from a different one with the same id without holding the row.
   */
  const firstLineById = new Map<string, number>();
  let rowCount = 0;
  const drafts: Array<{
    readonly base: Omit<Intervention, 'learners' | 'instructors'>;
    readonly learners: PeopleList;
    readonly instructors: PeopleList;
  }> = [];
  const people: Record<PersonKind, PeopleTally> = {
    learner: new PeopleTally('learner'),
    instructor: new PeopleTally('instructor'),
  };
  let outsideWindow = 0;
  const windowFrom = Date.parse(context.window.from);
  const windowTo = Date.parse(context.window.to);
  // A group's learners are listed alike on each of its interventions: a
  // cell's text is found again without hashing it whole, and parsed once
  // (about 600 distinct cells for 3,000 rows).
  const peopleCells = new TextCache<PeopleList>();
  const entries = new Map<string, ParsedPerson | BrokenEntry>();
  /** The current row's people cells as `rowDigest` found them: looked up once per row. */
  const rowPeople: Array<CachedText<PeopleList> | undefined> = [undefined, undefined];
  const readPeople = (value: unknown, slot: 0 | 1): PeopleList => {
    if (typeof value !== 'string') return parsePeople(value, entries);
    const found = rowPeople[slot];
    const cached = found !== undefined && found.text === value ? found : peopleCells.entry(value);
    cached.value ??= parsePeople(value, entries);
    return cached.value;
  };
  // A group's id list repeats as much: each text is parsed once, the list shared (frozen).
  const groupLists = new Map<string, readonly string[]>();
  const readGroups = (value: unknown): readonly string[] => {
    if (typeof value !== 'string') return Object.freeze(parseIdList(value));
    let list = groupLists.get(value);
    if (list === undefined) {
      list = Object.freeze(parseIdList(value));
      groupLists.set(value, list);
    }
    return list;
  };
  /**
   * A row's digest: `hash53` over its cells in order, a text as the digest
   * of its JSON, anything else as its JSON (`null` where JSON writes null),
   * so that two rows have the same digest when their JSON is the same, and
   * different ones otherwise but about once in 2^53. The people cells, a
   * kilobyte each, are digested once per distinct text (`peopleCells`),
   * kept only for a row in the window; no row's JSON is ever built.
   */
  const rowHasher = new Hash53();
  const peopleAt = [index.learners, index.instructors];
  const rowDigest = (line: readonly unknown[], inWindow: boolean): number => {
    rowHasher.reset();
    rowPeople[0] = undefined;
    rowPeople[1] = undefined;
    for (let at = 0; at < line.length; at++) {
      const value = line[at];
      if (typeof value === 'string') {
        const slot = peopleAt.indexOf(at);
        let digest: number;
        if (slot < 0) digest = hash53OfJsonText(value);
        else {
          const found = inWindow ? peopleCells.entry(value) : peopleCells.find(value);
          rowPeople[slot] = found;
          digest = found?.digest ?? hash53OfJsonText(value);
        }
        rowHasher.code(TEXT).digest(digest);
      } else
        rowHasher
          .code(OTHER)
          .text(JSON.stringify(value) ?? 'null')
          .code(END);
    }
    return rowHasher.value();
  };
  // Labels repeat as much (a unit, a room, a session's text): each text is resolved once.
  const labelTexts = new Map<string, LabelResolution>();
  const freeTexts = new Map<string, LabelResolution>();
  const readLabel = (value: unknown, freeText: boolean): LabelResolution => {
    if (typeof value !== 'string')
      return resolveLabel(value, context.language, freeText ? { freeText } : {});
    const cache = freeText ? freeTexts : labelTexts;
    let resolved = cache.get(value);
    if (resolved === undefined) {
      resolved = resolveLabel(value, context.language, freeText ? { freeText } : {});
      cache.set(value, resolved);
    }
    return resolved;
  };
  // Many classes start and end at the same times: each text is converted once.
  const times = new Map<string, TimeResolution>();
  const readTime = (value: unknown): TimeResolution => {
    if (typeof value !== 'string') return parseWallClock(value, context.timeZone);
    let time = times.get(value);
    if (time === undefined) {
      time = parseWallClock(value, context.timeZone);
      times.set(value, time);
    }
    return time;
  };

  const addLine = (line: unknown, rowNumber: number): void => {
    if (!Array.isArray(line)) {
      problems.push(shapeProblem('interventions', rowNumber));
      return;
    }
    const cell = (key: InterventionColumn): unknown => {
      const at = index[key];
      return at === undefined ? undefined : line[at];
    };
    const id = normaliseId(cell('id'));
    if (id === '') {
      problems.push(missingIdProblem('interventions', 'sheet', rowNumber));
      return;
    }
    const row = { favorite: 'interventions', id } as const;
    // Start is read first (cached; its problems come below, in their turn): a row outside
    // the window keeps nothing of its people.
    const start = readTime(cell('start'));
    const inside = start.ok && start.epochMs >= windowFrom && start.epochMs < windowTo;
    const digest = rowDigest(line, inside);
    const earlier = firstLineById.get(id);
    if (earlier !== undefined) {
      if (earlier !== digest) {
        problems.push({
          code: 'row.duplicate_id',
          kind: 'sheet',
          aurigaId: id,
          row,
          message: `Intervention ${id} appears on two rows of the Interventions favorite with different content: the first row is used; check the favorite's columns and filters in Auriga.`,
        });
      }
      return;
    }
    firstLineById.set(id, digest);

    if (start.ok && !inside) {
      outsideWindow += 1;
      return;
    }
    if (!start.ok) {
      problems.push(timeProblem(id, 'Start', start));
      return;
    }
    const end = readTime(cell('end'));
    if (!end.ok) {
      problems.push(timeProblem(id, 'End', end));
      return;
    }
    if (end.epochMs <= start.epochMs) {
      problems.push({
        code: 'row.end_before_start',
        kind: 'sheet',
        aurigaId: id,
        row,
        message: `Intervention ${id} ${end.epochMs === start.epochMs ? 'ends when it starts' : 'ends before it starts'} (Start ${String(cell('start')).trim()}, End ${String(cell('end')).trim()}): correct its End in Auriga; it is not synced until then.`,
      });
      return;
    }

    const label = (key: InterventionColumn, name: string): string | undefined => {
      const resolved = readLabel(cell(key), false);
      if (resolved.ok) return resolved.value;
      problems.push({
        code: 'row.bad_label',
        kind: 'sheet',
        aurigaId: id,
        row,
        message: `The ${name} of intervention ${id} cannot be read (${resolved.reason}): correct it in Auriga; the sheet is synced without it.`,
      });
      return undefined;
    };
    const activityType = label('activityType', 'Activity Type.Label');
    const educationalUnit = label('educationalUnit', 'Educational Unit.Label');
    const resourceLabel = label('resourceLabel', 'Resource.Label');
    const resourceCode = label('resourceCode', 'Resource.Code');
    const described = readLabel(cell('description'), true);
    const description = described.ok ? described.value : undefined;

    const listed = (kind: PersonKind, key: 'learners' | 'instructors'): PeopleList => {
      const list = readPeople(cell(key), key === 'learners' ? 0 : 1);
      for (const entry of list.broken) {
        problems.push({
          code: 'person.broken_entry',
          kind: entry.id === undefined ? 'sheet' : kind,
          aurigaId: entry.id ?? id,
          row,
          message: `The ${kind} entry "${entry.text}" on intervention ${id} cannot be read: ${entry.reason}. Correct it in Auriga; the rest of the intervention is synced.`,
        });
      }
      people[kind].use(list, id);
      return list;
    };
    const learners = listed('learner', 'learners');
    const instructors = listed('instructor', 'instructors');

    drafts.push({
      base: {
        id,
        start: start.instant,
        end: end.instant,
        activityType,
        educationalUnit,
        description,
        resourceLabel,
        resourceCode,
        groups: readGroups(cell('groups')),
      },
      learners,
      instructors,
    });
  };

  return {
    add(lines) {
      for (const line of lines) {
        rowCount += 1;
        addLine(line, rowCount);
      }
    },
    finish() {
      const learners = people.learner.settle(problems);
      const instructors = people.instructor.settle(problems);
      const interventions = drafts.map(({ base, learners: l, instructors: i }) =>
        Object.freeze({
          ...base,
          learners: people.learner.usableIds(l),
          instructors: people.instructor.usableIds(i),
          groups: Object.freeze(base.groups),
        }),
      );
      return { interventions, learners, instructors, problems, outsideWindow };
    },
  };
}

/** What starts each cell in a row's digest: a text's digest, or another value's JSON (which never holds a raw U+0000). */
const TEXT = 1;
const OTHER = 2;
const END = 0;

function timeProblem(
  id: string,
  column: 'Start' | 'End',
  result: Extract<TimeResolution, { ok: false }>,
): Problem {
  return {
    code: result.code === 'nonexistent_time' ? 'row.nonexistent_time' : 'row.bad_time',
    kind: 'sheet',
    aurigaId: id,
    row: { favorite: 'interventions', id },
    message: `The ${column} of intervention ${id} cannot be used: ${result.reason}. Correct it in Auriga; the intervention is not synced until then.`,
  };
}
