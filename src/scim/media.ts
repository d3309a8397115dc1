import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { InvalidSyntaxError } from '../domain/errors';
import { ScimHttpError } from './scim-error';

/** RFC 7644 §3.1 media type. */
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/**
 * Reads and parses a JSON request body (RFC 7644 §3.1: application/scim+json; plain
 * application/json and a missing Content-Type are accepted too). Over the limit -> 413;
 * malformed -> 400 invalidSyntax.
 */
export async function readJson(ctx: Context, limit: number): Promise<unknown> {
  const type = ctx.get('content-type');
  if (type && !/json/i.test(type)) {
    throw new ScimHttpError(415, `unsupported Content-Type "${type}"; send application/scim+json`);
  }
  const declared = Number(ctx.get('content-length'));
  if (declared > limit) throw tooLarge(limit);
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit, encoding: 'utf8', length: ctx.get('content-length') || undefined });
  } catch (e) {
    const err = e as { type?: string; status?: number };
    if (err.type === 'entity.too.large') throw tooLarge(limit);
    throw new InvalidSyntaxError(`could not read the request body: ${(e as Error).message}`);
  }
  if (text.trim() === '') throw new InvalidSyntaxError('the request body is empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidSyntaxError(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

function tooLarge(limit: number): ScimHttpError {
  return new ScimHttpError(413, `the request body exceeds ${limit} bytes`);
}
