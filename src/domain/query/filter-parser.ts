import { assertFilterText } from '../text';
import { InvalidFilterError, InvalidPathError } from '../errors';
import type { AttrPath, CompareOp, CompValue, Filter, PatchPath } from './ast';
import { at, describe, ErrorFactory, Token, tokenize } from './filter-tokenizer';

/**
 * Recursive-descent parser of the SCIM filter language, RFC 7644 §3.4.2.2 (ABNF in Figure 1), and of
 * PATCH paths, RFC 7644 §3.5.2. Precedence not > and > or; parentheses; value paths `attr[filter]`
 * (not nested), also followed by a sub-attribute comparison as Entra sends (`emails[type eq "work"].value eq "x"`);
 * URN-qualified names; JSON literals. Lenient where real clients need it: keywords,
 * operators and true/false/null in any case, and Entra's older unquoted values (`externalId eq jyoung`)
 * taken as strings. The parser checks syntax only; names and types are checked by filter-resolve.
 */

/** Caps on a filter, so that a request cannot make the server parse or run an unbounded query. */
export interface FilterLimits {
  /** characters in the filter text */
  maxLength: number;
  /** nesting of parentheses, `not` and value paths */
  maxDepth: number;
  /** attribute expressions (comparisons and `pr`) */
  maxClauses: number;
  /** accept unquoted values as strings (older Entra); false: RFC 7644 Figure 1 compValue only */
  unquotedValues?: boolean;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = { maxLength: 4096, maxDepth: 16, maxClauses: 64, unquotedValues: true };

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
/** JSON number (RFC 7159 §6). */
const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; plus "$ref" (RFC 7643 §2.4). */
const NAME_RE = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/i;
/** Words that cannot be an unquoted value: they would make `a eq and …` ambiguous. */
const RESERVED_VALUES = new Set(['and', 'or', 'not']);

/**
 * attrPath = [URI ":"] ATTRNAME *1subAttr (RFC 7644 §3.4.2.2, §3.10). The URI, if any, is everything
 * up to the last colon: `urn:ietf:params:scim:schemas:core:2.0:User:name.familyName` names `name.familyName`
 * in `urn:ietf:params:scim:schemas:core:2.0:User`.
 */
export function parseAttrPath(word: string, fail: ErrorFactory = (m) => new InvalidPathError(m)): AttrPath {
  const cut = word.lastIndexOf(':');
  const uri = cut >= 0 ? word.slice(0, cut) : undefined;
  const parts = word.slice(cut + 1).split('.');
  if (uri === '' || parts.length > 2 || !parts.every((p) => NAME_RE.test(p))) {
    throw fail(`"${word}" is not an attribute path (expected [schemaURN:]name[.subAttribute])`);
  }
  return { ...(uri !== undefined ? { uri } : {}), name: parts[0], ...(parts.length === 2 ? { sub: parts[1] } : {}) };
}

/** An attribute path with the text it was read from, for messages. */
interface NamedPath {
  path: AttrPath;
  text: string;
}

class Parser {
  private i = 0;
  private clauses = 0;
  private inValuePath = false;

  constructor(
    private readonly tokens: Token[],
    private readonly limits: FilterLimits,
    private readonly fail: ErrorFactory,
  ) {}

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private expected(what: string, t: Token): Error {
    return this.fail(`expected ${what} at ${at(t.pos)}, found ${describe(t)}`);
  }

  /** Consumes the next token if it is the keyword `word` (any case). */
  private keyword(word: string): boolean {
    const t = this.peek();
    if (t.kind !== 'word' || t.text.toLowerCase() !== word) return false;
    this.i++;
    return true;
  }

  /** Consumes a closing bracket or parenthesis, or reports what else could have come. */
  private close(kind: ')' | ']'): void {
    const t = this.next();
    if (t.kind !== kind) throw this.expected(`"and", "or" or "${kind}"`, t);
  }

  /** Fails unless every token was consumed; `what` says what could have continued the input. */
  end(what: string): void {
    const t = this.peek();
    if (t.kind !== 'end') throw this.expected(what, t);
  }

  /** filter = orExpr; orExpr = andExpr *("or" andExpr); `depth` counts enclosing (, not and [. */
  filter(depth: number): Filter {
    if (depth > this.limits.maxDepth) throw this.fail(`the filter nests deeper than ${this.limits.maxDepth} levels`);
    let left = this.and(depth);
    while (this.keyword('or')) left = { kind: 'or', left, right: this.and(depth) };
    return left;
  }

  /** andExpr = unary *("and" unary): `and` binds tighter than `or`. */
  private and(depth: number): Filter {
    let left = this.unary(depth);
    while (this.keyword('and')) left = { kind: 'and', left, right: this.unary(depth) };
    return left;
  }

  /** unary = "not" "(" filter ")" / "(" filter ")" / valuePath / attrExp. */
  private unary(depth: number): Filter {
    const t = this.peek();
    const isNot = t.kind === 'word' && t.text.toLowerCase() === 'not' && this.tokens[this.i + 1].kind === '(';
    if (isNot) this.i++;
    if (this.peek().kind !== '(') return this.attrExpr(depth);
    this.i++;
    const inner = this.filter(depth + 1);
    this.close(')');
    return isNot ? { kind: 'not', filter: inner } : inner;
  }

  private attrPath(): NamedPath {
    const token = this.next();
    if (token.kind !== 'word') throw this.expected('an attribute name', token);
    return { path: parseAttrPath(token.text, (m) => this.fail(`${m} at ${at(token.pos)}`)), text: token.text };
  }

  /** The "[" valFilter "]" of a value path; value paths cannot nest (RFC 7644 §3.4.2.2). */
  private valueFilter(depth: number, attr: NamedPath): Filter {
    const open = this.next();
    if (this.inValuePath) throw this.fail(`value filters cannot be nested ("[" at ${at(open.pos)})`);
    if (attr.path.sub) throw this.fail(`"${attr.text}[": a value filter follows an attribute, not a sub-attribute`);
    this.inValuePath = true;
    const inner = this.filter(depth + 1);
    this.inValuePath = false;
    this.close(']');
    return inner;
  }

  /** attrExp = attrPath SP "pr" / attrPath SP compareOp SP compValue; or a value path. */
  private attrExpr(depth: number): Filter {
    const attr = this.attrPath();
    if (this.peek().kind === '[') {
      const filter = this.valueFilter(depth, attr);
      const after = this.subAfterFilter();
      if (after === undefined) return { kind: 'valuePath', path: attr.path, filter };
      // `emails[type eq "work"].value eq "x"` (what Entra documents): the comparison applies to the
      // same element as the bracket filter, i.e. emails[type eq "work" and value eq "x"]
      return { kind: 'valuePath', path: attr.path, filter: { kind: 'and', left: filter, right: this.comparison({ name: after }) } };
    }
    return this.comparison(attr.path);
  }

  /** The `.sub` right after a value filter's "]", if any. */
  private subAfterFilter(): string | undefined {
    const t = this.peek();
    if (t.kind !== 'word' || !t.text.startsWith('.')) return undefined;
    this.i++;
    const sub = t.text.slice(1);
    if (!NAME_RE.test(sub)) throw this.expected('".subAttribute"', t);
    return sub;
  }

  /** The operator and value of an attribute expression on `path`. */
  private comparison(path: AttrPath): Filter {
    if (++this.clauses > this.limits.maxClauses) {
      throw this.fail(`the filter has more than ${this.limits.maxClauses} attribute expressions`);
    }
    const opToken = this.next();
    const op = opToken.kind === 'word' ? opToken.text.toLowerCase() : '';
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPS.has(op)) throw this.expected('an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr)', opToken);
    return { kind: 'compare', path, op: op as CompareOp, value: this.value() };
  }

  /** compValue = false / null / true / number / string; another bare word is a string (Entra's old form). */
  private value(): CompValue {
    const t = this.next();
    if (t.kind === 'string') return t.value;
    const lower = t.kind === 'word' ? t.text.toLowerCase() : '';
    if (t.kind !== 'word' || RESERVED_VALUES.has(lower)) {
      throw this.expected('a value (a "string", a number, true, false or null)', t);
    }
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (NUMBER_RE.test(t.text)) return Number(t.text);
    if (this.limits.unquotedValues === false) throw this.expected('a value (a "string", a number, true, false or null)', t);
    return t.text;
  }

  /** PATH = attrPath / valuePath [subAttr] (RFC 7644 §3.5.2). */
  patchPath(): PatchPath {
    const attr = this.attrPath();
    if (this.peek().kind !== '[') return { path: attr.path };
    const filter = this.valueFilter(0, attr);
    const t = this.peek();
    if (t.kind !== 'word') return { path: attr.path, filter };
    this.i++;
    const sub = /^\.(.*)$/.exec(t.text)?.[1];
    if (sub === undefined || !NAME_RE.test(sub)) throw this.expected('".subAttribute" or the end of the path', t);
    return { path: attr.path, filter, subAfterFilter: sub };
  }
}

function parseWith<T>(text: string, limits: FilterLimits, fail: ErrorFactory, parse: (p: Parser) => T, continuations: string): T {
  if (typeof text !== 'string' || text.trim() === '') throw fail('it is empty');
  if (text.length > limits.maxLength) throw fail(`it is longer than ${limits.maxLength} characters`);
  const parser = new Parser(tokenize(text, fail), limits, fail);
  const result = parse(parser);
  parser.end(continuations);
  return result;
}

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2). Syntax errors name the position and what was expected;
 * they, and filters over the caps (`maxLength` characters, `maxDepth` nesting, `maxClauses` attribute
 * expressions; defaults in DEFAULT_FILTER_LIMITS), are InvalidFilterError (scimType invalidFilter).
 */
export function parseFilter(text: string, opts: Partial<FilterLimits> = {}): Filter {
  const limits = { ...DEFAULT_FILTER_LIMITS, ...opts };
  const fail = (m: string) => new InvalidFilterError(`invalid filter: ${m}`);
  if (typeof text === 'string') assertFilterText(text);
  return parseWith(text, limits, fail, (p) => p.filter(0), '"and", "or" or the end of the input');
}

/**
 * Parses a PATCH operation path (RFC 7644 §3.5.2: PATH = attrPath / valuePath [subAttr]), e.g.
 * `name.familyName`, `emails[type eq "work"].value`, `members[value eq "2819c223"]`. The value filter
 * follows the filter grammar and caps. Errors are InvalidPathError (scimType invalidPath).
 */
export function parsePatchPath(text: string): PatchPath {
  const fail = (m: string) => new InvalidPathError(`invalid path: ${m}`);
  return parseWith(text, DEFAULT_FILTER_LIMITS, fail, (p) => p.patchPath(), 'the end of the path');
}
