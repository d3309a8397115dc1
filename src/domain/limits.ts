/**
 * What one request may make the domain do (issue 13: bounded work per request). Every cap is
 * checked before the work it bounds, and hitting one is a 400 naming the attribute (see
 * docs/limits.md). The process sets them once at start (configureInputLimits, from the
 * environment); the defaults below are what tests and the CLI get.
 */
export interface InputLimits {
  /** values a multi-valued attribute may hold (as sent, and after a PATCH), unless listed in maxValuesByAttribute */
  maxValues: number;
  /** per-attribute caps by lower-case attribute name (`emails`, `members`, a custom attribute's name) */
  maxValuesByAttribute: Record<string, number>;
  /** members of one object of a body that name no attribute (ignored unknown attributes, RFC 7643 §2.2 leniency) */
  maxUnknownKeys: number;
  /**
   * characters of the attributes held in btree-indexed columns (userName, externalId,
   * displayName): 512 characters are at most 2,048 UTF-8 bytes, under PostgreSQL's 2,704-byte
   * btree row limit, so an over-long value is a 400 naming it, not an index error
   */
  maxIndexedStringLength: number;
  /** characters of any other string value */
  maxStringLength: number;
  /** PATCH operations on the document's attributes in one request (member operations of a group are not counted) */
  maxPatchOperations: number;
  /** members of any one object of a JSON body, known or not: checked on the raw text, before JSON.parse (json-shape.ts) */
  maxObjectMembers: number;
  /** objects and arrays in one JSON body, all levels together (before JSON.parse) */
  maxContainers: number;
  /** nesting of objects and arrays in one JSON body (before JSON.parse) */
  maxDepth: number;
  /** distinct sequences of member names in one JSON body, counted as the nodes of their prefix tree (before JSON.parse) */
  maxNamePaths: number;
  /** the same for a /Bulk body (never below maxNamePaths) */
  maxBulkNamePaths: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxValues: 100,
  // group members live in their own table, are added by set operations, and an IdP may push a
  // large group in one request: their cap is the body size's order of magnitude
  maxValuesByAttribute: { members: 50_000 },
  maxUnknownKeys: 100,
  maxIndexedStringLength: 512,
  maxStringLength: 64 * 1024,
  // each step on a multi-valued attribute may scan its values: 200 x maxValues stays a few ms
  maxPatchOperations: 200,
  // a resource names each attribute once plus at most maxUnknownKeys others: 1,000 members leave
  // room for large custom schemas, while JSON.parse of an object that size stays well under 1 ms
  maxObjectMembers: 1000,
  // a group of 50,000 members is 50,000 objects; 2 MiB of `{}` would be 700,000
  maxContainers: 100_000,
  // SCIM bodies nest at most 6 deep (a /Bulk operation's data, an extension, manager)
  maxDepth: 64,
  // each new member name or new order of names costs V8 a hidden class (about 1 µs idle): a body
  // of users, groups or /Bulk operations from one IdP repeats a few dozen to a few hundred
  maxNamePaths: 10_000,
  // a /Bulk of 1,000 enterprise users whose client orders each object's keys at random (a map
  // serialised in its own iteration order) needs about 12,400; 25,000 paths cost JSON.parse about
  // 25 ms, where those 1,000 operations' writes take about a second
  maxBulkNamePaths: 25_000,
};

/** The limits in force (mutable only through configureInputLimits). */
export const inputLimits: InputLimits = structuredClone(DEFAULT_INPUT_LIMITS);

/** Sets the process's input limits (main.ts, from the environment); fields left out keep their defaults. */
export function configureInputLimits(partial: Partial<InputLimits>): void {
  Object.assign(inputLimits, structuredClone(DEFAULT_INPUT_LIMITS), partial, {
    maxValuesByAttribute: { ...DEFAULT_INPUT_LIMITS.maxValuesByAttribute, ...lowerKeys(partial.maxValuesByAttribute ?? {}) },
  });
}

function lowerKeys(caps: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(caps).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The cap on values of a multi-valued attribute, by its name. */
export function maxValuesOf(attributeName: string): number {
  return inputLimits.maxValuesByAttribute[attributeName.toLowerCase()] ?? inputLimits.maxValues;
}

const INDEXED = new Set(['username', 'externalid', 'displayname']);

/** The longest string an attribute of that name accepts. */
export function maxLengthOf(attributeName: string): number {
  return INDEXED.has(attributeName.toLowerCase()) ? inputLimits.maxIndexedStringLength : inputLimits.maxStringLength;
}
