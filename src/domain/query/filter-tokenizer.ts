/**
 * Tokenizer of the SCIM filter language, RFC 7644 §3.4.2.2 (ABNF in Figure 1), shared by filters and
 * PATCH paths (RFC 7644 §3.5.2). Strings are JSON string literals (RFC 7159 §7); everything else
 * between whitespace, brackets, parentheses and quotes is a "word" (names, operators, keywords,
 * numbers, literals and the unquoted values some clients send). Positions are 0-based offsets;
 * messages show them 1-based.
 */

export type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: '(' | ')' | '[' | ']'; pos: number }
  | { kind: 'end'; pos: number };

/** Builds the error to throw (InvalidFilterError for filters, InvalidPathError for PATCH paths). */
export type ErrorFactory = (message: string) => Error;

const PUNCTUATION = new Set(['(', ')', '[', ']']);
const WORD_END = /[\s()[\]"]/;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** "position N" for messages (1-based, as people count characters). */
export function at(pos: number): string {
  return `position ${pos + 1}`;
}

/** How a token reads in an error message. */
export function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the input';
    case 'word':
      return `"${t.text}"`;
    case 'string':
      return `the string ${JSON.stringify(t.value)}`;
    default:
      return `"${t.kind}"`;
  }
}

/**
 * Reads the JSON string literal opening at `start` (RFC 7159 §7: escapes \" \\ \/ \b \f \n \r \t
 * \uXXXX). Returns its value and the offset after the closing quote.
 */
function readString(text: string, start: number, fail: ErrorFactory): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) break;
    if (e in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      const shown = e === 'u' ? text.slice(i, i + 6) : `\\${e}`;
      throw fail(`invalid escape "${shown}" at ${at(i)} in the string starting at ${at(start)}`);
    }
  }
  throw fail(`unterminated string starting at ${at(start)}`);
}

/** Splits filter or path text into tokens; always ends with an `end` token. */
export function tokenize(text: string, fail: ErrorFactory): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (PUNCTUATION.has(c)) {
      tokens.push({ kind: c as '(' | ')' | '[' | ']', pos: i });
      i++;
    } else if (c === '"') {
      const { value, end } = readString(text, i, fail);
      tokens.push({ kind: 'string', value, pos: i });
      i = end;
    } else {
      const start = i;
      while (i < text.length && !WORD_END.test(text[i])) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), pos: start });
    }
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}
