/**
 * Typed AST of the SCIM filter language, RFC 7644 §3.4.2.2 (ABNF in Figure 1), and of PATCH paths,
 * RFC 7644 §3.5.2. Produced by the parser, checked against the schema catalogue, then compiled to SQL
 * or evaluated against one resource (the reference evaluator).
 */

/** RFC 7644 §3.4.2.2 attribute operators (compareOp); `pr` is a separate node. */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** attrPath = [URI ":"] ATTRNAME *1subAttr. Names keep the client's spelling; resolution is case-insensitive. */
export interface AttrPath {
  /** schema URN when fully qualified, e.g. urn:ietf:params:scim:schemas:extension:enterprise:2.0:User */
  uri?: string;
  name: string;
  sub?: string;
}

/** compValue = false / null / true / number / string (JSON literals). */
export type CompValue = string | number | boolean | null;

export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; left: Filter; right: Filter }
  | { kind: 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  /** valuePath = attrPath "[" valFilter "]"; the inner filter's paths are relative to one element. */
  | { kind: 'valuePath'; path: AttrPath; filter: Filter };

/** PATH = attrPath / valuePath [subAttr] (RFC 7644 §3.5.2). */
export interface PatchPath {
  path: AttrPath;
  /** value selection filter, relative to the elements of a multi-valued attribute */
  filter?: Filter;
  /** sub-attribute after the filter: emails[type eq "work"].value */
  subAfterFilter?: string;
}
