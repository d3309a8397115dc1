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
  const stack: { value: unknown; where: string }[] = [{ value, where: '' }];
  while (stack.length > 0) {
    const { value: v, where } = stack.pop()!;
    if (typeof v === 'string') {
      const bad = badCharacter(v);
      if (!bad) continue;
      if (/^filter$/i.test(where)) throw new InvalidFilterError(`the filter contains ${bad}`);
      throw new InvalidValueError(`"${where || '(body)'}" contains ${bad}`);
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], where: `${where}[${i}]` });
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const bad = badCharacter(k);
        if (bad) throw new InvalidValueError(`a member name${where ? ` in "${where}"` : ''} contains ${bad}`);
        stack.push({ value: child, where: where ? `${where}.${k}` : k });
      }
    }
  }
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
