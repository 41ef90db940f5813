import { DEPENDS_ON, type DoctorStep, type DoctorStepId, STEP_IDS, skippedAfter } from './steps.ts';

/** A chain of steps: once one fails, those depending on it are skipped. */
export class Steps {
  readonly list: DoctorStep[] = [];
  add(step: DoctorStep): DoctorStep {
    this.list.push(step);
    return step;
  }
  ok(id: DoctorStepId): boolean {
    return this.list.find((s) => s.id === id)?.status === 'passed';
  }
  /** Skip `ids` whose prerequisite did not pass; true when all of `ids` were skipped. */
  skipUnmet(...ids: DoctorStepId[]): boolean {
    let all = true;
    for (const id of ids) {
      const before = DEPENDS_ON[id];
      if (before !== undefined && !this.ok(before)) this.add(skippedAfter(id, before));
      else all = false;
    }
    return all;
  }
  /** Skip what is left of the Keycloak and Auriga chain from `from` on. */
  skipRest(from: DoctorStepId): void {
    const ids = STEP_IDS.slice(STEP_IDS.indexOf(from));
    for (const id of ids) {
      if (!id.startsWith('keycloak.') && !id.startsWith('auriga.')) continue;
      if (!this.list.some((s) => s.id === id)) this.skipUnmet(id);
    }
  }
}
