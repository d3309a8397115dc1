import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlPrepared } from '../../db/sql';
import type { CountedResource } from './tenant-count.entity';

/**
 * The exact number of a tenant's live resources of the given kinds (users with deleted_at null,
 * groups): the sum of the tenant's counter shards (tenant_count, kept by the triggers of
 * Migration20261127214228 in every write's transaction, so it agrees with count(*) in any snapshot).
 * One index range of at most 64 rows per kind, whatever the tenant's size; prepared, since its plan
 * (the primary key) is the same for every tenant.
 */
export async function liveCount(em: EntityManager, tenantId: string, resources: readonly CountedResource[]): Promise<number> {
  const [row] = await sqlPrepared<{ total: number }>(
    em,
    'provisio_tenant_count',
    'select coalesce(sum(n), 0)::int as total from tenant_count where tenant_id = ? and resource_type = any(?::text[])',
    [tenantId, `{${resources.join(',')}}`],
  );
  return row.total;
}
