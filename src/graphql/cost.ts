import { FieldNode, Kind, SelectionSetNode } from 'graphql';

/**
 * The cost model of the admin API (graphql-query-complexity, checked by queryLimitsPlugin before
 * anything runs): every field that reads the database costs what it reads, so that aliases cannot
 * multiply an expensive read for free (2,000 aliases of `tenants{stats{…}}` ran 26 s before).
 */

/** An aggregate over a tenant's (or every tenant's) rows: counts, stats, audit outcomes. */
export const COUNT_COST = 1000;
/** A page read of a list (its rows are priced per item on top). */
export const LIST_COST = 100;
/** A lookup of a few rows by key (one record, a tenant's connections or tokens, a batched count). */
export const LOOKUP_COST = 10;

/** A field's complexity: `own` plus its children's. */
export const dbCost =
  (own: number) =>
  ({ childComplexity }: { childComplexity: number }): number =>
    own + childComplexity;

/**
 * Whether a field's selection set selects `name`, through inline fragments; a named fragment
 * spread counts as selecting it (the estimator does not see fragment definitions here: pricing it
 * is the safe side).
 */
export function selects(node: FieldNode | undefined, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    !!set &&
    set.selections.some((sel) =>
      sel.kind === Kind.FIELD ? sel.name.value === name : sel.kind === Kind.INLINE_FRAGMENT ? visit(sel.selectionSet) : true,
    );
  return visit(node?.selectionSet);
}
