import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Recognisable prefix of every Provisio SCIM token, so secret scanners and humans can spot one. */
export const TOKEN_PREFIX = 'prv_';
const SHOWN_CHARS = 12;

/** A new token: `prv_` + 256 random bits in base64url (43 characters). */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The part of a token shown in listings. */
export function displayPrefix(token: string): string {
  return token.slice(0, SHOWN_CHARS);
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
