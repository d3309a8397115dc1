import { MutabilityError } from '../errors';
import { jsonEqual } from '../patch/json';
import type { AttributeDef, ResourceTypeDef } from './attribute';
import { coreAttributes, Document, isPlainObject, readAttribute, ResolvedAttribute, writeAttribute, attributeName } from './normalize';

/** Every top-level attribute of a resource type, core then extensions. */
function attributesOf(rt: ResourceTypeDef): ResolvedAttribute[] {
  return [
    ...coreAttributes(rt).map((attr) => ({ attr })),
    ...rt.extensions.flatMap((e) => e.schema.attributes.map((attr) => ({ attr, extension: e.schema.id }))),
  ];
}

/** RFC 7644 §3.5.1 for one immutable value: a value already set must match; omitted, it is kept. */
function keep(before: unknown, after: unknown, label: string): unknown {
  if (before === undefined) return after;
  if (after === undefined) return before;
  if (!jsonEqual(before, after)) throw new MutabilityError(`"${label}" is immutable and already set; a replace must send the same value`);
  return after;
}

/** Immutable sub-attributes of a single-valued complex attribute (multi-valued elements have no identity to compare). */
function immutableSubs(def: AttributeDef): AttributeDef[] {
  return def.type === 'complex' && !def.multiValued ? (def.subAttributes ?? []).filter((s) => s.mutability === 'immutable') : [];
}

/**
 * The document a PUT stores (RFC 7644 §3.5.1): the normalised body, where immutable attributes
 * already set must come with the same value (else MutabilityError) and, when omitted, keep the
 * stored one (an immutable value cannot be removed, RFC 7643 §2.2). readOnly and unknown
 * attributes were already dropped by the normaliser; `required` was checked there.
 */
export function replaceDocument(stored: Document, incoming: Document, rt: ResourceTypeDef): Document {
  const out: Document = structuredClone(incoming);
  for (const r of attributesOf(rt)) {
    const label = attributeName(r);
    const before = readAttribute(stored, r);
    if (r.attr.mutability === 'immutable') {
      writeAttribute(out, r, keep(before, readAttribute(out, r), label));
      continue;
    }
    const subs = immutableSubs(r.attr);
    if (subs.length === 0 || !isPlainObject(before)) continue;
    const after = readAttribute(out, r);
    const merged: Record<string, unknown> = isPlainObject(after) ? { ...after } : {};
    for (const sub of subs) {
      const value = keep(before[sub.name], merged[sub.name], `${label}.${sub.name}`);
      if (value !== undefined) merged[sub.name] = value;
    }
    writeAttribute(out, r, Object.keys(merged).length > 0 ? merged : undefined);
  }
  return out;
}
