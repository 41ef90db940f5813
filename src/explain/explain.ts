import { type DeriveInput, deriveExplanation, type ExplanationData } from './derive.ts';
import { type ExplainLang, sentencesOf } from './sentences.ts';

/**
 * Why a learner, an instructor or a sheet is (or is not) on Edusign, told
 * from what the sync remembers: the mapping and the reports of the last
 * runs. Answers the seed's FAQ "why don't the instructors and/or learners
 * appear on Edusign?" and "why do learners appear duplicated?"
 * (docs/rules.md §5 and §9). Pure: no IO, the caller hands in the
 * store's records. The answer is derived (derive.ts), then written
 * (sentences.ts).
 */

export type {
  EventKind,
  ExplainEvent,
  ExplanationData,
  ExplanationState,
  NotCreatedReason,
  RunSummary,
  Subject,
} from './derive.ts';
export { SUBJECTS } from './derive.ts';
export { type ExplainLang, localTime } from './sentences.ts';

export interface Explanation extends ExplanationData {
  /** The answer in a few plain sentences for a school admin. */
  readonly sentences: readonly string[];
}

export interface ExplainInput extends DeriveInput {
  /** The school's zone: dates in the sentences are its wall-clock times, with the zone named. */
  readonly timeZone: string;
  /** The sentences' language; the report's own sentences they quote stay in English. @default 'en' */
  readonly lang?: ExplainLang;
}

export function explain(input: ExplainInput): Explanation {
  const data = deriveExplanation(input);
  return { ...data, sentences: sentencesOf(data, input.timeZone, input.lang) };
}
