/**
 * Favorite rows → domain values and problems, one file per favorite:
 * intervention-rows.ts, group-rows.ts, with the people tally in
 * people-tally.ts. Kept as the entry point callers import.
 */
export { compareIds } from '../../domain/compare-ids.ts';
export {
  createGroupParser,
  type GroupRowParser,
  type GroupRows,
  parseGroupRows,
} from './group-rows.ts';
export {
  createInterventionParser,
  type InterventionParseContext,
  type InterventionRowParser,
  type InterventionRows,
  parseInterventionRows,
} from './intervention-rows.ts';
