import { comparisonKeyOf } from './comparison';
import { InvalidFilterError, InvalidValueError } from '../errors';
import type { ResourceTypeDef } from '../schema/attribute';
import type { Filter } from './ast';
import { parseAttrPath } from './filter-parser';
import { elementPath, resolveAttrPath, ResolvedFilter, ResolvedOp, ResolvedPath, resolveFilter, ResolveOptions } from './filter-resolve';
import type { ErrorFactory } from './filter-tokenizer';
import type { TypedValue } from './filter-values';
import type { RelationStorage, ResourceStorage } from './storage';

/**
 * Compiles resolved filters (filter-resolve) to PostgreSQL over the layout of storage.ts. Values only
 * ever travel as `?` parameters; the only names written into SQL come from the schema catalogue and
 * the storage description, as SQL string literals.
 */

/** A parameterised SQL boolean expression: `?` placeholders (knex raw style), values in `params` in order. */
export interface CompiledSql {
  sql: string;
  params: unknown[];
}

/**
 * A scalar in SQL: a dedicated (typed) column expression (with, for ids, the uuid column behind its
 * text form), or a jsonb node with its text (`->>`).
 */
type Slot = { column: string; uuid?: string } | { node: string; text: string };

/** Where the values of a multi-valued attribute live: a jsonb array, or rows of a relation table. */
type Elements = { kind: 'json'; array: string } | { kind: 'relation'; rel: RelationStorage };

const TEXT_TYPES = new Set(['string', 'reference', 'binary']);
const SQL_OPS: Record<Exclude<ResolvedOp, 'co' | 'sw' | 'ew'>, string> = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' };
/**
 * dateTime comparisons at millisecond precision, the precision resources show on the wire: a
 * stored instant t matches `eq v` when v <= t < v + 1ms. Written as ranges so indexes still apply.
 */
const DATE_BOUNDS: Record<keyof typeof SQL_OPS, [string, number][]> = {
  eq: [['>=', 0], ['<', 1]],
  gt: [['>=', 1]],
  ge: [['>=', 0]],
  lt: [['<', 0]],
  le: [['<', 1]],
};
/** RFC 7643 §3.1 attributes the document does not hold (storage.ts): only a dedicated column can serve them. */
const NOT_IN_DOCUMENT = new Set(['id', 'meta']);
/** Alias of one element of a jsonb array inside EXISTS. */
const ELEMENT = 'e.v';
/** The canonical (lower-case) text form of a UUID, the only form a stored id has. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Characters JSON escapes in text: a value holding one cannot be looked for in a document's JSON text. */
const JSON_ESCAPED = /["\\\u0000-\u001f]/;

/** A SQL string literal of a catalogue name (never client text); quotes doubled defensively. */
function literal(name: string): string {
  if (name.includes('?')) throw new Error(`"${name}" cannot appear in SQL with ? placeholders`);
  return `'${name.replace(/'/g, "''")}'`;
}

/** `base->'name'` with its text `base->>'name'`; without a name, the node `base` itself. */
function jsonSlot(base: string, name?: string): Slot {
  if (name === undefined) return { node: base, text: `${base} #>> '{}'` };
  return { node: `${base}->${literal(name)}`, text: `${base}->>${literal(name)}` };
}

function parenthesize(sql: string): string {
  return /^[\w.]+$/.test(sql) ? sql : `(${sql})`;
}

/**
 * The slot's value as SQL of the attribute's type (unparenthesized); a jsonb value of another JSON
 * type reads as NULL.
 */
function typed(slot: Slot, type: string): string {
  if ('column' in slot) return slot.column;
  const guarded = (jsonType: string, cast: string) => `case when jsonb_typeof(${slot.node}) = '${jsonType}' then (${slot.text})::${cast} end`;
  if (type === 'boolean') return guarded('boolean', 'boolean');
  if (type === 'integer' || type === 'decimal') return guarded('number', 'numeric');
  if (type === 'dateTime') return `(${slot.text})::timestamptz`;
  return slot.text;
}

/** `co`/`sw`/`ew` as a LIKE pattern in which `%`, `_` and `\` of the value are literal. */
function likePattern(op: 'co' | 'sw' | 'ew', value: string): string {
  const escaped = value.replace(/[\\%_]/g, (c) => `\\${c}`);
  return `${op === 'sw' ? '' : '%'}${escaped}${op === 'ew' ? '' : '%'}`;
}

function jsonArray(node: string): string {
  return `jsonb_array_elements(case when jsonb_typeof(${node}) = 'array' then ${node} else '[]'::jsonb end)`;
}

/** RFC 7644 §3.4.2.2 `pr` on a value: not null and not the empty string. */
function presentValue(slot: Slot, p: ResolvedPath): string {
  if ('text' in slot) return `(${slot.text}) <> ''`;
  return TEXT_TYPES.has(p.type) ? `${parenthesize(slot.column)} <> ''` : `${parenthesize(slot.column)} is not null`;
}

/** `pr` on a complex value ("a non-empty node"): one of its sub-attributes is present. */
function presentObject(node: string): string {
  const object = `case when jsonb_typeof(${node}) = 'object' then ${node} else '{}'::jsonb end`;
  return `exists (select 1 from jsonb_each(${object}) as o(k, v) where (o.v #>> '{}') <> '')`;
}

function exists(elements: Elements, cond?: string): string {
  if (elements.kind === 'json') return `exists (select 1 from ${jsonArray(elements.array)} as e(v) where ${cond ?? 'true'})`;
  const { table, alias, join } = elements.rel;
  return `exists (select 1 from ${table} ${alias} where ${join}${cond ? ` and ${cond}` : ''})`;
}

class SqlCompiler {
  readonly params: unknown[] = [];

  constructor(
    private readonly storage: ResourceStorage,
    private readonly fail: ErrorFactory,
  ) {}

  private param(value: unknown): string {
    this.params.push(value);
    return '?';
  }

  /** The jsonb object holding the attribute: the document, or its extension object. */
  private holder(p: ResolvedPath): string {
    const doc = `${this.storage.alias}.${this.storage.documentColumn}`;
    return p.extensionUrn ? `${doc}->${literal(p.extensionUrn)}` : doc;
  }

  private attrNode(p: ResolvedPath): string {
    return `${this.holder(p)}->${literal(p.attr.name)}`;
  }

  /** A singular attribute or sub-attribute at the top of the resource: its column, else the document. */
  topSlot(p: ResolvedPath): Slot {
    const key = p.extensionUrn ? `${p.extensionUrn.toLowerCase()}:${p.key}` : p.key;
    const column = this.storage.columns[key];
    if (column) return { column, uuid: this.storage.uuidColumns?.[key] };
    if (!p.extensionUrn && NOT_IN_DOCUMENT.has(p.attr.name)) throw this.fail(`"${p.key}" is not stored in a way that can be queried`);
    return p.sub ? jsonSlot(this.attrNode(p), p.sub.name) : jsonSlot(this.holder(p), p.attr.name);
  }

  elements(p: ResolvedPath): Elements {
    const rel = p.extensionUrn ? undefined : this.storage.relations?.[p.attr.name.toLowerCase()];
    return rel ? { kind: 'relation', rel } : { kind: 'json', array: this.attrNode(p) };
  }

  /** The slot of `p` within one element (jsonb `e.v`, or a relation row). */
  elementSlot(elements: Elements, p: ResolvedPath): Slot {
    if (elements.kind === 'json') return jsonSlot(ELEMENT, p.sub?.name);
    const sub = p.sub?.name.toLowerCase();
    const column = sub && elements.rel.subColumns[sub];
    if (!column) throw this.fail(`"${p.key}" is not stored in a way that can be queried`);
    return { column, uuid: elements.rel.uuidSubColumns?.[sub] };
  }

  expr(f: ResolvedFilter, slotOf: (p: ResolvedPath) => Slot): string {
    switch (f.kind) {
      case 'and':
      case 'or':
        return `(${this.expr(f.left, slotOf)} ${f.kind} ${this.expr(f.right, slotOf)})`;
      case 'not':
        // a comparison with an absent value is NULL in SQL; NOT must see it as false
        return `not coalesce(${this.expr(f.filter, slotOf)}, false)`;
      case 'compare':
        return this.compare(f.op, slotOf(f.path), f.path, f.value);
      case 'present':
        if (f.shape === 'value') return presentValue(slotOf(f.path), f.path);
        return f.shape === 'object' ? presentObject(this.attrNode(f.path)) : this.presentList(f.path);
      case 'some':
        return this.some(f.path, f.filter);
      case 'false':
        return 'false';
    }
  }

  /** `pr` on a multi-valued attribute: one of its elements is present. */
  private presentList(p: ResolvedPath): string {
    const elements = this.elements(p);
    if (elements.kind === 'relation') return exists(elements);
    const slot = jsonSlot(ELEMENT);
    return exists(elements, p.attr.type === 'complex' ? presentObject(ELEMENT) : presentValue(slot, p));
  }

  /** All of `inner` holds on one value of `p`: an element of a multi-valued attribute, or a singular complex value. */
  private some(p: ResolvedPath, inner: ResolvedFilter): string {
    if (!p.multiValued) {
      const node = this.attrNode(p);
      return `(jsonb_typeof(${node}) = 'object' and ${this.expr(inner, (q) => jsonSlot(node, q.sub?.name))})`;
    }
    const elements = this.elements(p);
    // parameters are numbered in text order: the pre-condition comes first
    const pre = elements.kind === 'json' ? this.indexedPrecondition(p, inner) : undefined;
    const found = exists(elements, this.expr(inner, (q) => this.elementSlot(elements, q)));
    return pre ? `(${pre} and ${found})` : found;
  }

  /**
   * For an attribute with expression indexes (storage.indexedArrays), a condition implied by
   * `some(p, inner)` that those indexes serve, so the EXISTS only rechecks the rows they find:
   * the positive `eq` leaves of inner's top-level `and` chain become one containment test on the
   * lower-cased document (an element holding all those values), and each `co`/`sw`/`ew` a LIKE on
   * its lower-cased JSON text (pg_trgm). Undefined when nothing qualifies.
   */
  private indexedPrecondition(p: ResolvedPath, inner: ResolvedFilter): string | undefined {
    if (p.extensionUrn || !this.storage.indexedArrays?.includes(p.attr.name.toLowerCase())) return undefined;
    const leaves: ResolvedFilter[] = [];
    const conjuncts = (f: ResolvedFilter): void => {
      if (f.kind === 'and') {
        conjuncts(f.left);
        conjuncts(f.right);
      } else if (f.kind === 'compare' && f.path.type === 'string' && typeof f.value === 'string') leaves.push(f);
    };
    conjuncts(inner);
    const text = `lower((${this.attrNode(p)})::text)`;
    const likes: string[] = [];
    let element: Record<string, string> | string | undefined;
    for (const leaf of leaves) {
      if (leaf.kind !== 'compare') continue;
      const value = leaf.value as string;
      if (leaf.op === 'eq') {
        if (leaf.path.sub) {
          if (typeof element === 'string') continue;
          element ??= {};
          element[leaf.path.sub.name] ??= value;
        } else element ??= value;
      } else if ((leaf.op === 'co' || leaf.op === 'sw' || leaf.op === 'ew') && !JSON_ESCAPED.test(value)) {
        // in the JSON text a string value sits between quotes: sw "x" finds `"x`, ew "x" finds `x"`
        const quoted = `${leaf.op === 'sw' ? '"' : ''}${value}${leaf.op === 'ew' ? '"' : ''}`;
        likes.push(likePattern('co', quoted));
      }
    }
    const parts = element === undefined ? [] : [`${text}::jsonb @> lower(${this.param(JSON.stringify([element]))})::jsonb`];
    for (const pattern of likes) parts.push(`${text} like lower(${this.param(pattern)})`);
    return parts.length ? parts.join(' and ') : undefined;
  }

  private compare(op: ResolvedOp, slot: Slot, p: ResolvedPath, value: TypedValue): string {
    const keyOf = comparisonKeyOf(p);
    const keyColumn = this.storage.comparisonKeyColumns?.[p.key];
    if (op === 'eq' && keyOf && keyColumn && 'column' in slot && typeof value === 'string') return `${keyColumn} = ${this.param(keyOf(value))}`;
    if (op === 'eq' && 'uuid' in slot && slot.uuid) {
      // ids compare exactly: only a canonical UUID can equal one, and then the uuid index serves it
      return typeof value === 'string' && CANONICAL_UUID.test(value) ? `${slot.uuid} = ${this.param(value)}::uuid` : 'false';
    }
    if (TEXT_TYPES.has(p.type)) return this.compareText(op, typed(slot, p.type), p.caseExact, String(value));
    const x = parenthesize(typed(slot, p.type));
    switch (p.type) {
      case 'boolean':
        return `${x} = ${this.param(value)}::boolean`;
      case 'dateTime': {
        const bounds = DATE_BOUNDS[op as keyof typeof DATE_BOUNDS];
        const parts = bounds.map(([cmp, plus]) => `${x} ${cmp} ${this.param(new Date((value as number) + plus).toISOString())}::timestamptz`);
        return parts.length > 1 ? `(${parts.join(' and ')})` : parts[0];
      }
      default: // integer, decimal
        return `${x} ${SQL_OPS[op as keyof typeof SQL_OPS]} ${this.param(value)}::numeric`;
    }
  }

  /**
   * Strings: `lower()` on both sides unless caseExact (matches btree and pg_trgm indexes on lower(col));
   * co/sw/ew as LIKE; ordering in code-point order (COLLATE "C"), independent of the database locale.
   */
  private compareText(op: ResolvedOp, x: string, caseExact: boolean, value: string): string {
    const lhs = caseExact ? parenthesize(x) : `lower(${x})`;
    const rhs = (v: string) => (caseExact ? this.param(v) : `lower(${this.param(v)})`);
    if (op === 'co' || op === 'sw' || op === 'ew') return `${lhs} like ${rhs(likePattern(op, value))} escape '\\'`;
    if (op === 'eq') return `${lhs} = ${rhs(value)}`;
    return `${lhs} collate "C" ${SQL_OPS[op]} ${rhs(value)}`;
  }

  /** Sort key of a slot: the typed value, lower-cased for case-insensitive strings. */
  sortKey(slot: Slot, p: ResolvedPath): string {
    const x = typed(slot, p.type);
    return TEXT_TYPES.has(p.type) && !p.caseExact ? `lower(${x})` : parenthesize(x);
  }

  /** RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else its first one. */
  firstValueKey(p: ResolvedPath): string {
    const elements = this.elements(p);
    const key = this.sortKey(this.elementSlot(elements, p), p);
    if (elements.kind === 'relation') {
      const { table, alias, join } = elements.rel;
      return `(select ${key} from ${table} ${alias} where ${join} order by ${key} limit 1)`;
    }
    const primaryFirst = `coalesce(${ELEMENT}->'primary' = 'true'::jsonb, false) desc`;
    return `(select ${key} from ${jsonArray(elements.array)} with ordinality as e(v, i) order by ${primaryFirst}, e.i limit 1)`;
  }
}

/**
 * Compiles a filter (RFC 7644 §3.4.2.2) to a PostgreSQL boolean expression over a resource table.
 * Semantics (shared with the reference evaluator, both reading resolveFilter's output):
 * - a comparison with an absent attribute is false (`eq`, `co`, `sw`, `ew`, `gt`, `ge`, `lt`, `le`);
 * - `ne` is NOT(`eq`): an absent attribute matches `ne`; a multi-valued one matches when no value is equal;
 * - `eq null` matches when the attribute is not present, `ne null` when it is;
 * - `pr`: a value other than null and ""; for a complex attribute, a present sub-attribute; for a
 *   multi-valued one, a present element;
 * - strings compare case-insensitively unless the attribute is caseExact (binary always exact),
 *   booleans as booleans, numbers as numbers, dateTimes as instants at millisecond precision;
 * - a multi-valued attribute matches when one of its values does, and all conditions of a value
 *   filter `attr[…]` must hold on the same value;
 * - `not (…)` is true where its operand is false or unknown.
 * Unknown attributes, type errors and paths the storage cannot serve are InvalidFilterError.
 */
export function compileFilter(filter: Filter, rt: ResourceTypeDef, storage: ResourceStorage, opts: ResolveOptions = {}): CompiledSql {
  const compiler = new SqlCompiler(storage, (m) => new InvalidFilterError(m));
  const sql = compiler.expr(resolveFilter(filter, rt, opts), (p) => compiler.topSlot(p));
  return { sql, params: compiler.params };
}

/**
 * A SQL expression to ORDER BY for `sortBy` (RFC 7644 §3.4.2.3): a singular attribute or
 * sub-attribute (extension attributes URN-qualified or not); case-insensitive strings sort by lower();
 * a multi-valued attribute by its primary value, else its first (`emails` sorts by emails.value).
 * Unknown or complex attributes are InvalidValueError. Contains no parameters.
 */
export function compileSort(path: string, rt: ResourceTypeDef, storage: ResourceStorage): string {
  return compileSortKey(path, rt, storage).sql;
}

/** A sort key: its SQL expression and the SQL type a key value read back as text is cast to. */
export interface SortKey {
  sql: string;
  cast: string;
}

const KEY_CASTS: Record<string, string> = { integer: 'numeric', decimal: 'numeric', boolean: 'boolean', dateTime: 'timestamptz' };

/**
 * compileSort with the key's SQL type, for keyset (cursor) paging: a position in the order is
 * (key, id), and the key travels in the cursor as text. Throws as compileSort does.
 */
export function compileSortKey(path: string, rt: ResourceTypeDef, storage: ResourceStorage): SortKey {
  const fail = (m: string) => new InvalidValueError(`invalid sortBy "${path}": ${m}`);
  const p = resolveAttrPath(parseAttrPath(path.trim(), fail), rt, fail);
  const compiler = new SqlCompiler(storage, fail);
  if (p.multiValued) {
    const element = elementPath(p, fail);
    return { sql: compiler.firstValueKey(element), cast: KEY_CASTS[element.type] ?? 'text' };
  }
  if (p.type === 'complex') throw fail(`"${p.attr.name}" is complex: sort by one of its sub-attributes`);
  return { sql: compiler.sortKey(compiler.topSlot(p), p), cast: KEY_CASTS[p.type] ?? 'text' };
}
