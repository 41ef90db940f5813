import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

/**
 * The layering, checked on the sources (docs/design.md):
 *
 * - the core (domain, rules, the Auriga parser, the plan and what it is made
 *   of) imports no IO and nothing from the edges: no HTTP client, no store
 *   backend, no CLI, no sandbox, no network or file-system module;
 * - the sync speaks our payloads: nothing under src/sync imports src/edusign
 *   (the v1 and v3 implementations of its port live there);
 * - nothing outside src/cli imports src/cli: the CLI is one face among
 *   others of the application layer (src/app);
 * - product code never imports src/sandbox (only tests, benchmarks, the demo
 *   and the `sandbox` command do).
 */

const SRC = import.meta.dirname;
const ROOT = path.resolve(SRC, '..');

const CORE = [
  'domain',
  'rules',
  'auriga/parse',
  'sync/plan.ts',
  'sync/fingerprint.ts',
  'sync/operations.ts',
];
/** What a core module may import: itself and other core modules, types of the ports, pure libraries. */
const CORE_ALLOWED = [
  /^\.\.?\/(?!.*(edusign|sandbox|cli|serve|app|queue|http|store\/(sqlite|postgres))\/)/,
  /^temporal-polyfill$/,
  /^node:crypto$/,
];
const TYPE_ONLY_EDGES = [/store\/port\.ts$/, /config\/schema\.ts$/, /sync\/ports\.ts$/];

interface Import {
  /** Relative to the repository, e.g. `src/sync/run.ts`. */
  readonly file: string;
  readonly specifier: string;
  /** The import's target, relative to the repository, when it is a relative path. */
  readonly target: string | undefined;
  readonly typeOnly: boolean;
}

function sourceFiles(dir: string, { tests = false } = {}): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && (tests || !f.endsWith('.test.ts')))
    .map((f) => path.join(dir, f));
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const match of text.matchAll(
    /^(?:import|export)\s+(type\s+)?(?:[^;]*?\s+from\s+)?'([^']+)'/gms,
  )) {
    const [, typeOnly, specifier = ''] = match;
    out.push({
      file: path.relative(ROOT, file),
      specifier,
      target: specifier.startsWith('.')
        ? path.relative(ROOT, path.resolve(path.dirname(file), specifier))
        : undefined,
      typeOnly: typeOnly !== undefined,
    });
  }
  return out;
}

const within = (target: string | undefined, dir: string) =>
  target !== undefined && (target === dir || target.startsWith(`${dir}/`));

/** The offences a rule finds among some files' imports. */
function offences(files: readonly string[], bad: (i: Import) => string | undefined): string[] {
  const found: string[] = [];
  for (const file of files)
    for (const i of importsOf(file)) {
      const why = bad(i);
      if (why !== undefined)
        found.push(`${i.file} imports ${i.specifier}${why ? ` (${why})` : ''}`);
    }
  return found;
}

describe('architecture', () => {
  test('the core imports no edge and no IO', () => {
    const files = CORE.flatMap((entry) => {
      const full = path.join(SRC, entry);
      return entry.endsWith('.ts') ? [full] : sourceFiles(full);
    });
    assert.ok(files.length >= 15, `${files.length} core files checked`);
    const found = offences(files, (i) => {
      if (TYPE_ONLY_EDGES.some((re) => re.test(i.specifier)))
        return i.typeOnly ? undefined : 'only its types may be imported';
      return CORE_ALLOWED.some((re) => re.test(i.specifier)) ? undefined : '';
    });
    assert.deepEqual(found, []);
  });

  test('the sync imports nothing from src/edusign', () => {
    const files = sourceFiles(path.join(SRC, 'sync'), { tests: true });
    const found = offences(files, (i) => (within(i.target, 'src/edusign') ? '' : undefined));
    assert.deepEqual(found, []);
  });

  test('nothing outside src/cli imports src/cli', () => {
    const files = [
      ...sourceFiles(SRC, { tests: true }).filter(
        (f) => !within(path.relative(ROOT, f), 'src/cli'),
      ),
      ...sourceFiles(path.join(ROOT, 'bench')),
    ];
    const found = offences(files, (i) => (within(i.target, 'src/cli') ? '' : undefined));
    assert.deepEqual(found, []);
  });

  test('product code never imports src/sandbox', () => {
    // The demo and the `sandbox` command start the sandboxes on purpose.
    const faces = new Set(['src/cli/commands/demo.ts', 'src/cli/commands/sandbox.ts']);
    const files = sourceFiles(SRC).filter((f) => {
      const relative = path.relative(ROOT, f);
      return !within(relative, 'src/sandbox') && !faces.has(relative);
    });
    const found = offences(files, (i) => (within(i.target, 'src/sandbox') ? '' : undefined));
    assert.deepEqual(found, []);
  });

  test('the checks see a forbidden import (a planted one is found)', () => {
    const planted: Import = {
      file: 'src/sync/plan.ts',
      specifier: '../edusign/client.ts',
      target: 'src/edusign/client.ts',
      typeOnly: false,
    };
    assert.ok(within(planted.target, 'src/edusign'));
    assert.ok(!CORE_ALLOWED.some((re) => re.test('../edusign/v1/port.ts')));
    assert.ok(!CORE_ALLOWED.some((re) => re.test('node:fs')));
  });
});
