import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { sql } from '../../db/sql';
import { InvalidValueError, NotFoundError } from '../errors';
import type { EventDraft } from '../event/event-types';
import { isPlainObject, type Document } from '../schema/normalize';

/** A phone number of a user as sent, with its RFC 3966 form; `tel` is null when it cannot be read. */
export interface PhoneForm {
  value: string;
  type?: string;
  primary?: boolean;
  /** RFC 3966 global number (`tel:+14255550100`, `;ext=12` when given), or null */
  tel: string | null;
}

/**
 * The RFC 3966 `tel:` URI of a phone number as an IdP sent it (RFC 7643 §4.1.2 phoneNumbers.value
 * is free text), read with libphonenumber-js: international numbers (`+1 (425) 555-0100`) always,
 * national ones (`425-555-0100`) with the tenant's default region. Null when the text is no
 * possible number of its region. The stored value is never rewritten: this is an extra form.
 */
export function telUri(value: unknown, region?: string | null): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = parsePhoneNumberFromString(value, region ? { defaultCountry: region as CountryCode } : undefined);
  return parsed && parsed.isPossible() ? parsed.getURI() : null;
}

/** The user's phoneNumbers (RFC 7643 §4.1.2) with their `tel:` forms; [] without any. */
export function phoneForms(doc: Document, region?: string | null): PhoneForm[] {
  const list = Array.isArray(doc.phoneNumbers) ? doc.phoneNumbers : [];
  return list.filter(isPlainObject).flatMap((p) => {
    if (typeof p.value !== 'string') return [];
    return [
      {
        value: p.value,
        ...(typeof p.type === 'string' ? { type: p.type } : {}),
        ...(p.primary === true ? { primary: true } : {}),
        tel: telUri(p.value, region),
      },
    ];
  });
}

/** How many of the user's phone numbers have no `tel:` form. */
export function unparsablePhones(doc: Document, region?: string | null): number {
  return phoneForms(doc, region).filter((p) => p.tel === null).length;
}

/** How long a process trusts its copy of a tenant's region (a change elsewhere shows after this). */
const REGION_TTL_MS = 30_000;

/**
 * Each tenant's default phone region (tenant.phone_region), cached per process for a short while:
 * user writes read it to build events, and must not pay a round trip for it.
 */
export class PhoneRegions {
  private readonly cache = new Map<string, { region: string | null; until: number }>();

  constructor(private readonly orm: MikroORM) {}

  async of(tenantId: string, em?: EntityManager): Promise<string | null> {
    const now = Date.now();
    const hit = this.cache.get(tenantId);
    if (hit && hit.until > now) return hit.region;
    const rows = await sql<{ phone_region: string | null }>(em ?? (this.orm.em.fork() as EntityManager), 'select phone_region from tenant where id = ?', [tenantId]);
    const region = rows[0]?.phone_region ?? null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(tenantId, { region, until: now + REGION_TTL_MS });
    return region;
  }

  /** Sets a tenant's default region: an ISO 3166-1 alpha-2 code libphonenumber knows, or null for none. */
  async set(tenantId: string, region: string | null): Promise<string | null> {
    const code = region === null || region.trim() === '' ? null : region.trim().toUpperCase();
    if (code !== null && !isSupportedCountry(code)) throw new InvalidValueError(`phone region "${region}" is not an ISO 3166-1 alpha-2 region code with a numbering plan (e.g. US, GB, DE)`);
    const rows = await sql<{ id: string }>(this.orm.em.fork() as EntityManager, 'update tenant set phone_region = ? where id = ? returning id', [code, tenantId]);
    if (!rows[0]) throw new NotFoundError('tenant not found');
    this.cache.set(tenantId, { region: code, until: Date.now() + REGION_TTL_MS });
    return code;
  }
}

/**
 * User events with the user's phone numbers as sent and in RFC 3966 form (`phones`: [{value, type,
 * primary, tel}], tel null when unreadable), so consumers need not parse free text; the document in
 * `attributes` and `changes` keeps the values as the IdP sent them. Not on user.deleted/purged.
 */
export function withPhones(drafts: EventDraft[], doc: Document, region: string | null): EventDraft[] {
  const phones = phoneForms(doc, region);
  if (phones.length === 0) return drafts;
  return drafts.map((d) => (/^user\.(created|restored|updated|deactivated|reactivated)$/.test(d.type) ? { ...d, data: { ...d.data, phones } } : d));
}
