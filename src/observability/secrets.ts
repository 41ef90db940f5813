/**
 * Literal secret scrubbing: the last line of defence for text we do not
 * control, such as a third party's error message that echoes a token back.
 * Redaction by path (logger.ts) hides secret-bearing keys; this hides the
 * values themselves wherever they appear.
 */

export const REDACTED = '[redacted]';

/**
 * Keys whose value is a secret, wherever they appear: our configuration
 * (`auriga.password`, `auriga.clientSecret`, `edusign.token`), OAuth token
 * responses and HTTP headers.
 */
export const SECRET_KEYS: readonly string[] = Object.freeze([
  'password',
  'clientSecret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'authorization',
  'Authorization',
  'cookie',
  'set-cookie',
]);

const SECRET_KEY_SET = new Set(SECRET_KEYS.map((key) => key.toLowerCase()));

/**
 * Values shorter than this are not scrubbed from free text: replacing every
 * "abc" in a log would wreck it, and would itself tell a reader what the
 * secret is. Such a secret is too weak to protect anyway; config checks warn about it.
 */
export const MIN_SECRET_LENGTH = 4;

/** The forms a secret takes in text: as is, inside a JSON string, and URL-encoded in a form or query. */
function formsOf(secret: string): string[] {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  return [...forms];
}

/** `text` with every occurrence of each secret (of `MIN_SECRET_LENGTH` or more) replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = secrets
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    .flatMap(formsOf)
    // Longest first, so that a secret containing another is replaced whole.
    .sort((a, b) => b.length - a.length);
  let result = text;
  for (const form of forms) {
    if (result.includes(form)) result = result.split(form).join(REDACTED);
  }
  return result;
}

export interface SecretScrubber {
  /** The secrets known so far. Handle with care: never log this. */
  readonly secrets: () => readonly string[];
  /** Learn more secrets, e.g. an access token obtained at run time. */
  add(...secrets: readonly (string | undefined)[]): void;
  /** `text` with every known secret replaced by `[redacted]`. */
  scrub(text: string): string;
}

/** The string values held under secret-bearing keys (`SECRET_KEYS`, any case) anywhere in `value`. */
export function collectSecrets(value: unknown): string[] {
  const found: string[] = [];
  const seen = new WeakSet<object>();
  const visit = (node: unknown, depth: number) => {
    if (node === null || typeof node !== 'object' || depth > 16 || seen.has(node)) return;
    seen.add(node);
    for (const [key, child] of Object.entries(node)) {
      if (SECRET_KEY_SET.has(key.toLowerCase()) && typeof child === 'string') {
        found.push(child);
        // `Authorization: Bearer <token>`: the token alone may show up elsewhere.
        const bearer = /^(?:bearer|basic)\s+(\S+)$/i.exec(child);
        if (bearer?.[1] !== undefined) found.push(bearer[1]);
      } else {
        visit(child, depth + 1);
      }
    }
  };
  visit(value, 0);
  return found;
}

/**
 * A scrubber seeded with the secrets of a resolved configuration (the
 * Auriga password and client secret, the Edusign token), and any other
 * value under a secret-bearing key in it.
 */
export function createSecretScrubber(config: unknown): SecretScrubber {
  const known = new Set<string>();
  const add = (...secrets: readonly (string | undefined)[]) => {
    for (const secret of secrets) if (secret !== undefined && secret !== '') known.add(secret);
  };
  add(...collectSecrets(config));
  return {
    secrets: () => [...known],
    add,
    scrub: (text) => (known.size === 0 ? text : redactSecrets(text, [...known])),
  };
}
