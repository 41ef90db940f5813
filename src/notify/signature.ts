import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (console.md): `X-Auriga-Edusign-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, keyed with the
 * endpoint's secret. The time is signed with the body so that a captured
 * request cannot be replayed later with a fresh `t`.
 */

export const SIGNATURE_HEADER = 'X-Auriga-Edusign-Signature';

/** A receiver refuses a signature older (or further ahead) than this. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

const hmac = (secret: string, seconds: number, body: string) =>
  createHmac('sha256', secret).update(`${seconds}.${body}`, 'utf8').digest('hex');

/** The header's value for `body` sent at `at`. */
export function signBody(body: string, secret: string, at: Date): string {
  const seconds = Math.floor(at.getTime() / 1000);
  return `t=${seconds},v1=${hmac(secret, seconds, body)}`;
}

export type VerifyResult =
  | { readonly ok: true; readonly signedAt: Date }
  | {
      readonly ok: false;
      readonly reason: 'missing' | 'malformed' | 'expired' | 'mismatch';
      readonly message: string;
    };

export interface VerifyOptions {
  /** The header's value, as received (`undefined` when absent). */
  readonly header: string | readonly string[] | undefined;
  /** The raw body, exactly as received: parsing and re-serialising would change it. */
  readonly body: string | Buffer;
  readonly secret: string;
  readonly now: Date;
  /** @default 300 */
  readonly toleranceSeconds?: number;
}

/**
 * Check a received webhook. Several `v1=` values are accepted (one of them
 * must match), so that a sender may sign with an old and a new secret while
 * it is being changed.
 */
export function verifySignature(options: VerifyOptions): VerifyResult {
  const raw = Array.isArray(options.header) ? options.header[0] : options.header;
  if (typeof raw !== 'string' || raw.trim() === '')
    return { ok: false, reason: 'missing', message: `no ${SIGNATURE_HEADER} header` };
  let seconds: number | undefined;
  const signatures: string[] = [];
  for (const part of raw.split(',')) {
    const [key, value = ''] = part.trim().split('=', 2);
    if (key === 't' && /^\d{1,12}$/.test(value)) seconds = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (seconds === undefined || signatures.length === 0)
    return { ok: false, reason: 'malformed', message: 'expected t=<unix seconds>,v1=<hex>' };
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  const age = options.now.getTime() / 1000 - seconds;
  if (Math.abs(age) > tolerance)
    return {
      ok: false,
      reason: 'expired',
      message: `signed ${Math.round(age)} s ago, more than ${tolerance} s away from now`,
    };
  const body = typeof options.body === 'string' ? options.body : options.body.toString('utf8');
  const expected = Buffer.from(hmac(options.secret, seconds, body), 'hex');
  const matches = signatures.some((s) => {
    const given = Buffer.from(s, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches
    ? { ok: true, signedAt: new Date(seconds * 1000) }
    : {
        ok: false,
        reason: 'mismatch',
        message: 'the signature does not match the body and secret',
      };
}
