/**
 * Attribute characteristics, RFC 7643 §2.2 and §7.
 * One declarative description per attribute; validation, filter typing, projection, PATCH, PUT and
 * /Schemas all read it.
 */
export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'binary'
  | 'complex';

/** RFC 7643 §2.2 mutability. */
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
/** RFC 7643 §2.2 returned. */
export type Returned = 'always' | 'never' | 'default' | 'request';
/** RFC 7643 §2.2 uniqueness. */
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
}

/** RFC 7643 §7: a schema resource (without its meta). */
export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

/** RFC 7643 §6: a resource type with its core schema and extensions. */
export interface ResourceTypeDef {
  /** e.g. "User" */
  name: string;
  /** endpoint relative to the tenant base URL, e.g. "/Users" */
  endpoint: string;
  description: string;
  schema: SchemaDef;
  extensions: { schema: SchemaDef; required: boolean }[];
}

type AttrOpts = Partial<Omit<AttributeDef, 'name' | 'type'>>;

/** Builds an attribute with the RFC 7643 §2.2 defaults (readWrite, default-returned, not unique). */
export function attr(name: string, type: AttributeType, opts: AttrOpts = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...opts,
  };
}

/** Case-insensitive lookup of a sub-attribute or attribute by name (RFC 7643 §2.1: names are case-insensitive). */
export function findAttr(list: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  if (!list) return undefined;
  let index = byLowerName.get(list);
  if (index === undefined || index.length !== list.length) {
    const names = new Map<string, AttributeDef>();
    for (const a of list) {
      const key = a.name.toLowerCase();
      if (!names.has(key)) names.set(key, a);
    }
    byLowerName.set(list, (index = { length: list.length, names }));
  }
  return index.names.get(name.toLowerCase());
}

/**
 * Each attribute list's definitions by lower-cased name, built on its first lookup: every attribute
 * of every request body and filter is looked up, and a scan lower-cased each name of the list again.
 * Lists are built once (the catalogues), then only read; the length check rebuilds an index should
 * one grow after it was indexed.
 */
const byLowerName = new WeakMap<readonly AttributeDef[], { length: number; names: Map<string, AttributeDef> }>();
