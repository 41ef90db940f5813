import type { z } from 'zod';
import { closestKey, expectedAt, isSecretKey, type KeyPath, keysAt, valueKindAt } from './keys.ts';

/**
 * zod's issues turned into lines a school admin can act on: the key, what it
 * takes, what was given (never a secret's value) and the fix; and when the
 * value came from an environment override, the variable that set it, since
 * the file is then not where the mistake is.
 */

/** An environment variable that set a key (`AURIGA_EDUSIGN__OPTIONS__WINDOW_DAYS` sets options.windowDays). */
export interface EnvOverride {
  readonly variable: string;
  readonly path: readonly string[];
}

export interface IssueLine {
  readonly text: string;
  /** The environment variable the mistake is in, when it is in one. */
  readonly variable: string | undefined;
}

export interface IssueContext {
  /** What was validated: the file's content with the overrides applied. */
  readonly input: unknown;
  readonly overrides: readonly EnvOverride[];
  /** How the variable for a key is spelled, to suggest the right one. */
  readonly variableFor: (path: readonly string[]) => string;
}

export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  context: IssueContext,
): IssueLine[] {
  return issues.flatMap((issue) => describeIssue(issue, context));
}

function describeIssue(issue: z.core.$ZodIssue, context: IssueContext): IssueLine[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = [...issue.path.map(String), key];
      const dotted = path.join('.');
      const variable = overrideOf(path, context.overrides);
      const meant = closestKey(key, keysAt(issue.path));
      if (variable !== undefined) {
        const suggestion = meant
          ? ` (did you mean ${context.variableFor([...path.slice(0, -1), meant])}?)`
          : '';
        return {
          variable,
          text: `${variable}: unknown key ${dotted}; unset the variable or correct its name${suggestion}`,
        };
      }
      const suggestion = meant ? ` (did you mean ${[...path.slice(0, -1), meant].join('.')}?)` : '';
      return {
        variable,
        text: `${dotted}: unknown key; remove it or correct its spelling${suggestion}, see examples/school.example.yaml`,
      };
    });
  }
  const path = issue.path;
  const key = path.map(String).join('.') || '(top level)';
  const variable = overrideOf(path.map(String), context.overrides);
  const subject = variable === undefined ? key : `${variable} (${key})`;
  const given = valueAt(context.input, path);
  const secret = isSecretKey(path);
  const shown = show(given, secret);
  const expected = expectedAt(path);
  const line = (text: string): IssueLine[] => [{ variable, text: `${subject}: ${text}` }];

  const wrongValue = issue.code === 'invalid_type' || issue.code === 'invalid_union';
  if (wrongValue && given === undefined) return line('is required but missing; add it');
  if (wrongValue || issue.code === 'invalid_value') {
    const what = expected ?? issue.message;
    const fix =
      variable !== undefined ? `set ${variable} to ${what}` : fileFix(path, given, secret);
    return line(`expected ${what}, got ${shown}; ${fix}`);
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && issue.origin === 'number') {
    return line(`expected ${expected ?? issue.message}, got ${shown}`);
  }
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) {
    return line(
      `must not be empty; ${variable ? `set ${variable} to a value` : 'give it a value'}`,
    );
  }
  if (issue.code === 'too_small' && issue.origin === 'array') {
    return line(`must list at least ${issue.minimum} ${issue.minimum === 1 ? 'entry' : 'entries'}`);
  }
  const scalar = typeof given === 'string' || typeof given === 'number';
  return line(`${issue.message}${scalar && !secret ? `, got ${shown}` : ''}`);
}

/** The fix for a value of the wrong type written in the file. */
function fileFix(path: KeyPath, given: unknown, secret: boolean): string {
  const kind = valueKindAt(path);
  if (kind === 'boolean') return 'write true or false, without quotes';
  if (kind === 'number') return 'write the number without quotes';
  const scalar = typeof given === 'number' || typeof given === 'boolean';
  if (secret && expectedAt(path)?.includes('{ env'))
    return `${scalar ? 'write the secret in quotes' : 'write the secret as text'}, or give it as { env: VARIABLE } or { file: PATH }`;
  if (kind === 'text' && scalar) return 'write it in quotes';
  return 'see examples/school.example.yaml';
}

/** The variable that set this key, or the part of the configuration holding it, or a key under it. */
function overrideOf(
  path: readonly string[],
  overrides: readonly EnvOverride[],
): string | undefined {
  const within = (outer: readonly string[], inner: readonly string[]) =>
    outer.length <= inner.length && outer.every((part, i) => part === inner[i]);
  let best: EnvOverride | undefined;
  for (const override of overrides) {
    if (!within(override.path, path) && !within(path, override.path)) continue;
    if (best === undefined || override.path.length > best.path.length) best = override;
  }
  return best?.variable;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** The value given, as an error shows it: a secret only by its shape. */
function show(value: unknown, secret: boolean): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty mapping' : `a mapping with the keys ${keys.join(', ')}`;
  }
  if (secret) {
    const notShown = '(not shown: it is a secret)';
    if (value === '') return 'empty text';
    if (typeof value === 'string') return `text ${notShown}`;
    if (typeof value === 'number') return `a number ${notShown}`;
    return `a ${typeof value} ${notShown}`;
  }
  if (typeof value === 'string') {
    const text = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return JSON.stringify(text);
  }
  return String(value);
}
