/**
 * How a resource type is laid out in PostgreSQL, for the filter/sort compiler.
 *
 * A resource row keeps its whole SCIM document (minus id, meta, password and server-computed
 * attributes) in one jsonb column: core attributes at the top level under their canonical names, each
 * extension's attributes in an object under its schema URN. Attributes that need indexes or
 * constraints are also kept in dedicated columns, which the compiler must prefer.
 */
export interface ResourceStorage {
  /** SQL alias of the resource table in the compiled query, e.g. "r". */
  alias: string;
  /** jsonb column holding the document, e.g. "attributes". */
  documentColumn: string;
  /**
   * Attributes served by dedicated columns. Key: lower-cased dotted path without URN
   * ("username", "externalid", "meta.created"); value: SQL expression using the alias ("r.user_name").
   */
  columns: Record<string, string>;
  /**
   * Columns of type uuid behind some `columns` entries (key as in `columns`, e.g. id -> "r.id"): an
   * `eq` with a canonical UUID compares in uuid, so the primary key index serves it; any other value
   * cannot equal a stored id and compiles to false.
   */
  uuidColumns?: Record<string, string>;
  /**
   * Multi-valued jsonb attributes with expression indexes (lower-cased names, core schema only):
   * a GIN jsonb_path_ops index on `lower((doc->'name')::text)::jsonb` and a pg_trgm index on
   * `lower((doc->'name')::text)`. Value filters on them get an index-served pre-condition.
   */
  indexedArrays?: string[];
  /** Multi-valued attributes stored as rows of another table (e.g. Group.members). Key: lower-cased name. */
  relations?: Record<string, RelationStorage>;
  /**
   * Core attributes (lower-cased, as in `columns`) whose `eq` the primary key or a btree index led by
   * tenant_id answers with at most a few rows, whatever the tenant: the IdP lookups. Their list
   * statement may run on PostgreSQL's cached generic plan (see pageOf); any other filter is planned
   * with its values, since a generic plan guesses a tenant's share of the table as 1/tenants.
   */
  lookups?: string[];
  /**
   * Columns holding a comparison key of an attribute (key as in `columns`): `eq` on the attribute
   * compares the key of the value with this column (see comparison.ts), e.g. username -> r.user_name_key.
   */
  comparisonKeyColumns?: Record<string, string>;
}

export interface RelationStorage {
  /** table name, e.g. "group_member" */
  table: string;
  /** alias used inside the EXISTS subquery, e.g. "m" */
  alias: string;
  /** SQL condition joining the relation to the parent row, e.g. "m.group_id = r.id" */
  join: string;
  /** sub-attribute (lower-cased) -> SQL expression on the relation alias, e.g. { value: "m.member_id::text" } */
  subColumns: Record<string, string>;
  /** as ResourceStorage.uuidColumns, for subColumns entries: e.g. { value: "m.member_id" } */
  uuidSubColumns?: Record<string, string>;
}
