import { isPlainObject, Document } from '../schema/normalize';
import type { AttributeDef, ResourceTypeDef } from '../schema/attribute';
import { findAttr } from '../schema/attribute';
import type { AttributeChange, EventDraft } from './event-types';

/** True when an attribute may never leave the server (RFC 7643 §2.2: returned "never", or writeOnly). */
function secret(def: AttributeDef | undefined): boolean {
  return !!def && (def.returned === 'never' || def.mutability === 'writeOnly');
}

/** Definitions of a document level: core attributes at the top, an extension's under its URN. */
function levelDefs(rt: ResourceTypeDef, key: string): { def?: AttributeDef; ext?: AttributeDef[] } {
  const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === key.toLowerCase());
  if (ext) return { ext: ext.schema.attributes };
  return { def: findAttr(rt.schema.attributes, key) };
}

/**
 * A document as events may carry it: every attribute the schema marks returned "never" or
 * writeOnly is dropped, at any depth. Passwords are already dropped on input; this makes it a
 * property of the schema catalogue rather than of today's input handling.
 */
export function publicDocument(doc: Document, rt: ResourceTypeDef): Document {
  const out: Document = {};
  for (const [key, value] of Object.entries(doc)) {
    const { def, ext } = levelDefs(rt, key);
    if (ext && isPlainObject(value)) out[key] = pruneLevel(value, ext);
    else if (!secret(def)) out[key] = def?.subAttributes ? pruneValue(value, def.subAttributes) : value;
  }
  return out;
}

function pruneLevel(obj: Document, defs: AttributeDef[]): Document {
  const out: Document = {};
  for (const [key, value] of Object.entries(obj)) {
    const def = findAttr(defs, key);
    if (!secret(def)) out[key] = def?.subAttributes ? pruneValue(value, def.subAttributes) : value;
  }
  return out;
}

function pruneValue(value: unknown, subs: AttributeDef[]): unknown {
  if (Array.isArray(value)) return value.map((v) => (isPlainObject(v) ? pruneLevel(v, subs) : v));
  return isPlainObject(value) ? pruneLevel(value, subs) : value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The attribute-level difference of two (already public) documents: single-valued complex
 * attributes and extensions are compared sub-attribute by sub-attribute (`name.familyName`,
 * `urn:…:User:department`), multi-valued ones as a whole. `meta`, `id` and `schemas` are not attributes changes.
 */
export function diffDocuments(before: Document, after: Document): AttributeChange[] {
  const changes: AttributeChange[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !['meta', 'id', 'schemas'].includes(k));
  for (const key of keys.sort()) {
    const a = before[key];
    const b = after[key];
    if (same(a, b)) continue;
    const nested = (isPlainObject(a) || a === undefined) && (isPlainObject(b) || b === undefined);
    if (!nested) {
      changes.push({ attribute: key, old: a ?? null, new: b ?? null });
      continue;
    }
    const sep = key.startsWith('urn:') ? ':' : '.';
    const aa = (a ?? {}) as Document;
    const bb = (b ?? {}) as Document;
    for (const sub of [...new Set([...Object.keys(aa), ...Object.keys(bb)])].sort()) {
      if (!same(aa[sub], bb[sub])) changes.push({ attribute: `${key}${sep}${sub}`, old: aa[sub] ?? null, new: bb[sub] ?? null });
    }
  }
  return changes;
}

/** Identifying attributes that every user event carries, so a consumer needs no lookup. */
function userKeys(doc: Document): Document {
  return { userName: doc.userName, externalId: doc.externalId ?? null };
}

/**
 * The events of one user change (RFC 7644 §3.5 PUT/PATCH): user.updated with the changed
 * attributes other than `active`, then user.deactivated or user.reactivated when `active` flipped.
 */
export function userChangeEvents(rt: ResourceTypeDef, id: string, version: number, beforeDoc: Document, afterDoc: Document): EventDraft[] {
  const before = publicDocument(beforeDoc, rt);
  const after = publicDocument(afterDoc, rt);
  const changes = diffDocuments(before, after);
  const wasActive = before.active !== false;
  const isActive = after.active !== false;
  const others = changes.filter((c) => c.attribute !== 'active');
  const drafts: EventDraft[] = [];
  const base = { resourceType: 'User', id, version, ...userKeys(after) };
  if (others.length > 0) drafts.push({ type: 'user.updated', subject: id, data: { ...base, changes: others }, changed: others.map((c) => c.attribute) });
  if (wasActive !== isActive) drafts.push({ type: isActive ? 'user.reactivated' : 'user.deactivated', subject: id, data: base, changed: ['active'] });
  return drafts;
}

/** user.created / user.restored: the whole public document (a new resource has no delta to give). */
export function userSnapshotEvent(rt: ResourceTypeDef, type: 'user.created' | 'user.restored', id: string, version: number, doc: Document): EventDraft {
  const attributes = publicDocument(doc, rt);
  return { type, subject: id, data: { resourceType: 'User', id, version, ...userKeys(doc), attributes }, changed: Object.keys(attributes) };
}

/** user.deleted: the identifying attributes only. */
export function userDeletedEvent(id: string, version: number, doc: Document): EventDraft {
  return { type: 'user.deleted', subject: id, data: { resourceType: 'User', id, version, ...userKeys(doc) } };
}

/** Members per event: a large delta becomes several events, each well below broker message limits. */
export const MEMBERS_PER_EVENT = 1000;

/** group.members_added / group.members_removed: the delta only, in chunks. */
export function memberEvents(
  type: 'group.members_added' | 'group.members_removed',
  groupId: string,
  version: number,
  members: string[],
  extra: Record<string, unknown> = {},
): EventDraft[] {
  const drafts: EventDraft[] = [];
  const sorted = [...members].sort();
  for (let i = 0; i < sorted.length; i += MEMBERS_PER_EVENT) {
    drafts.push({ type, subject: groupId, data: { resourceType: 'Group', id: groupId, version, members: sorted.slice(i, i + MEMBERS_PER_EVENT), ...extra }, changed: ['members'] });
  }
  return drafts;
}

/** Group create / update / delete events; attribute documents never carry members (they live in rows). */
export function groupEvents(
  rt: ResourceTypeDef,
  kind: 'created' | 'updated' | 'deleted',
  id: string,
  version: number,
  afterDoc: Document,
  beforeDoc?: Document,
): EventDraft[] {
  const after = publicDocument(afterDoc, rt);
  const base = { resourceType: 'Group', id, version, displayName: after.displayName, externalId: after.externalId ?? null };
  if (kind === 'created') return [{ type: 'group.created', subject: id, data: { ...base, attributes: after }, changed: Object.keys(after) }];
  if (kind === 'deleted') return [{ type: 'group.deleted', subject: id, data: base }];
  const changes = diffDocuments(publicDocument(beforeDoc ?? {}, rt), after).filter((c) => c.attribute !== 'members');
  return changes.length ? [{ type: 'group.updated', subject: id, data: { ...base, changes }, changed: changes.map((c) => c.attribute) }] : [];
}

/** Net member delta of a sequence of adds and removes (a member added then removed is no change). */
export class MemberDelta {
  readonly added = new Set<string>();
  readonly removed = new Set<string>();

  add(ids: Iterable<string>): void {
    for (const id of ids) if (!this.removed.delete(id)) this.added.add(id);
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) if (!this.added.delete(id)) this.removed.add(id);
  }
}
