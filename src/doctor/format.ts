import { allPassed, type DoctorStep } from './steps.ts';

const MARK: Readonly<Record<DoctorStep['status'], string>> = Object.freeze({
  passed: '✔',
  failed: '✘',
  skipped: '○',
});

/** One line a step: `✔ Title: detail`, `✘ Title: detail → Fix: fix`, `○ Title: skipped, reason`. */
export function formatStep(step: DoctorStep): string {
  const detail = step.status === 'skipped' ? `skipped, ${step.detail}` : step.detail;
  const fix = step.status === 'failed' && step.fix ? ` → Fix: ${step.fix}` : '';
  return `${MARK[step.status]} ${step.title}: ${detail}${fix}`;
}

export function formatDoctor(school: string, steps: readonly DoctorStep[]): string {
  const failures = steps.filter((s) => s.status === 'failed').length;
  const summary = allPassed(steps)
    ? `All prerequisites of "${school}" are met.`
    : `${failures} check${failures > 1 ? 's' : ''} failed: fix ${failures > 1 ? 'them in order' : 'it'}, then run doctor again.`;
  return `${steps.map(formatStep).join('\n')}\n${summary}\n`;
}
