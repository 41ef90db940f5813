import type { SchoolStore } from '../store/port.ts';
import { type ExplainLang, type Explanation, explain, type Subject } from './explain.ts';

/** How many recent runs an explanation looks through. A school runs twice a day: five days. */
export const DEFAULT_RUNS = 10;

/** Read the mapping and the recent runs of one school and explain one record from them. */
export async function explainFromStore(
  store: SchoolStore,
  input: {
    readonly subject: Subject;
    readonly aurigaId: string;
    readonly timeZone: string;
    /** @default 10 */
    readonly runs?: number;
    /** @default 'en' */
    readonly lang?: ExplainLang;
  },
): Promise<Explanation> {
  // Dry runs are skipped by `explain`: ask for a few more so that previews do not crowd out real runs.
  const limit = input.runs ?? DEFAULT_RUNS;
  const [mapping, runs] = await Promise.all([
    store.getMapping(input.subject, input.aurigaId),
    store.recentRuns(limit * 2),
  ]);
  return explain({
    subject: input.subject,
    aurigaId: input.aurigaId,
    school: store.school,
    timeZone: input.timeZone,
    ...(input.lang === undefined ? {} : { lang: input.lang }),
    mapping,
    runs: runs.filter((run) => !run.dryRun).slice(0, limit),
  });
}

/** The explanation as a school admin reads it on a terminal. */
export function formatExplanation(explanation: Explanation): string {
  return `${explanation.sentences.join('\n')}\n`;
}
