import type { Intervention, Person, PersonKind, Problem, SyncWindow } from '../../domain/types.ts';
import type { InterventionColumn } from './columns.ts';
import { resolveLabel } from './labels.ts';
import {
  type BrokenEntry,
  normaliseId,
  type ParsedPerson,
  type PeopleList,
  parseIdList,
  parsePeople,
} from './people.ts';
import { PeopleTally } from './people-tally.ts';
import { type Cells, type Index, missingIdProblem, shapeProblem } from './row-problems.ts';
import { parseWallClock, type TimeResolution } from './times.ts';
import { inWindow } from './window.ts';

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

export function parseInterventionRows(
  lines: readonly unknown[],
  index: Index<InterventionColumn>,
  context: InterventionParseContext,
): InterventionRows {
  const problems: Problem[] = [];
  const firstLineById = new Map<string, Cells>();
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
  // A group's learners are listed alike on each of its interventions: a
  // cell's text is parsed once (about 600 distinct cells for 3,000 rows).
  const peopleByCell = new Map<string, PeopleList>();
  const entries = new Map<string, ParsedPerson | BrokenEntry>();
  const readPeople = (value: unknown): PeopleList => {
    if (typeof value !== 'string') return parsePeople(value, entries);
    let list = peopleByCell.get(value);
    if (list === undefined) {
      list = parsePeople(value, entries);
      peopleByCell.set(value, list);
    }
    return list;
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

  lines.forEach((line, position) => {
    const rowNumber = position + 1;
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
    const earlier = firstLineById.get(id);
    if (earlier !== undefined) {
      if (JSON.stringify(earlier) !== JSON.stringify(line)) {
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
    firstLineById.set(id, line);

    const start = readTime(cell('start'));
    if (start.ok && !inWindow(context.window, start.epochMs)) {
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
      const resolved = resolveLabel(cell(key), context.language);
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
    const described = resolveLabel(cell('description'), context.language, { freeText: true });
    const description = described.ok ? described.value : undefined;

    const listed = (kind: PersonKind, key: InterventionColumn): PeopleList => {
      const list = readPeople(cell(key));
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
        groups: parseIdList(cell('groups')),
      },
      learners,
      instructors,
    });
  });

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
}

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
