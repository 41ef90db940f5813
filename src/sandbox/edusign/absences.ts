import { readPage } from './fields.ts';
import { fail, type Outcome, ok } from './outcome.ts';
import { pageOf } from './table.ts';

/** Absence motives and justified absences: read-only on the API. */

export interface AbsenceReason {
  ID: string;
  NAME: string;
}

export interface JustifiedAbsence {
  ID: string;
  STUDENT_ID: string;
  START: string;
  END: string;
  /** The absence reason's ID. */
  TYPE: string;
  COMMENT: string;
}

/** Page size of the justified-absence listing (assumed). */
export const JUSTIFIED_ABSENCES_PAGE_SIZE = 100;

export const DEFAULT_ABSENCE_REASONS: readonly AbsenceReason[] = Object.freeze([
  { ID: '64b0c1d2e3f4a5b6c7d8e901', NAME: 'Maladie' },
  { ID: '64b0c1d2e3f4a5b6c7d8e902', NAME: 'Retard transport' },
  { ID: '64b0c1d2e3f4a5b6c7d8e903', NAME: 'Rendez-vous médical' },
  { ID: '64b0c1d2e3f4a5b6c7d8e904', NAME: 'Raison familiale' },
]);

export class Absences {
  readonly reasons: AbsenceReason[];
  readonly justified: JustifiedAbsence[] = [];

  constructor(reasons: readonly AbsenceReason[] = DEFAULT_ABSENCE_REASONS) {
    this.reasons = reasons.map((r) => ({ ID: r.ID, NAME: r.NAME }));
  }

  absenceReasons(): Outcome<AbsenceReason[]> {
    return ok(structuredClone(this.reasons));
  }

  listJustified(query: Record<string, unknown>): Outcome<JustifiedAbsence[]> {
    const page = readPage(query.page);
    if (typeof page === 'string') return fail([page]);
    return ok(structuredClone(pageOf(this.justified, page, JUSTIFIED_ABSENCES_PAGE_SIZE)));
  }
}
