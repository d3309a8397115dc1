import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

/** RFC 3339 date-times (graphql-scalars DateTime). */
export const DateTime = DateTimeResolver;
/** Any JSON value: SCIM documents as RFC 7643 shapes them. */
export const JSON = JSONResolver;
