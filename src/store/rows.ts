import type { EntityKind } from '../domain/types.ts';
import type { JournalEntry, Mapping, MappingOrigin, RunOutcome, RunRecord } from './port.ts';

/**
 * Rows as both backends select them: snake_case columns, instants already as
 * `toISOString()` text, the report as JSON text. One conversion to the port's
 * values, so both stores hand back the same shapes.
 */

export interface MappingRow {
  kind: string;
  auriga_id: string;
  edusign_id: string;
  fingerprint: string;
  origin: string;
  course_start: string | null;
  created_at: string;
  updated_at: string;
}

export interface JournalRow {
  id: string;
  run_id: string;
  kind: string;
  auriga_id: string;
  action: string;
  fingerprint: string;
  started_at: string;
}

export interface RunRow {
  id: string;
  started_at: string;
  finished_at: string | null;
  outcome: string;
  /** SQLite has no boolean: 0 or 1 there. */
  dry_run: boolean | number;
  report: string | null;
}

export const toMapping = (row: MappingRow): Mapping => ({
  kind: row.kind as EntityKind,
  aurigaId: row.auriga_id,
  edusignId: row.edusign_id,
  fingerprint: row.fingerprint,
  origin: row.origin as MappingOrigin,
  courseStart: row.course_start,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toJournalEntry = (row: JournalRow): JournalEntry => ({
  id: row.id,
  runId: row.run_id,
  kind: row.kind as EntityKind,
  aurigaId: row.auriga_id,
  action: row.action as JournalEntry['action'],
  fingerprint: row.fingerprint,
  startedAt: row.started_at,
});

export const toRun = (row: RunRow): RunRecord => ({
  id: row.id,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  outcome: row.outcome as RunOutcome,
  dryRun: row.dry_run === true || row.dry_run === 1,
  report: row.report === null ? null : JSON.parse(row.report),
});

/** A mapping's values in the column order of both backends' `putMapping`, the school first. */
export const mappingValues = (school: string, m: Mapping): Array<string | null> => [
  school,
  m.kind,
  m.aurigaId,
  m.edusignId,
  m.fingerprint,
  m.origin,
  m.courseStart,
  m.createdAt,
  m.updatedAt,
];
