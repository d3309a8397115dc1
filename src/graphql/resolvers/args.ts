import type { ListQuery } from '../../domain/query/page';
import type { GqlContext } from '../context';
import { offsetAfter, pageSize } from '../cursor';
import type { ListArgs, PageArgs } from '../types/relay';

/** Relay arguments to the domain's list query (RFC 7644 §3.4.2): filter and sort as SCIM, offset from the cursor. */
export function listQuery(ctx: GqlContext, args: ListArgs | PageArgs, extraFilter?: string): { query: ListQuery; offset: number } {
  const offset = offsetAfter(args.after);
  const count = pageSize(args.first, ctx.config.maxResults);
  const own = 'filter' in args && args.filter ? args.filter : undefined;
  const filter = extraFilter && own ? `(${extraFilter}) and (${own})` : (extraFilter ?? own);
  const orderBy = 'orderBy' in args ? args.orderBy : undefined;
  return {
    offset,
    query: {
      ...(filter !== undefined ? { filter } : {}),
      ...(orderBy ? { sortBy: orderBy.attribute, sortOrder: orderBy.direction } : {}),
      startIndex: offset + 1,
      count,
    },
  };
}
