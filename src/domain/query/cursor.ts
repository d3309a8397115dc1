import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from '../../db/sql';
import { InvalidCursorError } from '../errors';
import { isUuid } from '../ids';

/**
 * Opaque, tamper-evident paging cursors (RFC 9865 §2: "cursor", "nextCursor", "previousCursor").
 * A cursor names a position in one query's order — the sort key and id of a row, and a direction —
 * plus a digest of the query (scope, filter, sortBy, sortOrder), so it cannot be replayed on another
 * query. It is base64url JSON followed by an HMAC-SHA256 over it, keyed by a secret kept in the
 * database (server_secret), so every instance sharing the database issues and accepts the same cursors.
 */

/** A position in a query's order: after it ('next') or before it ('previous'). */
export interface CursorPosition {
  direction: 'next' | 'previous';
  /** the sort key as text (null when the row has no value); undefined when ordered by id alone */
  key?: string | null;
  id: string;
}

const SECRET_NAME = 'cursor';
const secrets = new WeakMap<object, Promise<Buffer>>();

/** The signing key: created once per database by whichever instance asks first, then read by all. */
async function secretOf(em: EntityManager): Promise<Buffer> {
  const owner = em.getConnection();
  let secret = secrets.get(owner);
  if (!secret) {
    secret = (async () => {
      await sql(em, 'insert into server_secret (name, secret, created_at) values (?, ?, now()) on conflict (name) do nothing', [
        SECRET_NAME,
        randomBytes(32).toString('base64'),
      ]);
      const [row] = await sql<{ secret: string }>(em, 'select secret from server_secret where name = ?', [SECRET_NAME]);
      return Buffer.from(row.secret, 'base64');
    })();
    secrets.set(owner, secret);
    secret.catch(() => secrets.delete(owner)); // a failed read is retried by the next request
  }
  return secret;
}

/** A short digest of what a cursor is bound to (the query's scope, filter and order). */
export function queryBinding(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

function sign(secret: Buffer, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** Issues a cursor for `position` in the query identified by `binding`. */
export async function encodeCursor(em: EntityManager, binding: string, position: CursorPosition): Promise<string> {
  const body = { d: position.direction === 'next' ? 'n' : 'p', i: position.id, b: binding, ...(position.key !== undefined ? { k: position.key } : {}) };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${sign(await secretOf(em), payload).toString('base64url')}`;
}

/**
 * Reads a cursor issued by encodeCursor for the same query. Anything else — garbage, a changed byte,
 * a cursor of another filter, sort or tenant — is InvalidCursorError (400 scimType invalidCursor).
 */
export async function decodeCursor(em: EntityManager, binding: string, cursor: string): Promise<CursorPosition> {
  const bad = (why: string) => new InvalidCursorError(`invalid cursor: ${why}`);
  const [payload, mac, extra] = cursor.split('.');
  if (!payload || !mac || extra !== undefined || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(mac)) throw bad('it was not issued by this server');
  const expected = sign(await secretOf(em), payload);
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad('it was not issued by this server or was altered');
  let body: { d?: unknown; i?: unknown; b?: unknown; k?: unknown };
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw bad('it cannot be read');
  }
  if (body.b !== binding) throw bad('it belongs to a query with another filter, sort order or resource type');
  const keyOk = body.k === undefined || body.k === null || typeof body.k === 'string';
  if ((body.d !== 'n' && body.d !== 'p') || typeof body.i !== 'string' || !isUuid(body.i) || !keyOk) throw bad('it cannot be read');
  return { direction: body.d === 'n' ? 'next' : 'previous', id: body.i, ...(body.k !== undefined ? { key: body.k as string | null } : {}) };
}
