import { InvalidFilterError } from '../errors';
import type { AttributeDef, AttributeType } from '../schema/attribute';
import { LENIENT, Leniency } from '../schema/leniency';
import type { CompareOp, CompValue } from './ast';

/**
 * Typing of filter comparison values from the schema (RFC 7644 §3.4.2.2: "eq", "gt"… compare by the
 * attribute's type; RFC 7643 §2.3 data types), and the dateTime reading shared by both back ends.
 */

/**
 * A comparison value after typing: boolean for boolean attributes, number for integer/decimal,
 * milliseconds since the epoch (UTC) for dateTime, string otherwise.
 */
export type TypedValue = string | number | boolean;

const TEXT_TYPES: ReadonlySet<AttributeType> = new Set(['string', 'reference']);
const ORDER_OPS: ReadonlySet<CompareOp> = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING_OPS: ReadonlySet<CompareOp> = new Set(['co', 'sw', 'ew']);

/** xsd:dateTime (RFC 7643 §2.3.5), ISO 8601: date, time, optional fraction and zone (none means UTC). */
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * Reads an xsd:dateTime as milliseconds since the epoch, truncating digits below the millisecond (as
 * node-postgres does when it reads timestamptz), or undefined when the text is not one. A missing
 * zone means UTC.
 */
export function parseDateTime(text: string): number | undefined {
  const m = DATE_TIME_RE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  const calendarOk = year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  if (!calendarOk) return undefined;
  const zone = m[8]?.toUpperCase() ?? 'Z';
  const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return date.getTime() - offsetMinutes * 60_000;
}

/** Refuses operators the attribute type has no meaning for. */
function checkOperator(op: CompareOp, type: AttributeType, name: string): void {
  const refuse = (why: string) => new InvalidFilterError(`"${op}" cannot be used on "${name}": ${why}`);
  if (SUBSTRING_OPS.has(op) && !TEXT_TYPES.has(type)) throw refuse(`it is ${type}, and "${op}" needs a string attribute`);
  if (ORDER_OPS.has(op) && (type === 'boolean' || type === 'binary')) throw refuse(`a ${type} attribute has no order`);
}

/** A date without time of day (`2024-05-30`), as the Eptura FAQ filters `meta.created gt "2024-05-30"`. */
const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Types `value` for a comparison with the attribute `leaf` (non-null values; `eq null` is rewritten
 * before), RFC 7644 §3.4.2.2. Where `leniency` allows it, as in the resource normaliser:
 * "true"/"false" strings for booleans (any case) and numbers for string attributes (compared as
 * their decimal text) (coerceScalars); a date without time for a dateTime, meaning midnight UTC
 * (dateOnlyFilterValues). Anything else of the wrong type is InvalidFilterError.
 */
export function typeValue(op: CompareOp, value: Exclude<CompValue, null>, leaf: Pick<AttributeDef, 'name' | 'type'>, leniency: Leniency = LENIENT): TypedValue {
  const { type, name } = leaf;
  checkOperator(op, type, name);
  const wrong = (expected: string) => new InvalidFilterError(`"${name}" is ${type}: expected ${expected}, got ${JSON.stringify(value)}`);
  switch (type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (leniency.coerceScalars && typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw wrong('true or false');
    case 'integer':
    case 'decimal':
      if (typeof value === 'number') return value;
      throw wrong('a number');
    case 'dateTime': {
      const dateOnly = leniency.dateOnlyFilterValues && typeof value === 'string' && DATE_ONLY_RE.test(value);
      const ms = typeof value === 'string' ? parseDateTime(dateOnly ? `${value}T00:00:00Z` : value) : undefined;
      if (ms === undefined) throw wrong('an ISO 8601 date-time such as "2011-05-13T04:42:34Z"');
      return ms;
    }
    default:
      if (typeof value === 'string') return value;
      if (leniency.coerceScalars && typeof value === 'number' && type === 'string') return String(value);
      throw wrong('a "string"');
  }
}
