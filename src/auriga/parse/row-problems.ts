import type { Favorite, Problem } from '../../domain/types.ts';
import type { ColumnMatch } from './columns.ts';

/** What the interventions and groups rows share: a row's cells, and the problems of a row as a whole. */

export type Cells = readonly unknown[];
export type Index<K extends string> = ColumnMatch<K>['index'];

const FAVORITE_NAME: Record<Favorite, string> = {
  interventions: 'Interventions',
  groups: 'Groups',
};

export function missingIdProblem(
  favorite: Favorite,
  kind: 'sheet' | 'group',
  rowNumber: number,
): Problem {
  const ref = `#${rowNumber}`;
  return {
    code: 'row.missing_id',
    kind,
    aurigaId: ref,
    row: { favorite, id: ref },
    message: `Row ${rowNumber} of the ${FAVORITE_NAME[favorite]} favorite has no ID: it is skipped; check that the favorite's ID column is filled.`,
  };
}

export function shapeProblem(favorite: Favorite, rowNumber: number): Problem {
  const ref = `#${rowNumber}`;
  return {
    code: 'row.bad_shape',
    kind: favorite === 'groups' ? 'group' : 'sheet',
    aurigaId: ref,
    row: { favorite, id: ref },
    message: `Row ${rowNumber} of the ${FAVORITE_NAME[favorite]} favorite is not a list of cells: it is skipped; this is unusual for Auriga, check the favorite.`,
  };
}
