import { InvalidFilterError, InvalidSyntaxError, InvalidValueError } from './errors';

/**
 * Text every layer can store: PostgreSQL `text` and `jsonb` refuse NUL (U+0000), and a lone UTF-16
 * surrogate has no UTF-8 encoding (RFC 3629 §3), so either would fail deep in a statement (a 500,
 * and a poisoned batch). Both are refused at the edge and, as a second line, where the domain reads
 * client strings (documents, filters).
 */
export function badCharacter(text: string): string | undefined {
  if (text.includes('\u0000')) return 'a NUL character (U+0000)';
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) return 'a lone UTF-16 surrogate (not encodable as UTF-8)';
  return undefined;
}

/** Throws InvalidValueError naming `label` when `text` holds a character no store accepts (see badCharacter). */
export function assertStorableText(text: string, label: string): void {
  const bad = badCharacter(text);
  if (bad) throw new InvalidValueError(`"${label}" contains ${bad}`);
}

/** The filter parser's variant: the same check, answered as invalidFilter (RFC 7644 §3.4.2.2). */
export function assertFilterText(text: string): void {
  const bad = badCharacter(text);
  if (bad) throw new InvalidFilterError(`the filter contains ${bad}`);
}

/**
 * Walks a parsed JSON value (iteratively: no recursion limit to hit) and throws at the first key or
 * string holding a character no store accepts, naming its location (`Operations[0].value.emails[3].value`).
 * A string under a top-level `filter` member is answered as invalidFilter, anything else as
 * invalidValue. Linear in the size of the value.
 */
export function assertStorableJson(value: unknown): void {
  // the location is rebuilt from parent links only for the error: no string per member on the way
  interface Frame {
    value: unknown;
    parent?: Frame;
    key?: string | number;
  }
  const where = (f: Frame | undefined): string => {
    const parts: string[] = [];
    for (let at = f; at?.parent; at = at.parent) parts.unshift(typeof at.key === 'number' ? `[${at.key}]` : `.${at.key}`);
    return parts.join('').replace(/^\./, '');
  };
  const fail = (bad: string, f: Frame | undefined, key?: string | number): never => {
    const path = where(key === undefined ? f : { value: undefined, parent: f, key });
    if (/^filter$/i.test(path)) throw new InvalidFilterError(`the filter contains ${bad}`);
    throw new InvalidValueError(`"${path || '(body)'}" contains ${bad}`);
  };
  const stack: Frame[] = [{ value }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (typeof v === 'string') {
      const bad = badCharacter(v);
      if (bad) fail(bad, frame);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const child = v[i];
        if (typeof child === 'string') {
          const bad = badCharacter(child);
          if (bad) fail(bad, frame, i);
        } else if (typeof child === 'object' && child !== null) stack.push({ value: child, parent: frame, key: i });
      }
    } else if (typeof v === 'object' && v !== null) {
      const obj = v as Record<string, unknown>;
      for (const k in obj) {
        const badKey = badCharacter(k);
        if (badKey) {
          const path = where(frame);
          throw new InvalidValueError(`a member name${path ? ` in "${path}"` : ''} contains ${badKey}`);
        }
        const child = obj[k];
        if (typeof child === 'string') {
          const bad = badCharacter(child);
          if (bad) fail(bad, frame, k);
        } else if (typeof child === 'object' && child !== null) stack.push({ value: child, parent: frame, key: k });
      }
    }
  }
}

/**
 * Whether JSON text may decode to a NUL or a lone surrogate: only the escapes `\u0000` and
 * `\uD800`-`\uDFFF` can produce them (raw control characters are not JSON, and strict UTF-8
 * decoding leaves no lone surrogate). A native scan of the text, so that the walk of
 * assertStorableJson runs only for bodies that hold such an escape.
 */
export function mayHoldUnstorable(jsonText: string): boolean {
  return /\\u(?:0000|[dD][89a-fA-F])/.test(jsonText);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes bytes as strict UTF-8 (RFC 3629): overlong forms, encoded surrogates and truncated sequences are InvalidSyntaxError. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new InvalidSyntaxError(`${what} is not valid UTF-8`);
  }
}
