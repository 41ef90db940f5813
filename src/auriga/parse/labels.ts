import { showCell } from './cells.ts';

/**
 * Multilingual labels. Auriga gives a label as an object `{fr, en}`, as the
 * JSON text of one, or as plain text. A label resolves to the school's
 * language, then `fr`, then `en`, then any non-empty value
 * (docs/rules.md §3).
 *
 * Decision: a cell whose text starts with `{` but is not a JSON object is a
 * problem, and the label is treated as absent: a broken `{"fr": "Digital Eth`
 * must not become a course name on Edusign. Free-text cells (the session's
 * description) use `freeText`, where such text is kept as typed.
 */

export type LabelResolution =
  | { readonly ok: true; readonly value: string | undefined }
  | { readonly ok: false; readonly reason: string };

export interface LabelOptions {
  /**
   * A free-text cell: text that looks like broken JSON is kept as typed
   * instead of failing, and line breaks inside the text are kept. @default false
   */
  readonly freeText?: boolean;
}

const FALLBACK_LANGUAGES = ['fr', 'en'] as const;

/** Resolve one cell to a label in `language`; never throws. */
export function resolveLabel(
  cell: unknown,
  language: string,
  options: LabelOptions = {},
): LabelResolution {
  if (cell === null || cell === undefined) return { ok: true, value: undefined };
  if (typeof cell === 'number' || typeof cell === 'boolean' || typeof cell === 'bigint') {
    return { ok: true, value: String(cell) };
  }
  if (typeof cell === 'string') return resolveText(cell, language, options);
  if (Array.isArray(cell)) {
    return { ok: false, reason: 'a list was given where a label was expected' };
  }
  if (typeof cell === 'object') return { ok: true, value: pickLanguage(cell, language) };
  return { ok: false, reason: `a ${typeof cell} was given where a label was expected` };
}

function resolveText(text: string, language: string, options: LabelOptions): LabelResolution {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  const plain = options.freeText ? trimmed : cleanText(trimmed);
  if (!trimmed.startsWith('{')) return { ok: true, value: plain };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    if (options.freeText) return { ok: true, value: plain };
    return {
      ok: false,
      reason: `"${shorten(trimmed)}" looks like a multilingual label but is not valid JSON`,
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    if (options.freeText) return { ok: true, value: plain };
    return { ok: false, reason: `"${shorten(trimmed)}" is not a multilingual label` };
  }
  return { ok: true, value: pickLanguage(parsed, language) };
}

/**
 * The language rule over an object's entries; keys compare without case
 * (`FR`, `fr`), the first of a key kept. A value counts when it is not blank;
 * only the one chosen is cleaned (it runs on every row's label objects).
 */
export function pickLanguage(labels: object, language: string): string | undefined {
  const keys: string[] = [];
  const values: string[] = [];
  for (const [key, raw] of Object.entries(labels)) {
    const value = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : undefined;
    // Blank once cleaned exactly when blank once trimmed: both take away the same white space.
    if (value === undefined || value.trim() === '') continue;
    const lower = key.toLowerCase();
    if (!keys.includes(lower)) {
      keys.push(lower);
      values.push(value);
    }
  }
  for (const wanted of [language.toLowerCase(), ...FALLBACK_LANGUAGES]) {
    const exact = keys.indexOf(wanted);
    if (exact >= 0) return cleanText(values[exact] as string);
    // `fr_FR`, `fr-BE`: a regional key stands for its language.
    const regional = keys.findIndex((key) => key.split(/[-_]/)[0] === wanted);
    if (regional >= 0) return cleanText(values[regional] as string);
  }
  return values.length === 0 ? undefined : cleanText(values[0] as string);
}

/** Trim and collapse runs of white space (line breaks typed in a cell included). */
export function cleanText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const shorten = (text: string): string => showCell(text, 60);
