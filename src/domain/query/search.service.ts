import type { Leniency } from '../schema/leniency';
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql';
import type { RequestContext } from '../context';
import { InvalidFilterError, InvalidValueError } from '../errors';
import type { ResourceTypeDef } from '../schema/attribute';
import type { ResourceTypeName } from '../schema/tenant-catalogue';
import type { Filter } from './ast';
import { compileFilter, compileSortKey, SortKey } from './filter-sql';
import { parseFilter } from './filter-parser';
import { bindingOf, cursorPage, KeyedRow, ListQuery, ListResult, orderBy, Ordering } from './page';
import type { ResourceStorage } from './storage';
import type { CountedResource } from '../tenant/tenant-count.entity';
import { liveCount } from '../tenant/tenant-count';

/** One resource type a cross-type search covers: where its rows are, and how to load them by id. */
export interface SearchSource<R = unknown, O = unknown> {
  name: ResourceTypeName;
  /** the tenant's resource type: the core one plus its custom attributes (RFC 7643 §3.3) */
  resourceType(ctx: RequestContext): Promise<ResourceTypeDef>;
  storage: ResourceStorage;
  table: string;
  /** the tenant's live rows, with the storage's alias */
  scope(ctx: RequestContext): { where: string; params: unknown[] };
  /** the tenant's counter of exactly the rows of `scope` (see liveCount) */
  counted: CountedResource;
  /** the records with these ids (any order) */
  load(ctx: RequestContext, ids: string[], options: O): Promise<(R & { id: string })[]>;
}

/** A search hit: the record and its resource type. */
export interface SearchHit {
  rt: ResourceTypeDef;
  record: { id: string };
}

interface Part {
  source: SearchSource;
  rt: ResourceTypeDef;
  where: string;
  params: unknown[];
  key?: string;
}

/** A SQL string literal of a catalogue name (never client text). */
const literal = (name: string) => `'${name.replace(/'/g, "''")}'`;

/**
 * Queries over several resource types at once: `POST /.search` at the tenant root (RFC 7644 §3.4.3).
 * The filter is compiled for each type; an attribute expression on an attribute a type lacks is false
 * for that type ("For filtered attributes that are not supported by each resource type, the filter
 * MUST evaluate to false"), and an attribute no type has is invalidFilter. sortBy is read in every
 * type that has the attribute; the others sort last, as resources without the value do. The types'
 * rows are merged in SQL (UNION ALL of (type, id, key)) and paged there, by startIndex or cursor;
 * totalResults is the exact sum; ties are broken by id, so the order is stable.
 */
export class SearchService {
  constructor(
    private readonly orm: MikroORM,
    private readonly sources: SearchSource[],
  ) {}

  /** For raw statements outside transactions: one EntityManager, not a fork per search (see UserService.raw). */
  private readonly raw = this.orm.em.fork() as EntityManager;

  /** RFC 7644 §3.4.3 across all resource types; `options` are handed to every source's load. */
  async search(ctx: RequestContext, query: ListQuery, options: unknown): Promise<ListResult<SearchHit>> {
    const em = this.raw;
    const leniency = ctx.leniency ?? query.leniency;
    const unquotedValues = leniency?.unquotedFilterValues !== false;
    const filter = query.filter !== undefined ? parseFilter(query.filter, { unquotedValues }) : undefined;
    const parts: Part[] = await Promise.all(this.sources.map(async (source) => ({ source, rt: await source.resourceType(ctx), ...source.scope(ctx) })));
    if (filter) this.applyFilter(parts, filter, leniency);
    const o: Ordering = { dir: query.sortOrder === 'descending' ? 'desc' : 'asc' };
    if (query.sortBy) o.key = this.applySort(parts, query.sortBy);
    else o.dir = 'asc';

    const union = parts
      .map((p) => `select ${literal(p.source.name)} as rt, r.id, ${p.key ?? (o.key ? `null::${o.key.cast}` : 'null::text')} as k from ${p.source.table} r where ${p.where}`)
      .join(' union all ');
    const params = parts.flatMap((p) => p.params);
    const counts = parts.map((p) => `select count(*) as n from ${p.source.table} r where ${p.where}`).join(' union all ');
    // unfiltered: the tenant's counters of the types' live rows, not a count(*) over each table
    const total = filter
      ? (await sql<{ total: number }>(em, `select coalesce(sum(n), 0)::int as total from (${counts}) c`, params))[0].total
      : await liveCount(em, ctx.tenant.id, parts.map((p) => p.source.counted));

    const key = o.key ? 's.k' : undefined;
    type Row = KeyedRow & { rt: string };
    let rows: Row[];
    let cursors: Pick<ListResult<SearchHit>, 'nextCursor' | 'previousCursor'> = {};
    if (query.cursor === undefined) {
      rows =
        query.count > 0 && total >= query.startIndex
          ? await sql<Row>(em, `select s.rt, s.id from (${union}) s order by ${orderBy(o, key, 's.id')} limit ? offset ?`, [...params, query.count, query.startIndex - 1])
          : [];
    } else {
      const binding = bindingOf(parts.map((p) => ({ table: p.source.table, params: p.source.scope(ctx).params })), query);
      const page = await cursorPage<Row>(em, binding, query, o, key, 's.id', (seek, seekParams, reverse, limit) =>
        sql<Row>(
          em,
          `select s.rt, s.id, ${key ? `${key}::text` : 'null::text'} as page_key from (${union}) s where ${seek} order by ${orderBy(o, key, 's.id', reverse)} limit ?`,
          [...params, ...seekParams, limit],
        ),
      );
      rows = page.rows;
      cursors = { nextCursor: page.nextCursor, previousCursor: page.previousCursor };
    }
    return { totalResults: total, startIndex: query.startIndex, items: await this.load(ctx, parts, rows, options), ...cursors };
  }

  /** Compiles the filter for every type; attributes no type has are invalidFilter (RFC 7644 §3.4.3). */
  private applyFilter(parts: Part[], filter: Filter, leniency: Leniency | undefined): void {
    const unknown = parts.map((p) => {
      const missing = new Set<string>();
      const compiled = compileFilter(filter, p.rt, p.source.storage, { unknownIsFalse: true, unknown: missing, leniency });
      p.where = `${p.where} and (${compiled.sql})`;
      p.params = [...p.params, ...compiled.params];
      return missing;
    });
    const nowhere = [...unknown[0]].filter((label) => unknown.every((set) => set.has(label)));
    if (nowhere.length) {
      throw new InvalidFilterError(`unknown attribute "${nowhere[0]}" for every resource type (${parts.map((p) => p.source.name).join(', ')})`);
    }
  }

  /** The sort key in every type that has the attribute; the key's SQL type must agree across them. */
  private applySort(parts: Part[], sortBy: string): SortKey {
    let found: SortKey | undefined;
    let firstError: unknown;
    for (const p of parts) {
      try {
        const key = compileSortKey(sortBy, p.rt, p.source.storage);
        if (found && found.cast !== key.cast) throw new InvalidValueError(`invalid sortBy "${sortBy}": its type differs between resource types`);
        found = key;
        p.key = key.sql;
      } catch (e) {
        if (!(e instanceof InvalidValueError) || /differs/.test(e.message)) throw e;
        firstError ??= e;
      }
    }
    if (!found) throw firstError;
    return found;
  }

  /** Loads the hits' records, one query per type, and returns them in the page's order. */
  private async load(ctx: RequestContext, parts: Part[], rows: { rt: string; id: string }[], options: unknown): Promise<SearchHit[]> {
    const byId = new Map<string, SearchHit>();
    for (const { source, rt } of parts) {
      const ids = rows.filter((r) => r.rt === source.name).map((r) => r.id);
      if (ids.length === 0) continue;
      for (const record of await source.load(ctx, ids, options)) byId.set(record.id, { rt, record });
    }
    // a row deleted between the two reads is left out rather than shown half
    return rows.map((r) => byId.get(r.id)).filter((hit): hit is SearchHit => hit !== undefined);
  }
}
