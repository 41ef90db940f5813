import type { Config } from '../config/schema.ts';
import { type DoctorDeps, runDoctor } from '../doctor/checks.ts';
import type { DoctorStep } from '../doctor/steps.ts';

/** Walk the school's prerequisites, writing nothing: `doctor`, the console's Check. */
export function doctorSchool(config: Config, deps: DoctorDeps = {}): Promise<DoctorStep[]> {
  return runDoctor(config, deps);
}
