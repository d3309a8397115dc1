import { ArgsType, ClassType, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ListResult } from '../../domain/query/page';
import { COUNT_COST, LIST_COST, selects } from '../cost';

/** Relay Cursor Connections: page boundaries of a connection. */
@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export enum SortDirection {
  ASC = 'ascending',
  DESC = 'descending',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

@InputType({ description: 'Order of a list: a SCIM attribute path (RFC 7644 §3.4.2.3 sortBy), ties broken by id' })
export class OrderBy {
  @Field({ description: 'e.g. "userName", "name.familyName", "meta.lastModified"' })
  attribute!: string;

  @Field(() => SortDirection, { defaultValue: SortDirection.ASC })
  direction!: SortDirection;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'page size (default 50)' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  after?: string | null;
}

@ArgsType()
export class ListArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'a SCIM filter (RFC 7644 §3.4.2.2), e.g. active eq false and meta.lastModified gt "2026-01-01T00:00:00Z"' })
  filter?: string | null;

  @Field(() => OrderBy, { nullable: true })
  orderBy?: OrderBy | null;
}

/**
 * Cost of a paged field for graphql-query-complexity: the page read (LIST_COST), each requested
 * item at least 1 (its row is read whatever is selected of it) times its children, and the count
 * over every page (COUNT_COST) once when totalCount is selected.
 */
export const pagedComplexity = ({ args, childComplexity, node }: { args: { first?: number | null }; childComplexity: number; node?: import('graphql').FieldNode }) =>
  LIST_COST + Math.max(1, childComplexity) * (args.first ?? 50) + (selects(node, 'totalCount') ? COUNT_COST : 0);

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A connection type `<Name>Connection` with `<Name>Edge` for a node type. */
export function connectionType<T extends object>(node: ClassType<T>, name: string): ClassType<Connection<T>> {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class Conn {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [node], { description: 'the nodes of edges, without cursors' })
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'items matching the filter, over every page', complexity: 0 }) // counted once by pagedComplexity
    totalCount!: number;
  }
  return Conn;
}

/**
 * A connection from one page of a domain list read by cursor (ListQuery.rowCursors): each edge's
 * cursor is the position after its row, so `after` may name any edge, not only endCursor.
 */
export function toConnection<T>(items: T[], page: Pick<ListResult<unknown>, 'totalResults' | 'nextCursor' | 'previousCursor' | 'rowCursors'>): Connection<T> {
  const cursors = page.rowCursors ?? [];
  if (cursors.length !== items.length) throw new Error('toConnection needs a cursor per item (ListQuery.rowCursors)');
  const edges = items.map((node, i) => ({ cursor: cursors[i], node }));
  return {
    edges,
    nodes: items,
    totalCount: page.totalResults,
    pageInfo: {
      hasNextPage: page.nextCursor !== undefined,
      hasPreviousPage: page.previousCursor !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
