import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError, ConfigError } from '../errors/app-error.ts';

/**
 * The fleet's secrets at rest: every school's Auriga client secret and
 * password, Edusign token and other secret settings are stored encrypted
 * with AES-256-GCM under a key that only the processes hold
 * (`AURIGA_EDUSIGN_SECRET_KEY`), never the database. A dump of the database
 * alone reveals no secret.
 *
 * A value is `enc:v1:<key id>:<base64 of iv | tag | ciphertext>`. The key id
 * (a hash of the key, not the key) says which key sealed it, so that
 * `secrets rotate` can re-seal under a new key while the previous one is
 * still given (`AURIGA_EDUSIGN_SECRET_KEY_PREVIOUS`). The additional data
 * binds a value to its school and setting: a sealed token copied onto another
 * school or another key does not open.
 */

export const KEY_VARIABLE = 'AURIGA_EDUSIGN_SECRET_KEY';
export const PREVIOUS_KEY_VARIABLE = 'AURIGA_EDUSIGN_SECRET_KEY_PREVIOUS';
const PREFIX = 'enc:v1:';
/** GCM's recommended nonce length; random per value, so 2^32 values per key stay far from a collision. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretKey {
  /** 16 hex digits of a hash of the key: names it in stored values without revealing it. */
  readonly id: string;
  readonly bytes: Buffer;
}

export interface SecretKeys {
  /** Seals every new value. */
  readonly current: SecretKey;
  /** Opens values sealed before a rotation; never seals. */
  readonly previous?: SecretKey | undefined;
}

const HOW_TO_MAKE = 'make one with `openssl rand -base64 32`';

/** A key from its text: 64 hex digits or the base64 of 32 bytes. */
export function parseKey(text: string, variable: string): SecretKey {
  const trimmed = text.trim();
  let bytes: Buffer | undefined;
  if (/^[0-9a-f]{64}$/i.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const decoded = Buffer.from(trimmed.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
    if (decoded.length === 32) bytes = decoded;
  }
  if (bytes === undefined) {
    // The value itself is never repeated: it may be a real key mistyped.
    throw new ConfigError(
      'fleet.bad_secret_key',
      `${variable} is not a 32-byte key (it has ${trimmed.length} characters): give 64 hex digits or 44 base64 characters.`,
      { hint: `${HOW_TO_MAKE}.` },
    );
  }
  const id = createHash('sha256')
    .update('auriga-edusign secret key id\0')
    .update(bytes)
    .digest('hex')
    .slice(0, 16);
  return Object.freeze({ id, bytes });
}

function keyFrom(env: NodeJS.ProcessEnv, variable: string): SecretKey | undefined {
  const inline = env[variable];
  const file = env[`${variable}_FILE`];
  if (inline && file) {
    throw new ConfigError(
      'fleet.bad_secret_key',
      `Both ${variable} and ${variable}_FILE are set: give the key one way only.`,
    );
  }
  if (inline) return parseKey(inline, variable);
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'fleet.bad_secret_key',
      `${variable}_FILE names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      { cause: error, hint: 'Check the path and that this process may read it.' },
    );
  }
  return parseKey(text, `${variable}_FILE (${file})`);
}

/**
 * The keys given to this process. Without the current one a fleet process
 * refuses to start: it could neither read a school's secrets nor store new ones.
 */
export function loadSecretKeys(env: NodeJS.ProcessEnv): SecretKeys {
  const current = keyFrom(env, KEY_VARIABLE);
  if (current === undefined) {
    throw new ConfigError(
      'fleet.no_secret_key',
      `${KEY_VARIABLE} is not set: a fleet process needs the key that encrypts the schools' secrets in the database.`,
      {
        hint: `Give every process the same key in ${KEY_VARIABLE} (or a file path in ${KEY_VARIABLE}_FILE); ${HOW_TO_MAKE}.`,
      },
    );
  }
  const previous = keyFrom(env, PREVIOUS_KEY_VARIABLE);
  return Object.freeze({
    current,
    previous: previous?.id === current.id ? undefined : previous,
  });
}

export const isSealed = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(PREFIX);

/** The key id a sealed value names. */
export function keyIdOf(sealed: string): string {
  return sealed.slice(PREFIX.length).split(':', 1)[0] ?? '';
}

/** Seal `plain` under the current key, bound to `context` (the school and the setting). */
export function seal(keys: SecretKeys, plain: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.current.bytes, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `${PREFIX}${keys.current.id}:${Buffer.concat([iv, tag, body]).toString('base64')}`;
}

/** A stored secret that this process cannot open. */
export class CannotDecrypt extends AppError {
  override name = 'CannotDecrypt' as const;
}

/** Open a value sealed by `seal`, with whichever given key sealed it. */
export function open(keys: SecretKeys, sealed: string, context: string): string {
  const keyId = keyIdOf(sealed);
  const key = [keys.current, keys.previous].find((k) => k?.id === keyId);
  const what = context.replace('\0', ': ');
  if (key === undefined) {
    throw new CannotDecrypt(
      'fleet.cannot_decrypt',
      `cannot decrypt ${what}: it was sealed under key ${keyId}, and this process has key ${keys.current.id}${keys.previous ? ` and ${keys.previous.id}` : ''}: wrong ${KEY_VARIABLE}?`,
      {
        hint: `Give this process the key the fleet uses; after a rotation, give the old key as ${PREVIOUS_KEY_VARIABLE} until \`auriga-edusign secrets rotate\` has run.`,
      },
    );
  }
  const raw = Buffer.from(sealed.slice(PREFIX.length + keyId.length + 1), 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch (error) {
    throw new CannotDecrypt(
      'fleet.cannot_decrypt',
      `cannot decrypt ${what}: the value does not open under key ${keyId} (altered, or copied from another school): wrong ${KEY_VARIABLE}?`,
      {
        cause: error,
        hint: `Import the school again: \`auriga-edusign school import --config FILE\`.`,
      },
    );
  }
}
