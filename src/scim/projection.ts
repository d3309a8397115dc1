import { AttributeDef, findAttr, ResourceTypeDef, Returned } from '../domain/schema/attribute';
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
