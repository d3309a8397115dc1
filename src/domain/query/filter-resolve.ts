import { InvalidFilterError } from '../errors';
import { AttributeDef, AttributeType, findAttr, ResourceTypeDef } from '../schema/attribute';
import { commonAttributes } from '../schema/core-schemas';
import type { Leniency } from '../schema/leniency';
import type { AttrPath, CompareOp, CompValue, Filter } from './ast';
import type { ErrorFactory } from './filter-tokenizer';
import { typeValue, TypedValue } from './filter-values';

/**
 * Resolution of a parsed filter against a resource type's schemas (RFC 7643 §2.1, §3.1, §6; RFC 7644
 * §3.4.2.2, §3.10), producing the one form both back ends read: the SQL compiler (filter-sql) and the
 * reference evaluator (filter-eval). The filter semantics are decided here, once:
 * - `ne v` is NOT(`eq v`), so an absent attribute matches `ne`; on a multi-valued attribute it means
 *   "no value equals v";
 * - `eq null` is NOT(`pr`) and `ne null` is `pr`;
 * - a comparison on a multi-valued attribute holds when it holds for one of its values
 *   (`emails.type eq "work"`, and `emails co "x"`, which compares `emails.value`): it becomes `some`;
 * - every value is typed from the schema (see filter-values).
 */

/** An attribute path checked against the catalogue; names are in the catalogue's spelling. */
export interface ResolvedPath {
  /** URN of the schema defining the attribute (the core schema's for common attributes); undefined
   * when resolved relative to a bare attribute definition (matchesElement) */
  schemaUrn?: string;
  /** set when documents hold the attribute in the object under this extension URN */
  extensionUrn?: string;
  /** the top-level attribute */
  attr: AttributeDef;
  /** the sub-attribute (after "." or inside "[…]"), if any */
  sub?: AttributeDef;
  /** attr.multiValued */
  multiValued: boolean;
  /** the definition typing the value: sub ?? attr; an element of a simple multi-valued attribute is typed by a singular copy of attr */
  leaf: AttributeDef;
  type: AttributeType;
  /** leaf.caseExact; binary values (base64) always compare exactly */
  caseExact: boolean;
  /** lower-cased dotted path without URN ("name.familyname"), as in ResourceStorage.columns */
  key: string;
}

/** What `pr` tests: a value, a complex attribute's object (any sub-attribute present), a multi-valued attribute's list (any element present). */
export type PresenceShape = 'value' | 'object' | 'list';

/** Comparisons left after resolution (`ne` became NOT eq). */
export type ResolvedOp = Exclude<CompareOp, 'ne'>;

/**
 * A filter after resolution. Paths of `compare` and `present` leaves inside `some` are relative to one
 * value of `some.path` (an element of a multi-valued attribute, or a singular complex attribute).
 */
export type ResolvedFilter =
  | { kind: 'compare'; path: ResolvedPath; op: ResolvedOp; value: TypedValue }
  | { kind: 'present'; path: ResolvedPath; shape: PresenceShape }
  | { kind: 'and' | 'or'; left: ResolvedFilter; right: ResolvedFilter }
  | { kind: 'not'; filter: ResolvedFilter }
  | { kind: 'some'; path: ResolvedPath; filter: ResolvedFilter }
  /** an attribute expression on an attribute the resource type lacks, in a query over several types */
  | { kind: 'false' };

/**
 * Options of resolveFilter. RFC 7644 §3.4.3: in a query over several resource types, an attribute
 * expression on an attribute a type does not have evaluates to false for that type.
 */
export interface ResolveOptions {
  unknownIsFalse?: boolean;
  /** filled with the labels of the attributes found unknown (with unknownIsFalse) */
  unknown?: Set<string>;
  /** how comparison values are typed (see typeValue); default LENIENT */
  leniency?: Leniency;
}

const filterError: ErrorFactory = (m) => new InvalidFilterError(m);

function label(path: AttrPath): string {
  return `${path.uri ? `${path.uri}:` : ''}${path.name}${path.sub ? `.${path.sub}` : ''}`;
}

/** One object literal of fixed shape: spreading `urns` (of several shapes) then adding members cost 1.3% of a filtered list's CPU. */
function pathTo(attr: AttributeDef, sub: AttributeDef | undefined, urns: { schemaUrn?: string; extensionUrn?: string }): ResolvedPath {
  const leaf = sub ?? attr;
  return {
    schemaUrn: urns.schemaUrn,
    extensionUrn: urns.extensionUrn,
    attr,
    sub,
    multiValued: attr.multiValued,
    leaf,
    type: leaf.type,
    caseExact: leaf.caseExact || leaf.type === 'binary',
    key: (sub ? `${attr.name}.${sub.name}` : attr.name).toLowerCase(),
  };
}

/** Finds a top-level attribute: core schema and common attributes, then extensions (URNs compared case-insensitively). */
function findTop(path: AttrPath, rt: ResourceTypeDef): { attr: AttributeDef; schemaUrn: string; extensionUrn?: string } | undefined {
  const uri = path.uri?.toLowerCase();
  if (uri === undefined || uri === rt.schema.id.toLowerCase()) {
    const attr = findAttr(rt.schema.attributes, path.name) ?? findAttr(commonAttributes, path.name);
    if (attr) return { attr, schemaUrn: rt.schema.id };
  }
  for (const { schema } of rt.extensions) {
    if (uri !== undefined && uri !== schema.id.toLowerCase()) continue;
    const attr = findAttr(schema.attributes, path.name);
    if (attr) return { attr, schemaUrn: schema.id, extensionUrn: schema.id };
  }
  return undefined;
}

/** Whether `path` names an attribute (and sub-attribute) of the resource type. */
function knows(path: AttrPath, rt: ResourceTypeDef): boolean {
  if (!path.uri && path.name.toLowerCase() === 'schemas') return true; // refused with its own message
  const found = findTop(path, rt);
  if (!found) return false;
  return path.sub === undefined || (found.attr.type === 'complex' && !!findAttr(found.attr.subAttributes, path.sub));
}

/**
 * Resolves `[URI:]name[.sub]` against a resource type (RFC 7644 §3.10): case-insensitive names, the
 * core schema (with the RFC 7643 §3.1 common attributes id, externalId, meta) and its extensions;
 * an unqualified name not in the core schema is looked up in the extensions. `schemas` and
 * never-returned attributes (password) cannot be filtered.
 */
export function resolveAttrPath(path: AttrPath, rt: ResourceTypeDef, fail: ErrorFactory = filterError): ResolvedPath {
  if (!path.uri && path.name.toLowerCase() === 'schemas') throw fail('filtering on "schemas" is not supported');
  const found = findTop(path, rt);
  if (!found) {
    const known = [rt.schema, ...rt.extensions.map((e) => e.schema)].some((s) => s.id.toLowerCase() === path.uri?.toLowerCase());
    if (path.uri && !known) throw fail(`unknown schema "${path.uri}" in "${label(path)}" for ${rt.name}`);
    throw fail(`unknown attribute "${label(path)}" for ${rt.name}`);
  }
  const { attr, ...urns } = found;
  if (attr.returned === 'never') throw fail(`"${attr.name}" cannot be filtered or sorted on`);
  if (path.sub === undefined) return pathTo(attr, undefined, urns);
  const sub = attr.type === 'complex' ? findAttr(attr.subAttributes, path.sub) : undefined;
  if (!sub) throw fail(`unknown attribute "${label(path)}" for ${rt.name}`);
  return pathTo(attr, sub, urns);
}

/**
 * The path of what a comparison on `p` compares, for one value of a multi-valued attribute: the
 * named sub-attribute, else `value` of a complex attribute (RFC 7644 §3.4.2.2: `emails co "x"`), else
 * the element itself (simple multi-valued attribute).
 */
export function elementPath(p: ResolvedPath, fail: ErrorFactory = filterError): ResolvedPath {
  if (p.sub) return p;
  if (p.attr.type !== 'complex') return { ...p, leaf: { ...p.attr, multiValued: false } };
  const value = findAttr(p.attr.subAttributes, 'value');
  if (!value) throw fail(`"${p.attr.name}" is complex: name one of its sub-attributes`);
  return pathTo(p.attr, value, p);
}

/** A path named inside `parent[…]`: a sub-attribute of parent, or `value` for a simple multi-valued parent. */
function innerPath(path: AttrPath, parent: ResolvedPath): ResolvedPath {
  if (path.uri || path.sub) throw filterError(`"${label(path)}" inside ${parent.attr.name}[…] must be a plain sub-attribute name`);
  if (parent.attr.type !== 'complex') {
    if (path.name.toLowerCase() !== 'value') throw filterError(`inside ${parent.attr.name}[…] only "value" can be named`);
    return elementPath(parent);
  }
  const sub = findAttr(parent.attr.subAttributes, path.name);
  if (!sub) throw filterError(`unknown attribute "${parent.attr.name}.${path.name}"`);
  return pathTo(parent.attr, sub, parent);
}

const not = (filter: ResolvedFilter): ResolvedFilter => ({ kind: 'not', filter });

/** How leaves are resolved: at the top of a resource, or relative to one value inside `attr[…]`. */
interface Scope {
  /** with ResolveOptions.unknownIsFalse: true for a top-level path the type lacks */
  unknown?(path: AttrPath): boolean;
  present(path: AttrPath): ResolvedFilter;
  compare(path: AttrPath, op: ResolvedOp, value: Exclude<CompValue, null>): ResolvedFilter;
  valuePath(path: AttrPath, filter: Filter): ResolvedFilter;
}

function compareLeaf(path: ResolvedPath, op: ResolvedOp, value: Exclude<CompValue, null>, leniency?: Leniency): ResolvedFilter {
  return { kind: 'compare', path, op, value: typeValue(op, value, path.leaf, leniency) };
}

/** The resolution rules shared by every scope, including the ne / null rewrites. */
function resolveIn(f: Filter, scope: Scope): ResolvedFilter {
  if (f.kind === 'compare' || f.kind === 'present' || f.kind === 'valuePath') {
    if (scope.unknown?.(f.path)) return { kind: 'false' };
  }
  switch (f.kind) {
    case 'and':
    case 'or':
      return { kind: f.kind, left: resolveIn(f.left, scope), right: resolveIn(f.right, scope) };
    case 'not':
      return not(resolveIn(f.filter, scope));
    case 'valuePath':
      return scope.valuePath(f.path, f.filter);
    case 'present':
      return scope.present(f.path);
    case 'compare':
      if (f.value === null) {
        if (f.op !== 'eq' && f.op !== 'ne') throw filterError(`"${label(f.path)} ${f.op} null" compares with null; use "pr"`);
        return f.op === 'eq' ? not(scope.present(f.path)) : scope.present(f.path);
      }
      return f.op === 'ne' ? not(scope.compare(f.path, 'eq', f.value)) : scope.compare(f.path, f.op, f.value);
  }
}

/** Scope of one value of `parent` (inside `parent[…]`, or a PATCH value filter). */
function elementScope(parent: ResolvedPath, leniency?: Leniency): Scope {
  return {
    present: (path) => ({ kind: 'present', path: innerPath(path, parent), shape: 'value' }),
    compare: (path, op, value) => compareLeaf(innerPath(path, parent), op, value, leniency),
    valuePath: () => {
      throw filterError(`value filters cannot be nested inside ${parent.attr.name}[…]`);
    },
  };
}

function topScope(rt: ResourceTypeDef, opts: ResolveOptions): Scope {
  return {
    unknown: opts.unknownIsFalse
      ? (path) => {
          if (knows(path, rt)) return false;
          opts.unknown?.add(label(path).toLowerCase());
          return true;
        }
      : undefined,
    present(path) {
      const p = resolveAttrPath(path, rt);
      if (p.multiValued && p.sub) return { kind: 'some', path: p, filter: { kind: 'present', path: p, shape: 'value' } };
      const shape = p.multiValued ? 'list' : p.type === 'complex' ? 'object' : 'value';
      return { kind: 'present', path: p, shape };
    },
    compare(path, op, value) {
      const p = resolveAttrPath(path, rt);
      if (p.multiValued) return { kind: 'some', path: p, filter: compareLeaf(elementPath(p), op, value, opts.leniency) };
      if (p.type === 'complex') throw filterError(`"${label(path)}" is complex: compare one of its sub-attributes`);
      return compareLeaf(p, op, value, opts.leniency);
    },
    valuePath(path, filter) {
      const p = resolveAttrPath(path, rt);
      if (!p.multiValued && p.type !== 'complex') throw filterError(`"${label(path)}[…]" needs a multi-valued or complex attribute`);
      return { kind: 'some', path: p, filter: resolveIn(filter, elementScope(p, opts.leniency)) };
    },
  };
}

/**
 * Resolves and type-checks a filter against a resource type (RFC 7644 §3.4.2.2). Unknown attributes,
 * values of the wrong type and operators the attribute's type does not support are InvalidFilterError.
 */
export function resolveFilter(filter: Filter, rt: ResourceTypeDef, opts: ResolveOptions = {}): ResolvedFilter {
  return resolveIn(filter, topScope(rt, opts));
}

/**
 * Resolves a value filter relative to one element of `parent` (RFC 7644 §3.5.2 PATCH paths such as
 * `emails[type eq "work"]`): names are sub-attributes of parent (`value` for a simple multi-valued one).
 */
export function resolveElementFilter(filter: Filter, parent: AttributeDef, leniency?: Leniency): ResolvedFilter {
  return resolveIn(filter, elementScope(pathTo(parent, undefined, {}), leniency));
}
