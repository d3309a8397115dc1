import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, sqlRun } from '../../db/sql';

/** What the audit trail writes in place of a filter that named a purged user. */
export const REDACTED_FILTER = '[redacted]';

/** The purged user's identifying values that SCIM clients put in filters: userName, externalId, every email. */
async function identifyingValues(em: EntityManager, userId: string): Promise<string[]> {
  const [row] = await sql<{ user_name: string; external_id: string | null; emails: string[] | null }>(
    em,
    `select user_name, external_id,
            (select array_agg(e->>'value') from jsonb_array_elements(case when jsonb_typeof(attributes->'emails') = 'array'
                                                                          then attributes->'emails' else '[]'::jsonb end) e
              where jsonb_typeof(e->'value') = 'string') as emails
       from scim_user where id = ?`,
    [userId],
  );
  if (!row) return [];
  return [...new Set([row.user_name, row.external_id, ...(row.emails ?? [])].filter((v): v is string => typeof v === 'string' && v !== ''))];
}

/**
 * Erasure (GDPR art. 17) reaches the audit trail: the tenant's recorded SCIM filters that contain
 * the user's userName, externalId or an email (case-insensitively, as RFC 7643 §2.1 compares
 * userName and emails) are replaced by REDACTED_FILTER. The rest of each entry stays: who asked,
 * when, and the outcome are the trail's purpose; resource ids are random UUIDs, not personal data.
 * Run inside the purge transaction, before the user row goes. Returns how many entries changed.
 */
export async function redactAuditFilters(em: EntityManager, tenantId: string, userId: string): Promise<number> {
  const values = await identifyingValues(em, userId);
  if (values.length === 0) return 0;
  return sqlRun(
    em,
    `update audit_entry set filter = ? where tenant_id = ? and filter is not null and filter <> ?
        and (${values.map(() => 'strpos(lower(filter), lower(?)) > 0').join(' or ')})`,
    [REDACTED_FILTER, tenantId, REDACTED_FILTER, ...values],
  );
}
