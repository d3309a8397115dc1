import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { InvalidSyntaxError } from '../domain/errors';
import { assertJsonShape } from '../domain/json-shape';
import { assertStorableJson, decodeUtf8, mayHoldUnstorable } from '../domain/text';
import { ScimHttpError } from './scim-error';

/** RFC 7644 §3.1 media type. */
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/**
 * Reads and parses a JSON request body (RFC 7644 §3.1: application/scim+json; plain
 * application/json and a missing Content-Type are accepted too). Over the limit -> 413;
 * malformed -> 400 invalidSyntax. JSON text is UTF-8 (RFC 8259 §8.1): another declared charset or
 * bytes that are not strict UTF-8 are 400 invalidSyntax; a NUL or lone surrogate in any string or
 * member name is 400 invalidValue (invalidFilter under `filter`), before anything reads the body.
 * A body whose shape would make JSON.parse slow (too many members in one object, too many objects
 * and arrays, too deep) is 400 invalidValue before it is parsed (assertJsonShape; `options.bulk`:
 * a /Bulk body, with its own cap on name paths).
 */
export async function readJson(ctx: Context, limit: number, options: { bulk?: boolean } = {}): Promise<unknown> {
  const type = ctx.get('content-type');
  if (type && !/json/i.test(type)) {
    throw new ScimHttpError(415, `unsupported Content-Type "${type}"; send application/scim+json`);
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new InvalidSyntaxError(`charset "${charset}" is not supported: JSON bodies are UTF-8 (RFC 8259 §8.1)`);
  }
  const declared = Number(ctx.get('content-length'));
  if (declared > limit) throw tooLarge(limit);
  let bytes: Buffer;
  try {
    bytes = await getRawBody(ctx.req, { limit, length: ctx.get('content-length') || undefined });
  } catch (e) {
    const err = e as { type?: string; status?: number };
    if (err.type === 'entity.too.large') throw tooLarge(limit);
    throw new InvalidSyntaxError(`could not read the request body: ${(e as Error).message}`);
  }
  assertJsonShape(bytes, options); // before JSON.parse: the cost of parsing is the shape's, not only the size's
  const text = decodeUtf8(bytes, 'the request body');
  if (text.trim() === '') throw new InvalidSyntaxError('the request body is empty');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new InvalidSyntaxError(`the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (mayHoldUnstorable(text)) assertStorableJson(body);
  return body;
}

function tooLarge(limit: number): ScimHttpError {
  return new ScimHttpError(413, `the request body exceeds ${limit} bytes`);
}
