import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/**
 * The pure core (domain, parsing, mapping, planning) never imports the edges:
 * no HTTP client, no store backend, no CLI, no sandbox, no network or file
 * system module. Type-only imports of the ports it is given are allowed.
 */

const SRC = import.meta.dirname;
const CORE = [
  'domain',
  'rules',
  'auriga/parse',
  'sync/plan.ts',
  'sync/fingerprint.ts',
  'sync/operations.ts',
];
/** What a core module may import: itself, the domain, the ports' types, pure libraries. */
const ALLOWED = [
  /^\.\.?\/(?!.*(edusign|sandbox|cli|serve|store\/(sqlite|postgres))\/)/,
  /^temporal-polyfill$/,
  /^node:crypto$/,
];
const TYPE_ONLY_EDGES = [/store\/port\.ts$/, /config\/schema\.ts$/, /sync\/ports\.ts$/];

function files(entry: string): string[] {
  const full = path.join(SRC, entry);
  if (entry.endsWith('.ts')) return [full];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(full, f));
}

test('the core imports no edge', () => {
  const offences: string[] = [];
  let checked = 0;
  for (const file of CORE.flatMap(files)) {
    checked += 1;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) {
      const [, typeOnly, specifier = ''] = match;
      const where = `${path.relative(SRC, file)} imports ${specifier}`;
      if (TYPE_ONLY_EDGES.some((re) => re.test(specifier))) {
        if (!typeOnly) offences.push(`${where} (only its types may be imported)`);
        continue;
      }
      if (!ALLOWED.some((re) => re.test(specifier))) offences.push(where);
    }
  }
  assert.ok(checked >= 10, `${checked} core files checked`);
  assert.deepEqual(offences, []);
});
