import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, FragmentDefinitionNode, GraphQLError, GraphQLSchema, Kind, OperationDefinitionNode, SelectionSetNode, visit } from 'graphql';
import { badCharacter } from '../domain/text';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { MiddlewareFn } from 'type-graphql';
import { codedError } from './errors';

export interface QueryLimits {
  /** deepest field nesting an operation may have (introspection fields are not counted) */
  maxDepth: number;
  /** largest estimated cost: each field 1, fields that read the database what they read (see cost.ts), paged fields their children times `first` */
  maxCost: number;
  /**
   * wall-clock budget of one operation, in milliseconds: a resolver that would start past it fails
   * with QUERY_TIMEOUT instead (statements already running finish), so the whole answer comes
   * back soon after the budget with the fields read so far
   */
  timeBudgetMs?: number;
  /**
   * lexical tokens a document may have (graphql-js parse's maxTokens): parsing is refused past it,
   * before validation, whose overlapping-fields rule grows with the square of repeated aliases
   */
  maxTokens?: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 100_000, timeBudgetMs: 10_000, maxTokens: 5_000 };

/**
 * type-graphql global middleware: every resolver checks the operation's deadline (set in the
 * context from QueryLimits.timeBudgetMs) before it runs, and past it fails with extensions.code
 * QUERY_TIMEOUT naming the budget.
 */
export const timeBudget: MiddlewareFn<{ deadline?: number; budgetMs?: number }> = async ({ context }, next) => {
  if (context.deadline !== undefined && Date.now() >= context.deadline) {
    throw codedError(`the query ran past its time budget of ${context.budgetMs} ms; ask for less (fewer aliases, smaller pages)`, 'QUERY_TIMEOUT', undefined, {
      budgetMs: context.budgetMs,
    });
  }
  return next();
};

/** Depth of a selection set, following fragments; `__schema`/`__type` subtrees are not counted. */
function depth(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      max = Math.max(max, 1 + depth(sel.selectionSet, fragments, seen));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depth(sel.selectionSet, fragments, seen));
    } else {
      const name = sel.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) continue; // a fragment cycle fails validation anyway
      max = Math.max(max, depth(fragment.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return max;
}

/**
 * String literals of the document (`"a\u0000"` is a NUL once parsed) hold no character a store
 * refuses; else BAD_USER_INPUT before anything runs. Variables were checked with the body.
 */
function assertStorableLiterals(document: DocumentNode): void {
  visit(document, {
    StringValue(node) {
      const bad = badCharacter(node.value);
      if (bad) throw codedError(`a string in the query contains ${bad}`, 'BAD_USER_INPUT', 400);
    },
  });
}

/**
 * Rejects an operation that is too deep or too expensive before anything runs, with
 * extensions.code QUERY_TOO_DEEP or QUERY_TOO_COMPLEX (HTTP 400), naming the limit and the figure.
 */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          assertStorableLiterals(document);
          const d = depth((operation as OperationDefinitionNode).selectionSet, fragments, new Set());
          if (d > limits.maxDepth) {
            throw codedError(`query depth ${d} exceeds the maximum of ${limits.maxDepth}`, 'QUERY_TOO_DEEP', 400, { depth: d, maxDepth: limits.maxDepth });
          }
          let cost: number;
          try {
            cost = getComplexity({
              schema: schema as GraphQLSchema,
              query: document,
              variables: request.variables ?? {},
              operationName: request.operationName ?? undefined,
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // the estimator coerces the variables first: a value of the wrong type is the client's error, not ours
            if (e instanceof GraphQLError) throw codedError(e.message, 'BAD_USER_INPUT', 400);
            throw e;
          }
          if (cost > limits.maxCost) {
            throw codedError(`query cost ${cost} exceeds the maximum of ${limits.maxCost}`, 'QUERY_TOO_COMPLEX', 400, { cost, maxCost: limits.maxCost });
          }
        },
      };
    },
  };
}
