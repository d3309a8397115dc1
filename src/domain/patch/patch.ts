import { InvalidPathError, InvalidSyntaxError, InvalidValueError, MutabilityError, NoTargetError } from '../errors';
import type { PatchPath } from '../query/ast';
import { parsePatchPath } from '../query/filter-parser';
import { ResourceTypeDef, SchemaDef } from '../schema/attribute';
import { LENIENT, Leniency } from '../schema/leniency';
import {
  attributeName,
  coreAttributes,
  Document,
  findExtension,
  isPlainObject,
  normalizeResource,
  normalizeValue,
  readAttribute,
  ResolvedAttribute,
} from '../schema/normalize';
import { removeAt, setAt } from './apply';
import { inputLimits } from '../limits';
import { jsonEqual } from './json';
import { assertNotReadOnly, leafOf, resolveTarget, Target } from './target';

export type PatchOpName = 'add' | 'replace' | 'remove';

/** An operation on a delegated attribute, handed back unapplied: op lower-cased, path parsed, value as sent. */
export interface DelegatedOp {
  op: PatchOpName;
  path?: PatchPath;
  value?: unknown;
}

export interface PatchOptions {
  /** lower-case canonical names of core attributes whose operations the caller applies itself (e.g. ['members']) */
  delegated?: string[];
  /** what the client's dialect tolerates beyond RFC 7644 (default LENIENT) */
  leniency?: Leniency;
  /** filled with the paths of a path-less value ignored as unknown (lenient; for the mapping health) */
  unknown?: Set<string>;
}

export interface PatchResult {
  doc: Document;
  /** canonical names (`urn:...:User:department` for extension attributes) whose value changed */
  changed: string[];
  delegated: DelegatedOp[];
  /** the new password (writeOnly, never stored in the document) */
  password?: string;
}

/** One validated member of "Operations". */
interface Operation {
  op: PatchOpName;
  path?: string;
  value: unknown;
  /** whether the operation has a "value" member at all (null counts) */
  hasValue: boolean;
}

/**
 * One operation on one path. Steps expanded from a path-less value object (or an extension
 * object) are lenient, like a PUT body: unknown and readOnly attributes in them are ignored.
 */
interface Step {
  op: PatchOpName;
  path: PatchPath;
  label: string;
  value: unknown;
  hasValue: boolean;
  lenient: boolean;
}

const OPS: readonly PatchOpName[] = ['add', 'replace', 'remove'];
/** Keys of a path-less value that are not attributes to patch (the caller checks `id` itself). */
const IGNORED_KEYS = new Set(['schemas', 'id', 'meta']);

/** A member of an object by case-insensitive name (RFC 7643 §2.1). */
function member(obj: Record<string, unknown>, name: string): { found: boolean; value: unknown } {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name);
  return key === undefined ? { found: false, value: undefined } : { found: true, value: obj[key] };
}

/**
 * Validates one member of "Operations" (RFC 7644 §3.5.2): `op` (in any case when the leniency
 * allows it), optional `path`, `value` (on remove only when the leniency allows it: Entra's
 * remove-with-value form).
 */
function parseOperation(raw: unknown, i: number, leniency: Leniency): Operation {
  if (!isPlainObject(raw)) throw new InvalidSyntaxError(`Operations[${i}] must be an object`);
  const op = member(raw, 'op').value;
  const name = typeof op === 'string' ? ((leniency.opCase ? op.toLowerCase() : op) as PatchOpName) : undefined;
  if (!name || !OPS.includes(name)) throw new InvalidSyntaxError(`Operations[${i}]: "op" must be add, replace or remove, got ${JSON.stringify(op)}`);
  const path = member(raw, 'path').value;
  if (path !== undefined && path !== null && typeof path !== 'string') throw new InvalidPathError(`Operations[${i}]: "path" must be a string`);
  const value = member(raw, 'value');
  if (name !== 'remove' && !value.found) throw new InvalidValueError(`Operations[${i}]: "${name}" requires a "value" (RFC 7644 §3.5.2.1)`);
  // RFC 7644 §3.5.2.2 gives remove no value: the values to remove are named by a filter in the path
  if (name === 'remove' && value.value !== undefined && value.value !== null && !leniency.removeWithValue) {
    throw new InvalidSyntaxError(`Operations[${i}]: remove takes no "value"; name the values in the path, e.g. members[value eq "…"] (RFC 7644 §3.5.2.2)`);
  }
  const text = typeof path === 'string' && path.trim() !== '' ? path.trim() : undefined;
  return { op: name, ...(text !== undefined ? { path: text } : {}), value: value.value, hasValue: value.found };
}

function parseOperations(operations: unknown, leniency: Leniency): Operation[] {
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new InvalidSyntaxError('a PatchOp needs "Operations": an array of one or more operations (RFC 7644 §3.5.2)');
  }
  return operations.map((o, i) => parseOperation(o, i, leniency));
}

/**
 * The step for a key of a value object. Lenient (pathlessExtraKeys): a key that is no path, no
 * attribute or a readOnly one is ignored, as in a PUT body; strict: those are errors.
 */
function lenientStep(op: PatchOpName, key: string, value: unknown, leniency: Leniency): Step[] {
  try {
    return [{ op, path: parsePatchPath(key), label: key, value, hasValue: true, lenient: leniency.pathlessExtraKeys }];
  } catch (e) {
    if (e instanceof InvalidPathError && leniency.pathlessExtraKeys) return [];
    throw e;
  }
}

/**
 * An operation whose path is an extension schema URN: add/replace set each attribute of the
 * value object, remove (or a null value) removes every attribute of the extension.
 */
function expandExtension(op: PatchOpName, value: unknown, ext: SchemaDef, leniency: Leniency): Step[] {
  if (op === 'remove' || (value === null && leniency.nullMeansRemove)) {
    return ext.attributes.flatMap((a) => lenientStep('remove', `${ext.id}:${a.name}`, undefined, LENIENT));
  }
  if (!isPlainObject(value)) throw new InvalidValueError(`"${ext.id}" needs an object of extension attributes`);
  assertKeyCount(value, ext.attributes.length, `"${ext.id}"`);
  return Object.entries(value).flatMap(([k, v]) => lenientStep(op, `${ext.id}:${k}`, v, leniency));
}

/**
 * RFC 7644 §3.5.2.1/§3.5.2.3 without "path": the value object's keys (attribute names, dotted
 * `name.givenName`, URN-qualified names, or an extension URN holding an object) each act as an
 * operation of their own.
 */
function expandValueObject(op: PatchOpName, value: unknown, rt: ResourceTypeDef, leniency: Leniency): Step[] {
  if (op === 'remove') throw new NoTargetError('remove requires a "path" (RFC 7644 §3.5.2.2)');
  if (!isPlainObject(value)) throw new InvalidValueError(`${op} without a "path" needs an object of attributes as its value (RFC 7644 §3.5.2.1)`);
  assertKeyCount(value, allAttributes(rt).length + rt.extensions.length + IGNORED_KEYS.size, `the value of ${op} without a "path"`);
  return Object.entries(value).flatMap(([key, v]) => {
    const ignored = key.toLowerCase() === 'schemas' || (leniency.pathlessExtraKeys && IGNORED_KEYS.has(key.toLowerCase()));
    if (ignored) return [];
    const ext = findExtension(rt, key, leniency);
    return ext ? expandExtension(op, v, ext, leniency) : lenientStep(op, key, v, leniency);
  });
}

/**
 * A path-less value names at most every attribute once plus inputLimits.maxUnknownKeys members
 * that are none; more is refused before each key is parsed as a path (bounded work).
 */
function assertKeyCount(value: Record<string, unknown>, known: number, where: string): void {
  const n = Object.keys(value).length;
  if (n > known + inputLimits.maxUnknownKeys) {
    throw new InvalidValueError(`${where} has ${n} members, more than its attributes plus ${inputLimits.maxUnknownKeys} unknown ones (see docs/limits.md)`);
  }
}

function expand(operation: Operation, rt: ResourceTypeDef, leniency: Leniency): Step[] {
  const { op, path, value, hasValue } = operation;
  if (path === undefined) return expandValueObject(op, value, rt, leniency);
  const ext = findExtension(rt, path, leniency);
  if (ext) return expandExtension(op, value, ext, leniency);
  return [{ op, path: parsePatchPath(path), label: path, value, hasValue, lenient: false }];
}

interface PatchState {
  doc: Document;
  delegated: DelegatedOp[];
  password?: string;
}

function resolveStep(step: Step, rt: ResourceTypeDef, leniency: Leniency, unknown?: Set<string>): Target | undefined {
  try {
    return resolveTarget(step.path, rt, step.label, leniency);
  } catch (e) {
    if (step.lenient && e instanceof InvalidPathError) {
      unknown?.add(step.label);
      return undefined;
    }
    throw e;
  }
}

/** Applies one step to the state (see applyPatch for the rules); true when it worked on the document. */
function runStep(step: Step, state: PatchState, rt: ResourceTypeDef, delegated: Set<string>, leniency: Leniency, unknown?: Set<string>): boolean {
  const target = resolveStep(step, rt, leniency, unknown);
  if (!target) return false;
  if (!target.top.extension && delegated.has(target.top.attr.name.toLowerCase())) {
    state.delegated.push({ op: step.op, path: step.path, ...(step.hasValue ? { value: step.value } : {}) });
    return false;
  }
  try {
    assertNotReadOnly(target);
  } catch (e) {
    if (step.lenient && e instanceof MutabilityError) return false;
    throw e;
  }
  // Entra sends {"op":"Replace","path":"title","value":null} to clear an attribute.
  if (step.op !== 'remove' && step.value === null && !leniency.nullMeansRemove) {
    throw new InvalidValueError(`"${step.label}": ${step.op} needs a value; use remove to clear an attribute (RFC 7644 §3.5.2.2)`);
  }
  const op = step.op !== 'remove' && step.value === null ? 'remove' : step.op;
  if (target.top.attr.mutability === 'writeOnly') {
    const value = op === 'remove' ? undefined : normalizeValue(step.value, leafOf(target), step.label, leniency);
    if (target.top.attr.name === 'password' && typeof value === 'string') state.password = value;
    return false;
  }
  if (op === 'remove') removeAt(state.doc, target, step.value, leniency);
  else setAt(state.doc, target, step.value, op, leniency);
  return true;
}

/** Every catalogue attribute of the resource type, core then extensions. */
function allAttributes(rt: ResourceTypeDef): ResolvedAttribute[] {
  return [
    ...coreAttributes(rt).map((attr) => ({ attr })),
    ...rt.extensions.flatMap((e) => e.schema.attributes.map((attr) => ({ attr, extension: e.schema.id }))),
  ];
}

/** Canonical names of the attributes whose values differ between two documents, in catalogue order. */
function changedAttributes(before: Document, after: Document, rt: ResourceTypeDef): string[] {
  return allAttributes(rt)
    .filter((r) => !jsonEqual(readAttribute(before, r), readAttribute(after, r)))
    .map(attributeName);
}

/**
 * Applies the Operations of a PatchOp (RFC 7644 §3.5.2) to a copy of a document; the input is
 * never modified and any failing operation fails the whole PATCH (atomicity, §3.5.2).
 *
 * - `opts.leniency` (default LENIENT; the SCIM edge passes the client's IdP profile) decides
 *   what goes beyond the RFC: op case, string booleans and value shapes, null as remove, extra
 *   keys in a path-less value, bare extension attribute paths, the misspelt enterprise URN.
 * - `op` is add, replace or remove (in any case when lenient: Entra sends "Replace"); anything
 *   else, a non-array or empty Operations, or a non-object operation is InvalidSyntaxError. add
 *   and replace need a `value` (InvalidValueError).
 * - Paths (§3.5.2, parsed by parsePatchPath): attribute, sub-attribute, URN-qualified core or
 *   extension attribute, an extension URN itself, value filter, value filter + sub-attribute.
 *   Unknown attributes are InvalidPathError.
 * - Without a path, add/replace take an object whose keys act as paths; `schemas` is ignored;
 *   lenient: `id`, `meta`, unknown and readOnly keys are ignored too, as in a PUT body (strict:
 *   invalidPath / mutability). remove without a path is NoTargetError (§3.5.2.2).
 * - A null value on add/replace removes the path when lenient (Entra clears attributes that
 *   way); strict: InvalidValueError.
 * - replace with a value filter matching nothing is NoTargetError (§3.5.2.3), except for a
 *   sub-attribute path whose filter is `eq` conjunctions (Entra's `emails[type eq "work"].value`)
 *   and for add, which create the element the filter describes. remove matching nothing is no
 *   change, so deprovisioning retries are idempotent.
 * - Mutability (RFC 7643 §2.2): readOnly targets and removing a required attribute (§3.5.2.2)
 *   or changing an immutable value once set are MutabilityError.
 * - Values are typed by normalizeValue ("False" strings included); setting primary true clears
 *   it elsewhere (§3.5.2); adding a value already held changes nothing (§3.5.2.1).
 * - `password` (writeOnly) is returned, never stored.
 * - Operations on attributes listed in `opts.delegated` are not applied but returned in order,
 *   a path-less object's delegated key split out as its own operation with that path.
 * - The result is re-checked with normalizeResource (required attributes present).
 */
export function applyPatch(doc: Document, operations: unknown, rt: ResourceTypeDef, opts: PatchOptions = {}): PatchResult {
  const leniency = opts.leniency ?? LENIENT;
  const steps = parseOperations(operations, leniency).flatMap((o) => expand(o, rt, leniency));
  const delegated = new Set((opts.delegated ?? []).map((n) => n.toLowerCase()));
  const state: PatchState = { doc: structuredClone(doc), delegated: [] };
  // a step on the document costs up to the size of the attribute it touches; delegated steps
  // (members) are set operations done by the caller, linear on their own
  let documentSteps = 0;
  for (const step of steps) {
    if (runStep(step, state, rt, delegated, leniency, opts.unknown) && ++documentSteps > inputLimits.maxPatchOperations) {
      throw new InvalidValueError(`the PATCH has more than ${inputLimits.maxPatchOperations} operations on the resource's attributes (see docs/limits.md)`);
    }
  }
  const result = normalizeResource(state.doc, rt, { requireRequired: true }).doc;
  return {
    doc: result,
    changed: changedAttributes(doc, result, rt),
    delegated: state.delegated,
    ...(state.password !== undefined ? { password: state.password } : {}),
  };
}
