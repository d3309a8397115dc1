import { InvalidSyntaxError, InvalidValueError } from '../errors';
import { AttributeDef, findAttr, ResourceTypeDef, SchemaDef } from './attribute';
import { commonAttributes, URN } from './core-schemas';
import { LENIENT, Leniency } from './leniency';
import { inputLimits, maxLengthOf, maxValuesOf } from '../limits';
import { assertStorableText } from '../text';

/**
 * A stored resource: core attributes at the top level under their canonical catalogue names, each
 * extension's attributes in an object under its schema URN. Never holds id, meta, schemas, readOnly
 * or writeOnly attributes; absent attributes are absent (no nulls, empty lists or empty objects).
 */
export type Document = Record<string, unknown>;

export interface NormalizeOptions {
  /** Reject a resource that lacks a required attribute (RFC 7643 §2.2 "required"): POST and PUT. */
  requireRequired: boolean;
  /** what the client's dialect tolerates beyond the RFC (default LENIENT) */
  leniency?: Leniency;
  /** filled with the names of the unknown attributes ignored (for the connection's mapping health) */
  unknown?: Set<string>;
}

/** A top-level attribute resolved against a resource type's schemas. */
export interface ResolvedAttribute {
  attr: AttributeDef;
  /** URN of the extension schema holding the attribute; undefined for core (and common) attributes. */
  extension?: string;
}

/** Counts the members of a body object that name no attribute; past the cap, the request is refused before more work. */
class UnknownKeys {
  private n = 0;
  constructor(private readonly where: string) {}
  add(): void {
    if (++this.n > inputLimits.maxUnknownKeys) {
      throw new InvalidValueError(`${this.where} has more than ${inputLimits.maxUnknownKeys} members that are no attribute (see docs/limits.md)`);
    }
  }
}

/** Microsoft Entra ID spells the enterprise extension URN without its last colon in some payloads. */
const URN_ALIASES = new Map<string, string>([['urn:ietf:params:scim:schemas:extension:enterprise:2.0user', URN.enterpriseUser]]);

/** Every key of the Operations of one resource type is compared lower-cased. */
const lower = (s: string): string => s.toLowerCase();

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Short JSON rendering of a client value for error messages. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function invalid(path: string, expected: string, value: unknown): InvalidValueError {
  return new InvalidValueError(`"${path}" must be ${expected}, got ${show(value)}`);
}

/** The core attributes of a resource type, with the common attributes of RFC 7643 §3.1. */
export function coreAttributes(rt: ResourceTypeDef): AttributeDef[] {
  return [...commonAttributes, ...rt.schema.attributes];
}

/**
 * The schema a URN names for this resource type (RFC 7643 §3: schema URNs), matched
 * case-insensitively, Entra's misspelt enterprise URN included.
 */
export function findSchema(rt: ResourceTypeDef, urn: string, leniency: Leniency = LENIENT): { schema: SchemaDef; extension: boolean } | undefined {
  const wanted = (leniency.misspeltEnterpriseUrn ? URN_ALIASES.get(lower(urn)) : undefined) ?? urn;
  if (lower(wanted) === lower(rt.schema.id)) return { schema: rt.schema, extension: false };
  const ext = rt.extensions.find((e) => lower(e.schema.id) === lower(wanted));
  return ext && { schema: ext.schema, extension: true };
}

/** The extension schema a URN names, or undefined (also for the core schema's URN). */
export function findExtension(rt: ResourceTypeDef, urn: string, leniency: Leniency = LENIENT): SchemaDef | undefined {
  const found = findSchema(rt, urn, leniency);
  return found?.extension ? found.schema : undefined;
}

/**
 * Resolves a top-level attribute name, case-insensitively (RFC 7643 §2.1), optionally qualified by
 * its schema URN (RFC 7644 §3.10). Unqualified names are core attributes.
 */
export function resolveAttribute(rt: ResourceTypeDef, name: string, uri?: string, leniency: Leniency = LENIENT): ResolvedAttribute | undefined {
  if (uri === undefined) {
    const attr = findAttr(coreAttributes(rt), name);
    return attr && { attr };
  }
  const found = findSchema(rt, uri, leniency);
  if (!found) return undefined;
  const attr = findAttr(found.extension ? found.schema.attributes : coreAttributes(rt), name);
  return attr && (found.extension ? { attr, extension: found.schema.id } : { attr });
}

/** Resolves a body key: `userName`, or fully qualified `urn:...:User:userName` / `urn:...:User:department`. */
function resolveKey(rt: ResourceTypeDef, key: string, leniency: Leniency): ResolvedAttribute | undefined {
  const cut = key.lastIndexOf(':');
  return /^urn:/i.test(key) && cut > 0 ? resolveAttribute(rt, key.slice(cut + 1), key.slice(0, cut), leniency) : resolveAttribute(rt, key);
}

/** The canonical name of a resolved attribute: `userName`, or `urn:...:User:department` for extensions. */
export function attributeName(r: ResolvedAttribute): string {
  return r.extension ? `${r.extension}:${r.attr.name}` : r.attr.name;
}

/** The value of a top-level attribute in a document. */
export function readAttribute(doc: Document, r: ResolvedAttribute): unknown {
  if (!r.extension) return doc[r.attr.name];
  const ext = doc[r.extension];
  return isPlainObject(ext) ? ext[r.attr.name] : undefined;
}

/** Sets (or with undefined, removes) a top-level attribute; an extension left empty is removed. */
export function writeAttribute(doc: Document, r: ResolvedAttribute, value: unknown): void {
  if (!r.extension) {
    if (value === undefined) delete doc[r.attr.name];
    else doc[r.attr.name] = value;
    return;
  }
  const ext = isPlainObject(doc[r.extension]) ? { ...(doc[r.extension] as Record<string, unknown>) } : {};
  if (value === undefined) delete ext[r.attr.name];
  else ext[r.attr.name] = value;
  if (Object.keys(ext).length > 0) doc[r.extension] = ext;
  else delete doc[r.extension];
}

function toBoolean(value: unknown, path: string, leniency: Leniency): boolean {
  if (typeof value === 'boolean') return value;
  if (leniency.coerceScalars && typeof value === 'string' && /^(true|false)$/i.test(value)) return lower(value) === 'true';
  throw invalid(path, 'a boolean', value);
}

const DATE_TIME_RE = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** xsd:dateTime (RFC 7643 §2.3.5), calendar-checked; the string is kept as sent. */
function toDateTime(value: unknown, path: string): string {
  const m = typeof value === 'string' ? DATE_TIME_RE.exec(value) : null;
  if (m) {
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    const valid =
      d.getUTCMonth() === month - 1 && d.getUTCDate() === day && hour < 24 && minute < 60 && second < 60 && !Number.isNaN(d.getTime());
    if (valid) return value as string;
  }
  throw invalid(path, 'an xsd:dateTime such as 2024-01-31T12:00:00Z', value);
}

/** string, reference and binary values; numbers are accepted for `string` (IdPs send employeeNumber: 42). */
function toText(value: unknown, attr: AttributeDef, path: string, leniency: Leniency): string {
  const coerce = leniency.coerceScalars && attr.type === 'string' && typeof value === 'number' && Number.isFinite(value);
  const text = coerce ? String(value) : value;
  if (typeof text !== 'string') throw invalid(path, `a ${attr.type === 'reference' ? 'reference (string)' : 'string'}`, value);
  const max = maxLengthOf(attr.name);
  if (text.length > max) throw new InvalidValueError(`"${path}" is longer than ${max} characters (${text.length})`);
  assertStorableText(text, path);
  return text;
}

/**
 * A complex value's sub-attributes, normalised; unknown and readOnly sub-attributes are dropped
 * (RFC 7643 §2.2). A scalar given for a single-valued complex attribute with a `value`
 * sub-attribute is taken as that value (Entra sends the enterprise manager as a bare id).
 */
function toComplex(value: unknown, attr: AttributeDef, path: string, leniency: Leniency): Record<string, unknown> | undefined {
  let object = value;
  const bareValue = leniency.coerceShapes && !attr.multiValued && typeof object !== 'object' && findAttr(attr.subAttributes, 'value');
  if (!isPlainObject(object) && bareValue) {
    object = { value: object };
  }
  if (!isPlainObject(object)) throw invalid(path, 'an object', value);
  const out: Record<string, unknown> = {};
  const unknown = new UnknownKeys(`"${path}"`);
  for (const key in object) {
    const raw = object[key];
    const sub = findAttr(attr.subAttributes, key);
    if (!sub) unknown.add();
    if (!sub || sub.mutability === 'readOnly') continue;
    const normalized = normalizeValue(raw, sub, `${path}.${sub.name}`, leniency);
    if (normalized !== undefined) out[sub.name] = normalized;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One value of an attribute's type (RFC 7643 §2.3), ignoring multiValued; undefined when absent. */
function normalizeSingle(value: unknown, attr: AttributeDef, path: string, leniency: Leniency): unknown {
  if (value === null || value === undefined) return undefined;
  switch (attr.type) {
    case 'complex':
      return toComplex(value, attr, path, leniency);
    case 'boolean':
      return toBoolean(value, path, leniency);
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw invalid(path, 'an integer', value);
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw invalid(path, 'a number', value);
    case 'dateTime':
      return toDateTime(value, path);
    default:
      return toText(value, attr, path, leniency);
  }
}

/**
 * One element of a multi-valued attribute (RFC 7643 §2.4), normalised; undefined when it is
 * null or ends up empty.
 */
export function normalizeElement(value: unknown, attr: AttributeDef, path: string, leniency: Leniency = LENIENT): unknown {
  return normalizeSingle(value, attr, path, leniency);
}

/** RFC 7643 §2.4: the primary attribute value "true" MUST appear no more than once. */
export function assertSinglePrimary(list: unknown[], attr: AttributeDef, path: string): void {
  const primaries = list.filter((el) => isPlainObject(el) && el.primary === true).length;
  if (primaries > 1) throw new InvalidValueError(`"${path}" has ${primaries} values marked primary; at most one may be (RFC 7643 §2.4)`);
}

/**
 * Normalises one attribute value against its catalogue definition (RFC 7643 §2.3 data types,
 * §2.4 multi-valued attributes). Returns undefined when the value amounts to "absent": null, an
 * empty list, an object without known writable sub-attributes. Where `leniency` allows it (the
 * known IdPs' profiles): "True"/"False" strings for booleans and numbers for strings
 * (coerceScalars); a lone value for a multi-valued attribute, a one-element list for a
 * single-valued one, a bare id for a complex attribute with a `value` sub-attribute
 * (coerceShapes). Strings are kept exactly as sent (an empty string included).
 * Throws InvalidValueError naming `path` for values of the wrong type.
 */
export function normalizeValue(value: unknown, attr: AttributeDef, path: string, leniency: Leniency = LENIENT): unknown {
  if (value === null || value === undefined) return undefined;
  if (attr.multiValued) {
    if (!Array.isArray(value) && !leniency.coerceShapes) throw invalid(path, 'an array (the attribute is multi-valued)', value);
    assertValueCount(value, attr, path);
    const list = (Array.isArray(value) ? value : [value])
      .map((el, i) => normalizeElement(el, attr, `${path}[${i}]`, leniency))
      .filter((el) => el !== undefined);
    assertSinglePrimary(list, attr, path);
    return list.length > 0 ? list : undefined;
  }
  if (Array.isArray(value)) {
    if (value.length > 1 || !leniency.coerceShapes) throw invalid(path, 'a single value', value);
    return normalizeSingle(value[0], attr, path, leniency);
  }
  return normalizeSingle(value, attr, path, leniency);
}

/** The per-attribute cap on values (inputLimits; counted as sent), checked before any value is read. */
export function assertValueCount(value: unknown, attr: AttributeDef, path: string): void {
  const max = maxValuesOf(attr.name);
  if (Array.isArray(value) && value.length > max) {
    throw new InvalidValueError(`"${path}" has ${value.length} values; at most ${max} are accepted (see docs/limits.md)`);
  }
}

/** Required attributes count as missing when absent or an empty string. */
function isMissing(value: unknown): boolean {
  return value === undefined || value === '';
}

/**
 * The first required attribute (RFC 7643 §2.2) or required extension (RFC 7643 §6
 * schemaExtensions.required) the document lacks, by canonical name; undefined when complete.
 */
export function missingRequired(doc: Document, rt: ResourceTypeDef): string | undefined {
  const core = coreAttributes(rt).find((a) => a.required && isMissing(doc[a.name]));
  if (core) return core.name;
  for (const { schema, required } of rt.extensions) {
    const ext = doc[schema.id];
    if (!isPlainObject(ext)) {
      if (required) return schema.id;
      continue;
    }
    const attr = schema.attributes.find((a) => a.required && isMissing(ext[a.name]));
    if (attr) return `${schema.id}:${attr.name}`;
  }
  return undefined;
}

/**
 * Turns a client-sent resource (POST or PUT body, RFC 7644 §3.3 and §3.5.1) into a document.
 *
 * - The body must be a JSON object (else InvalidSyntaxError).
 * - Names match case-insensitively (RFC 7643 §2.1) and are stored in catalogue spelling. Extension
 *   attributes are accepted under their schema URN key or fully qualified (`urn:...:User:department`,
 *   RFC 7644 §3.10); Entra's `...:enterprise:2.0User` counts as the enterprise URN.
 * - Unknown attributes and schemas, `schemas`, and readOnly attributes (id, meta, groups,
 *   members.display, ...) are ignored (RFC 7643 §2.2: readOnly values on input are ignored).
 * - `password` (writeOnly) is returned apart and never stored.
 * - null means absent (Entra sends nulls); empty lists and objects are absent; strings are kept
 *   as sent, an empty string included.
 * - Values are typed per {@link normalizeValue}; canonicalValues are not enforced (RFC 7643 §2.3.1 MAY).
 * - With `requireRequired`, a missing (or empty-string) required attribute is an InvalidValueError.
 */
export function normalizeResource(input: unknown, rt: ResourceTypeDef, opts: NormalizeOptions): { doc: Document; password?: string } {
  if (!isPlainObject(input)) throw new InvalidSyntaxError(`a ${rt.name} resource must be a JSON object`);
  const doc: Document = {};
  const leniency = opts.leniency ?? LENIENT;
  let password: string | undefined;
  const unknown = new UnknownKeys(`the ${rt.name}`);
  const assign = (r: ResolvedAttribute | undefined, raw: unknown, key: string): void => {
    if (!r) {
      unknown.add();
      if (raw !== null && raw !== undefined && lower(key) !== 'schemas') opts.unknown?.add(key);
      return;
    }
    if (r.attr.mutability === 'readOnly') return;
    const value = normalizeValue(raw, r.attr, attributeName(r), leniency);
    if (r.attr.mutability === 'writeOnly') {
      if (lower(r.attr.name) === 'password' && !r.extension) password = value as string | undefined;
      return;
    }
    writeAttribute(doc, r, value);
  };
  // for-in, not Object.entries: no array of every member is built before the unknown-key cap stops the loop
  for (const key in input) {
    const raw = input[key];
    const extension = findExtension(rt, key, leniency);
    if (!extension) {
      assign(resolveKey(rt, key, leniency), raw, key);
      continue;
    }
    if (raw === null || raw === undefined) continue;
    if (!isPlainObject(raw)) throw invalid(extension.id, 'an object of extension attributes', raw);
    for (const name in raw) assign(resolveAttribute(rt, name, extension.id, leniency), raw[name], `${extension.id}:${name}`);
  }
  if (opts.requireRequired) {
    const missing = missingRequired(doc, rt);
    if (missing) throw new InvalidValueError(`"${missing}" is required`);
  }
  return password === undefined ? { doc } : { doc, password };
}
