import { createHash, randomBytes } from 'node:crypto';

/**
 * Session ids, API tokens and sign-in link tokens: 32 random bytes, shown
 * once, stored only as their SHA-256. A fast hash suffices here (unlike a
 * password): 256 random bits cannot be guessed, the hash only keeps a leaked
 * table from being used as is.
 */
export const newToken = (prefix = ''): string =>
  `${prefix}${randomBytes(32).toString('base64url')}`;

export const hashToken = (token: string): string =>
  createHash('sha256').update(token).digest('base64url');

/** API tokens carry a prefix so a leaked one is recognisable in a log or a scanner. */
export const API_TOKEN_PREFIX = 'aet_';
