import type { Group, Problem } from '../../domain/types.ts';
import type { GroupColumn } from './columns.ts';
import { resolveLabel } from './labels.ts';
import { normaliseId, parseIdList } from './people.ts';
import { type Index, missingIdProblem, shapeProblem } from './row-problems.ts';

/**
 * Groups favorite rows → groups and problems (docs/rules.md §6). Pure:
 * a bad row is a Problem, the others are read.
 */

export interface GroupRows {
  readonly groups: readonly Group[];
  readonly problems: readonly Problem[];
}

export function parseGroupRows(
  lines: readonly unknown[],
  index: Index<GroupColumn>,
  language: string,
): GroupRows {
  const problems: Problem[] = [];
  const groups: Group[] = [];
  const seen = new Set<string>();
  lines.forEach((line, position) => {
    const rowNumber = position + 1;
    if (!Array.isArray(line)) {
      problems.push(shapeProblem('groups', rowNumber));
      return;
    }
    const cell = (key: GroupColumn): unknown => {
      const at = index[key];
      return at === undefined ? undefined : line[at];
    };
    const id = normaliseId(cell('id'));
    if (id === '') {
      problems.push(missingIdProblem('groups', 'group', rowNumber));
      return;
    }
    if (seen.has(id)) return;
    seen.add(id);
    const row = { favorite: 'groups', id } as const;
    const label = resolveLabel(cell('label'), language);
    if (!label.ok) {
      problems.push({
        code: 'row.bad_label',
        kind: 'group',
        aurigaId: id,
        row,
        message: `The Label of group ${id} cannot be read (${label.reason}): correct it in Auriga.`,
      });
    }
    const codeCell = resolveLabel(cell('code'), language);
    const code = codeCell.ok ? codeCell.value : undefined;
    const name = (label.ok ? label.value : undefined) ?? code;
    if (name === undefined) {
      problems.push({
        code: 'group.missing_label',
        kind: 'group',
        aurigaId: id,
        row,
        message: `Group ${id} has no Label${label.ok ? '' : ' that can be read'} and no Code to name it on Edusign: give it a label in Auriga; it is not synced until then.`,
      });
      return;
    }
    groups.push(
      Object.freeze({
        id,
        name,
        code,
        learners: Object.freeze(parseIdList(cell('learners'))),
      }),
    );
  });
  return { groups, problems };
}
