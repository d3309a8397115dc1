import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql';
import type { ResourceTypeDef } from '../schema/attribute';
import { compileFilter, compileSort } from './filter-sql';
import { parseFilter } from './filter-parser';
import type { ResourceStorage } from './storage';

/** A list request: optional filter, 1-based startIndex, count (RFC 7644 §3.4.2, §3.4.2.4). */
export interface ListQuery {
  filter?: string;
  /** RFC 7644 §3.4.2.3: an attribute path; ties (and no sortBy) fall back to id order. */
  sortBy?: string;
  sortOrder?: 'ascending' | 'descending';
  startIndex: number;
  count: number;
  /** false: unquoted filter values are a syntax error (strict RFC clients); default accepted */
  unquotedValues?: boolean;
}

export interface ListResult<T> {
  totalResults: number;
  startIndex: number;
  items: T[];
}

/**
 * One page of a resource table: the filter is compiled to SQL and applied first, then sorted
 * (sortBy, ties broken by id) or ordered by id (UUIDv7: creation order), then the page is cut;
 * order is stable across pages and totalResults is exact. `select` must select from `table` with the storage's alias.
 */
export async function pageOf<Row>(
  em: EntityManager,
  spec: { rt: ResourceTypeDef; storage: ResourceStorage; table: string; select: string; where: string; params: unknown[] },
  query: ListQuery,
): Promise<{ total: number; rows: Row[] }> {
  const a = spec.storage.alias;
  let where = spec.where;
  const params = [...spec.params];
  if (query.filter !== undefined) {
    const compiled = compileFilter(parseFilter(query.filter, { unquotedValues: query.unquotedValues !== false }), spec.rt, spec.storage);
    where += ` and (${compiled.sql})`;
    params.push(...compiled.params);
  }
  // RFC 7644 §3.4.2.3: sortOrder defaults to ascending; resources without the attribute sort last
  const dir = query.sortOrder === 'descending' ? 'desc' : 'asc';
  const order = query.sortBy ? `${compileSort(query.sortBy, spec.rt, spec.storage)} ${dir} nulls last, ${a}.id ${dir}` : `${a}.id`;
  const [{ total }] = await sql<{ total: number }>(em, `select count(*)::int as total from ${spec.table} ${a} where ${where}`, params);
  const rows =
    query.count > 0 && total >= query.startIndex
      ? await sql<Row>(em, `${spec.select} where ${where} order by ${order} limit ? offset ?`, [...params, query.count, query.startIndex - 1])
      : [];
  return { total, rows };
}
