import { InvalidFilterError } from '../domain/errors';
import type { Filter } from '../domain/query/ast';
import { matchesElement } from '../domain/query/filter-eval';
import { parseFilter } from '../domain/query/filter-parser';
import { AttributeDef, findAttr, ResourceTypeDef, Returned } from '../domain/schema/attribute';
import { commonAttributes } from '../domain/schema/core-schemas';
import { LENIENT, Leniency } from '../domain/schema/leniency';

/** RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes`, as lower-cased attribute paths. */
export interface Projection {
  attributes?: string[];
  excluded?: string[];
  /**
   * Value filters given inside `attributes` (`emails[type eq "work"]`, a lenient form): only the
   * values of `path` (a lower-cased top-level attribute path) that match are returned
   */
  valueFilters?: { path: string; filter: Filter }[];
}

/** Splits a comma-separated list, leaving commas inside brackets and quoted strings alone. */
function splitList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

function split(value: unknown): string[] | undefined {
  const text = Array.isArray(value) ? value.join(',') : value;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  return splitList(text);
}

/** `emails[type eq "work"]` or `emails[type eq "work"].value`: the attribute path and the filter text. */
const VALUE_FILTER_RE = /^([^[\]]+)\[(.*)\](\.[A-Za-z][A-Za-z0-9_-]*)?$/s;

/**
 * Reads `attributes` and `excludedAttributes` from a query string or a SearchRequest body (RFC 7644
 * §3.4.2.5). A value filter inside `attributes` (`emails[type eq "work"]`) is accepted where the
 * leniency allows it (attributeValueFilters) and returns the matching values only; strict clients
 * get invalidFilter, as the RFC's `attributes` holds attribute names (§3.10), not filters.
 */
export function parseProjection(source: Record<string, unknown>, leniency: Leniency = LENIENT): Projection {
  const excluded = split(source.excludedAttributes ?? source.excludedattributes)?.map((s) => s.toLowerCase());
  const raw = split(source.attributes);
  if (!raw) return { attributes: undefined, excluded };
  const attributes: string[] = [];
  const valueFilters: { path: string; filter: Filter }[] = [];
  for (const item of raw) {
    const m = item.includes('[') ? VALUE_FILTER_RE.exec(item) : null;
    if (!m) {
      if (item.includes('[')) throw new InvalidFilterError(`attributes: "${item}" is not an attribute path or attr[filter]`);
      attributes.push(item.toLowerCase());
      continue;
    }
    if (!leniency.attributeValueFilters) {
      throw new InvalidFilterError(`attributes: "${item}" holds a value filter; attributes names attributes only (RFC 7644 §3.4.2.5, §3.10)`);
    }
    const path = m[1].trim().toLowerCase();
    valueFilters.push({ path, filter: parseFilter(m[2], { unquotedValues: leniency.unquotedFilterValues }) });
    attributes.push(`${path}${m[3] ? m[3].toLowerCase() : ''}`);
  }
  return { attributes, excluded, ...(valueFilters.length > 0 ? { valueFilters } : {}) };
}

/** Canonical key path of a requested path: [top-level key, sub-key?], or undefined when unknown. */
function resolve(path: string, rt: ResourceTypeDef): string[] | undefined {
  for (const ext of rt.extensions) {
    const urn = ext.schema.id.toLowerCase();
    if (path === urn) return [ext.schema.id];
    if (path.startsWith(urn + ':')) {
      const [name, sub] = path.slice(urn.length + 1).split('.');
      const a = findAttr(ext.schema.attributes, name);
      if (!a) return undefined;
      const s = sub ? findAttr(a.subAttributes, sub) : undefined;
      return [ext.schema.id, a.name, ...(s ? [s.name] : [])];
    }
  }
  const core = rt.schema.id.toLowerCase() + ':';
  const local = path.startsWith(core) ? path.slice(core.length) : path;
  const [name, sub] = local.split('.');
  const a = findAttr(rt.schema.attributes, name) ?? findAttr(commonAttributes, name);
  if (!a) return undefined;
  const s = sub ? findAttr(a.subAttributes, sub) : undefined;
  return [a.name, ...(s ? [s.name] : [])];
}

/** Whether a top-level attribute (e.g. "members") is wanted, so the service can skip loading it. */
export function wants(p: Projection, name: string): boolean {
  const n = name.toLowerCase();
  if (p.attributes) return p.attributes.some((a) => a === n || a.startsWith(n + '.'));
  return !(p.excluded ?? []).includes(n);
}

const returnedCache = new WeakMap<ResourceTypeDef, { keys: string[]; returned: Returned }[]>();

/** Key paths of the resource type's attributes whose `returned` is not "default" (RFC 7643 §2.2). */
function returnedPaths(rt: ResourceTypeDef): { keys: string[]; returned: Returned }[] {
  const cached = returnedCache.get(rt);
  if (cached) return cached;
  const out: { keys: string[]; returned: Returned }[] = [];
  const walk = (attrs: AttributeDef[], prefix: string[]) => {
    for (const a of attrs) {
      if (a.returned !== 'default') out.push({ keys: [...prefix, a.name], returned: a.returned });
      for (const sub of a.subAttributes ?? []) if (sub.returned !== 'default') out.push({ keys: [...prefix, a.name, sub.name], returned: sub.returned });
    }
  };
  walk([...rt.schema.attributes, ...commonAttributes], []);
  for (const ext of rt.extensions) walk(ext.schema.attributes, [ext.schema.id]);
  returnedCache.set(rt, out);
  return out;
}

/** Whether the resource holds a value at the key path (in any element of a multi-valued attribute). */
function holds(value: unknown, keys: string[]): boolean {
  if (keys.length === 0) return value !== undefined;
  if (Array.isArray(value)) return value.some((el) => holds(el, keys));
  return !!value && typeof value === 'object' && holds((value as Record<string, unknown>)[keys[0]], keys.slice(1));
}

const samePath = (a: string[] | undefined, b: string[]) => !!a && a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * Applies a projection to a wire resource (RFC 7644 §3.4.2.5) and the schema's `returned`
 * characteristic (RFC 7643 §2.2): "always" attributes (id, and `schemas`) are returned whatever the
 * projection; "never" ones never; "request" ones only when `attributes` names them; with
 * `attributes`, only the listed attributes (and sub-attributes) are kept; with `excludedAttributes`,
 * the listed ones are dropped. Unknown names are ignored.
 */
export function applyProjection(resource: Record<string, unknown>, rt: ResourceTypeDef, p: Projection): Record<string, unknown> {
  const special = returnedPaths(rt);
  const hidden = special.filter((s) => s.returned === 'never' || s.returned === 'request');
  if (!p.attributes && !p.excluded && !hidden.some((s) => holds(resource, s.keys))) return resource;
  const requested = (p.attributes ?? []).map((path) => resolve(path, rt));
  let out: Record<string, unknown>;
  if (p.attributes) {
    out = { schemas: resource.schemas };
    for (const s of special) if (s.returned === 'always') copyPath(resource, out, s.keys);
    for (const keys of requested) copyPath(resource, out, keys);
    if (out.schemas === undefined) delete out.schemas;
  } else {
    out = structuredClone(resource);
    for (const path of p.excluded ?? []) {
      const keys = resolve(path, rt);
      if (keys && keys[0] !== 'schemas' && !special.some((s) => s.returned === 'always' && samePath(keys, s.keys))) deletePath(out, keys);
    }
  }
  for (const s of hidden) if (s.returned === 'never' || !requested.some((keys) => samePath(keys, s.keys))) deletePath(out, s.keys);
  if (p.valueFilters) keepMatching(resource, out, rt, p);
  return out;
}

/** The definition of the top-level attribute at canonical key path `keys` ([name] or [urn, name]). */
function topAttribute(keys: string[], rt: ResourceTypeDef): AttributeDef | undefined {
  const ext = rt.extensions.find((e) => e.schema.id === keys[0]);
  if (ext) return keys[1] ? findAttr(ext.schema.attributes, keys[1]) : undefined;
  return findAttr(rt.schema.attributes, keys[0]) ?? findAttr(commonAttributes, keys[0]);
}

function valueAt(obj: Record<string, unknown>, keys: string[]): unknown {
  return keys.reduce<unknown>((v, k) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined), obj);
}

/**
 * Keeps, of each multi-valued attribute named with value filters in `attributes`, the values that
 * match one of its filters (judged on the full value, so `emails[type eq "work"].value` works);
 * an attribute left without values is absent.
 */
function keepMatching(resource: Record<string, unknown>, out: Record<string, unknown>, rt: ResourceTypeDef, p: Projection): void {
  const byPath = new Map<string, Filter[]>();
  for (const f of p.valueFilters ?? []) byPath.set(f.path, [...(byPath.get(f.path) ?? []), f.filter]);
  for (const [path, filters] of byPath) {
    const keys = resolve(path, rt);
    const attr = keys && keys.length <= 2 ? topAttribute(keys, rt) : undefined;
    if (!keys || !attr || !attr.multiValued) continue;
    const source = valueAt(resource, keys);
    const holder = keys.length === 2 ? valueAt(out, keys.slice(0, 1)) : out;
    const last = keys[keys.length - 1];
    if (!Array.isArray(source) || !holder || typeof holder !== 'object') continue;
    const projected = (holder as Record<string, unknown>)[last];
    if (!Array.isArray(projected)) continue;
    const kept = projected.filter((_, i) => filters.some((f) => matchesElement(f, source[i], attr)));
    if (kept.length > 0) (holder as Record<string, unknown>)[last] = kept;
    else {
      delete (holder as Record<string, unknown>)[last];
      if (keys.length === 2 && Object.keys(holder).length === 0) delete out[keys[0]];
    }
  }
}

function copyPath(from: Record<string, unknown>, to: Record<string, unknown>, keys: string[] | undefined): void {
  if (!keys || from[keys[0]] === undefined) return;
  const [head, ...rest] = keys;
  if (rest.length === 0) {
    to[head] = from[head];
    return;
  }
  const value = from[head];
  if (Array.isArray(value)) {
    const prev = Array.isArray(to[head]) ? (to[head] as Record<string, unknown>[]) : value.map(() => ({}));
    value.forEach((el, i) => copyPath(el as Record<string, unknown>, prev[i], rest));
    to[head] = prev;
  } else if (value && typeof value === 'object') {
    const target = (to[head] as Record<string, unknown>) ?? {};
    copyPath(value as Record<string, unknown>, target, rest);
    to[head] = target;
  }
}

function deletePath(obj: Record<string, unknown>, keys: string[]): void {
  const [head, ...rest] = keys;
  if (rest.length === 0) {
    delete obj[head];
    return;
  }
  const value = obj[head];
  for (const el of Array.isArray(value) ? value : [value]) if (el && typeof el === 'object') deletePath(el as Record<string, unknown>, rest);
}
