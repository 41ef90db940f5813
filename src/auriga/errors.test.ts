import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, TransientError } from '../errors/app-error.ts';
import {
  AURIGA_ERROR_CODES,
  AurigaError,
  aurigaError,
  aurigaErrorKind,
  isAurigaError,
} from './errors.ts';

test('the class follows the code: configuration, transient, or a plain AurigaError', () => {
  const config = aurigaError('auriga.invalid_credentials', 'wrong password');
  assert.ok(config instanceof ConfigError);
  assert.equal(config.name, 'ConfigError');
  const transient = aurigaError('auriga.keycloak_unreachable', 'no answer', { cause: 'x' });
  assert.ok(transient instanceof TransientError);
  assert.equal(transient.cause, 'x');
  const plain = aurigaError('auriga.html_answer', 'a login page');
  assert.ok(plain instanceof AurigaError);
  assert.equal(plain.name, 'AurigaError');
  for (const error of [config, transient, plain]) assert.ok(isAurigaError(error));
  assert.ok(isAurigaError(plain, 'auriga.html_answer'));
  assert.ok(!isAurigaError(plain, 'auriga.bad_answer'));
  assert.ok(!isAurigaError(new ConfigError('auriga.invalid_credentials', 'not ours')));
});

test('every auriga.* code the Auriga side throws is in the union, and each has a kind', () => {
  const dir = import.meta.dirname;
  const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('parse'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
  const thrown = new Set([...sources.matchAll(/'(auriga\.[a-z_]+)'/g)].map((m) => m[1]));
  const known = new Set<string>(AURIGA_ERROR_CODES);
  assert.ok(thrown.size >= 20, `${thrown.size} codes found`);
  assert.deepEqual(
    [...thrown].filter((c) => c !== undefined && !known.has(c)),
    [],
  );
  for (const code of AURIGA_ERROR_CODES) assert.ok(aurigaErrorKind(code));
});
