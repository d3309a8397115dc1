import { comparisonKeyOf } from './comparison';
import type { AttributeDef, ResourceTypeDef } from '../schema/attribute';
import type { Leniency } from '../schema/leniency';
import type { Filter } from './ast';
import { resolveElementFilter, ResolvedFilter, ResolvedOp, ResolvedPath, resolveFilter } from './filter-resolve';
import { parseDateTime, TypedValue } from './filter-values';

/**
 * The in-memory evaluator of RFC 7644 §3.4.2.2, written from the RFC over resolveFilter's output, with
 * the semantics documented on compileFilter (filter-sql). It selects the elements a PATCH value filter
 * names, and is the reference the SQL compiler is tested against. Values are read by the catalogue's
 * attribute names, exactly as the SQL reads documents.
 */

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(v: unknown, name: string): unknown {
  return isObject(v) && Object.prototype.hasOwnProperty.call(v, name) ? v[name] : undefined;
}

/** `pr` on a value: not absent, null or "". */
function presentValue(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** `pr` on a complex value: one of its sub-attributes is present. */
function presentObject(v: unknown): boolean {
  return isObject(v) && Object.values(v).some(presentValue);
}

/** `pr` on a multi-valued attribute: one of its elements is present. */
function presentList(v: unknown, attr: AttributeDef): boolean {
  return Array.isArray(v) && v.some(attr.type === 'complex' ? presentObject : presentValue);
}

/** Where a leaf's path is read from: the whole resource, or one value inside `attr[…]`. */
type Read = (p: ResolvedPath) => unknown;

function attrValue(resource: Json, p: ResolvedPath): unknown {
  const holder = p.extensionUrn ? get(resource, p.extensionUrn) : resource;
  return get(holder, p.attr.name);
}

function readTop(resource: Json): Read {
  return (p) => {
    const v = attrValue(resource, p);
    return p.sub ? get(v, p.sub.name) : v;
  };
}

function readElement(element: unknown): Read {
  return (p) => (p.sub ? get(element, p.sub.name) : element);
}

function ordered(op: ResolvedOp, diff: number): boolean {
  switch (op) {
    case 'eq':
      return diff === 0;
    case 'gt':
      return diff > 0;
    case 'ge':
      return diff >= 0;
    case 'lt':
      return diff < 0;
    case 'le':
      return diff <= 0;
    default:
      return false;
  }
}

/** Text of a scalar as jsonb `->>` gives it; undefined for anything else. */
function scalarText(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function compareText(op: ResolvedOp, actual: string, expected: string, caseExact: boolean): boolean {
  const a = caseExact ? actual : actual.toLowerCase();
  const e = caseExact ? expected : expected.toLowerCase();
  if (op === 'co') return a.includes(e);
  if (op === 'sw') return a.startsWith(e);
  if (op === 'ew') return a.endsWith(e);
  return ordered(op, a < e ? -1 : a > e ? 1 : 0);
}

/** One comparison with a value of the wrong JSON type, or absent, is false. */
function compare(op: ResolvedOp, actual: unknown, expected: TypedValue, p: ResolvedPath): boolean {
  switch (p.type) {
    case 'boolean':
      return typeof actual === 'boolean' && actual === expected;
    case 'integer':
    case 'decimal':
      return typeof actual === 'number' && ordered(op, actual - (expected as number));
    case 'dateTime': {
      const ms = typeof actual === 'string' ? parseDateTime(actual) : undefined;
      return ms !== undefined && ordered(op, ms - (expected as number));
    }
    default: {
      const text = scalarText(actual);
      const keyOf = op === 'eq' ? comparisonKeyOf(p) : undefined;
      if (keyOf && text !== undefined) return keyOf(text) === keyOf(String(expected));
      return text !== undefined && compareText(op, text, String(expected), p.caseExact);
    }
  }
}

function evaluate(f: ResolvedFilter, read: Read, resource: Json): boolean {
  switch (f.kind) {
    case 'and':
      return evaluate(f.left, read, resource) && evaluate(f.right, read, resource);
    case 'or':
      return evaluate(f.left, read, resource) || evaluate(f.right, read, resource);
    case 'not':
      return !evaluate(f.filter, read, resource);
    case 'compare':
      return compare(f.op, read(f.path), f.value, f.path);
    case 'present':
      if (f.shape === 'value') return presentValue(read(f.path));
      return f.shape === 'object' ? presentObject(attrValue(resource, f.path)) : presentList(attrValue(resource, f.path), f.path.attr);
    case 'false':
      return false;
    case 'some': {
      const v = attrValue(resource, f.path);
      const values = f.path.multiValued ? (Array.isArray(v) ? v : []) : isObject(v) ? [v] : [];
      return values.some((element) => evaluate(f.filter, readElement(element), resource));
    }
  }
}

/**
 * Evaluates a filter (RFC 7644 §3.4.2.2) against one resource in its wire form (RFC 7643 §3, §8:
 * core attributes at the top level, extension attributes under their schema URN, `meta` an object
 * with ISO 8601 dates). Agrees with compileFilter; unknown attributes or bad values are InvalidFilterError.
 */
export function evaluateFilter(filter: Filter, resource: Record<string, unknown>, rt: ResourceTypeDef): boolean {
  return evaluate(resolveFilter(filter, rt), readTop(resource), resource);
}

/**
 * Whether one element of the multi-valued attribute `parent` matches a value filter, e.g. the
 * `type eq "work"` of the PATCH path `emails[type eq "work"].value` (RFC 7644 §3.5.2). Names in the
 * filter are sub-attributes of `parent` (`value` for the elements of a simple multi-valued attribute).
 */
export function matchesElement(filter: Filter, element: unknown, parent: AttributeDef, leniency?: Leniency): boolean {
  return elementMatcher(filter, parent, leniency)(element);
}

/** matchesElement with the filter resolved once, for testing every element of a list (linear, not a resolve per element). */
export function elementMatcher(filter: Filter, parent: AttributeDef, leniency?: Leniency): (element: unknown) => boolean {
  const resolved = resolveElementFilter(filter, parent, leniency);
  return (element) => evaluate(resolved, readElement(element), {});
}
