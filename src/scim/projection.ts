import { findAttr, ResourceTypeDef } from '../domain/schema/attribute';
import { commonAttributes } from '../domain/schema/core-schemas';

/** RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes`, as lower-cased attribute paths. */
export interface Projection {
  attributes?: string[];
  excluded?: string[];
}

function split(value: unknown): string[] | undefined {
  const text = Array.isArray(value) ? value.join(',') : value;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  return text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/** Reads `attributes` and `excludedAttributes` from a query string or a SearchRequest body. */
export function parseProjection(source: Record<string, unknown>): Projection {
  return { attributes: split(source.attributes), excluded: split(source.excludedAttributes ?? source.excludedattributes) };
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

/** Key paths of the attributes the catalogue marks returned "always" (RFC 7643 §2.2), extensions included. */
function alwaysReturned(rt: ResourceTypeDef): string[][] {
  return [
    ...rt.schema.attributes.filter((a) => a.returned === 'always').map((a) => [a.name]),
    ...rt.extensions.flatMap((e) => e.schema.attributes.filter((a) => a.returned === 'always').map((a) => [e.schema.id, a.name])),
  ];
}

/**
 * Applies a projection to a wire resource (RFC 7644 §3.4.2.5): `id`, `schemas` and attributes
 * whose `returned` is "always" are always returned; with `attributes`, only the listed attributes
 * (and sub-attributes) are kept besides; with `excludedAttributes`, the listed ones are dropped.
 * Unknown names are ignored.
 */
export function applyProjection(resource: Record<string, unknown>, rt: ResourceTypeDef, p: Projection): Record<string, unknown> {
  if (!p.attributes && !p.excluded) return resource;
  const always = new Set(['id', 'schemas']);
  if (p.attributes) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(resource)) if (always.has(key)) out[key] = resource[key];
    for (const path of p.attributes) copyPath(resource, out, resolve(path, rt));
    for (const keys of alwaysReturned(rt)) copyPath(resource, out, keys);
    return out;
  }
  const out = structuredClone(resource);
  for (const path of p.excluded ?? []) {
    const keys = resolve(path, rt);
    const kept = alwaysReturned(rt).some((a) => a.every((k, i) => keys?.[i] === k));
    if (keys && !always.has(keys[0]) && !kept) deletePath(out, keys);
  }
  return out;
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
