import type { ListQuery } from '../../domain/query/page';
import type { GqlContext } from '../context';
import { pageSize } from '../cursor';
import type { ListArgs, PageArgs } from '../types/relay';

/**
 * Relay arguments to the domain's list query (RFC 7644 §3.4.2): filter and sort as SCIM, paged by
 * the query engine's keyset cursors (RFC 9865; `after` absent: the first page), with a cursor per edge.
 */
export function listQuery(ctx: GqlContext, args: ListArgs | PageArgs, extraFilter?: string): ListQuery {
  const count = pageSize(args.first, ctx.config.maxResults);
  const own = 'filter' in args && args.filter ? args.filter : undefined;
  const filter = extraFilter && own ? `(${extraFilter}) and (${own})` : (extraFilter ?? own);
  const orderBy = 'orderBy' in args ? args.orderBy : undefined;
  return {
    ...(filter !== undefined ? { filter } : {}),
    ...(orderBy ? { sortBy: orderBy.attribute, sortOrder: orderBy.direction } : {}),
    startIndex: 1,
    count,
    cursor: args.after ?? '',
    rowCursors: true,
  };
}
