import type { Middleware } from 'koa';
import { InvalidFilterError, InvalidValueError } from '../domain/errors';
import { badCharacter } from '../domain/text';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Percent-decodes (RFC 3986 §2.1) a raw URL component to its bytes; `+` is a space in query components. */
function percentBytes(raw: string, plusIsSpace: boolean): Uint8Array {
  // Node hands the request target over byte for byte as latin1
  const input = Buffer.from(raw, 'latin1');
  const out = Buffer.allocUnsafe(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const b = input[i];
    if (b === 0x25 && i + 2 < input.length) {
      const hex = Number.parseInt(String.fromCharCode(input[i + 1], input[i + 2]), 16);
      if (!Number.isNaN(hex) && /^[0-9a-f]{2}$/i.test(String.fromCharCode(input[i + 1], input[i + 2]))) {
        out[n++] = hex;
        i += 2;
        continue;
      }
    }
    out[n++] = plusIsSpace && b === 0x2b ? 0x20 : b;
  }
  return out.subarray(0, n);
}

/** What is wrong with one decoded URL component, or undefined. */
function problem(raw: string, plusIsSpace: boolean): string | undefined {
  let text: string;
  try {
    text = UTF8.decode(percentBytes(raw, plusIsSpace));
  } catch {
    return 'bytes that are not valid UTF-8 (RFC 3986 §2.5)';
  }
  return badCharacter(text);
}

/**
 * Refuses, before any route decodes it, a request whose path or query parameters hold bytes that
 * are not UTF-8 (RFC 3986 §2.5) or a character no store accepts (NUL; a lone surrogate cannot be
 * UTF-8 at all): 400 invalidFilter when it is the `filter` parameter (RFC 7644 §3.4.2.2), else 400
 * invalidValue. Without this, Node's query parser would turn bad bytes into U+FFFD and the router's
 * decodeURIComponent would throw a URIError (a 500).
 */
export function urlCheck(): Middleware {
  return async (ctx, next) => {
    const raw = ctx.req.url ?? '';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const bad = problem(path, false);
    if (bad) throw new InvalidValueError(`the request path contains ${bad}`);
    if (q >= 0) {
      for (const pair of raw.slice(q + 1).split('&')) {
        const eq = pair.indexOf('=');
        const name = eq < 0 ? pair : pair.slice(0, eq);
        const issue = problem(name, true) ?? (eq < 0 ? undefined : problem(pair.slice(eq + 1), true));
        if (!issue) continue;
        const shown = problem(name, true) ? 'a query parameter name' : `query parameter "${Buffer.from(percentBytes(name, true)).toString('utf8')}"`;
        if (/^filter$/i.test(name)) throw new InvalidFilterError(`the filter contains ${issue}`);
        throw new InvalidValueError(`${shown} contains ${issue}`);
      }
    }
    await next();
  };
}
