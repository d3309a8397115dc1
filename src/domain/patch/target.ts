import { InvalidPathError, MutabilityError } from '../errors';
import type { Filter, PatchPath } from '../query/ast';
import { AttributeDef, findAttr, ResourceTypeDef } from '../schema/attribute';
import type { Leniency } from '../schema/leniency';
import { ResolvedAttribute, resolveAttribute } from '../schema/normalize';

/** Where a PATCH operation lands in a document (RFC 7644 §3.5.2 "path"), checked against the catalogue. */
export interface Target {
  /** the top-level attribute (core, common or extension) */
  top: ResolvedAttribute;
  /** sub-attribute: `name.givenName`, or after a value filter `emails[type eq "work"].value` */
  sub?: AttributeDef;
  /**
   * Present when the path selects elements of a multi-valued complex attribute: with a value
   * filter, or every element for a sub-attribute path without one (`emails.value`).
   */
  select?: { filter?: Filter };
  /** the path as the client wrote it, for messages */
  label: string;
}

/**
 * Checks that every attribute a value filter names is a plain sub-attribute of `parent`, or
 * `value` for a simple multi-valued parent (`tags[value eq "x"]`, as in filters, RFC 7644 §3.4.2.2).
 */
function checkFilter(filter: Filter, parent: AttributeDef, label: string): void {
  switch (filter.kind) {
    case 'and':
    case 'or':
      checkFilter(filter.left, parent, label);
      checkFilter(filter.right, parent, label);
      return;
    case 'not':
      checkFilter(filter.filter, parent, label);
      return;
    case 'valuePath':
      throw new InvalidPathError(`"${label}": value filters cannot be nested`);
    default:
      const known = parent.type === 'complex' ? !!findAttr(parent.subAttributes, filter.path.name) : filter.path.name.toLowerCase() === 'value';
      if (filter.path.uri || filter.path.sub || !known) {
        throw new InvalidPathError(`"${label}": ${parent.name} has no sub-attribute "${filter.path.name}"`);
      }
  }
}

/**
 * Resolves a parsed PATCH path (RFC 7644 §3.5.2: PATH = attrPath / valuePath [subAttr]) against a
 * resource type. Unknown attributes or sub-attributes, and filters on attributes that are not
 * multi-valued complex ones, are InvalidPathError.
 */
export function resolveTarget(path: PatchPath, rt: ResourceTypeDef, label: string, leniency?: Leniency): Target {
  const top = resolveAttribute(rt, path.path.name, path.path.uri, leniency) ?? (leniency?.unqualifiedExtensionPaths !== false && !path.path.uri ? inExtensions(rt, path.path.name) : undefined);
  if (!top) throw new InvalidPathError(`"${label}": no such attribute for ${rt.name}`);
  const subName = path.filter ? path.subAfterFilter : path.path.sub;
  if (path.filter) {
    if (!top.attr.multiValued) throw new InvalidPathError(`"${label}": a value filter needs a multi-valued attribute`);
    checkFilter(path.filter, top.attr, label);
  }
  let sub: AttributeDef | undefined;
  if (subName !== undefined) {
    sub = findAttr(top.attr.subAttributes, subName);
    if (top.attr.type !== 'complex' || !sub) throw new InvalidPathError(`"${label}": ${top.attr.name} has no sub-attribute "${subName}"`);
  }
  const selects = path.filter !== undefined || (top.attr.multiValued && sub !== undefined);
  return { top, sub, label, ...(selects ? { select: path.filter ? { filter: path.filter } : {} } : {}) };
}

/** The one extension attribute of that name (Entra's bare `manager`); none when absent or ambiguous. */
function inExtensions(rt: ResourceTypeDef, name: string): ResolvedAttribute | undefined {
  const found = rt.extensions.flatMap((e) => {
    const attr = findAttr(e.schema.attributes, name);
    return attr ? [{ attr, extension: e.schema.id }] : [];
  });
  return found.length === 1 ? found[0] : undefined;
}

/** RFC 7643 §2.2: a readOnly attribute (or sub-attribute) SHALL NOT be modified -> 400 mutability. */
export function assertNotReadOnly(target: Target): void {
  if (target.top.attr.mutability === 'readOnly' || target.sub?.mutability === 'readOnly') {
    throw new MutabilityError(`"${target.label}" is readOnly and cannot be modified`);
  }
}

/** The definition the operation's value is typed by: the sub-attribute, else the attribute. */
export function leafOf(target: Target): AttributeDef {
  return target.sub ?? target.top.attr;
}
