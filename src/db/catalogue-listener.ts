import type { Logger } from 'pino';
import { CATALOGUE_CHANGED_CHANNEL } from '../domain/schema/custom-attribute.service';
import type { TenantCatalogue } from '../domain/schema/tenant-catalogue';
import { PgListener } from './pg-listener';

/**
 * Makes a custom attribute defined or removed by another process (another server instance, the
 * CLI on DATABASE_URL) visible here at once: define and remove send pg_notify with the tenant id
 * at commit, and this dedicated connection LISTENs and invalidates that tenant's catalogue. While
 * the connection is down, the catalogue's TTL (CATALOGUE_TTL_MS) bounds how stale it can be.
 */
export class CatalogueListener extends PgListener {
  constructor(url: string, catalogue: TenantCatalogue, logger: Logger) {
    super(url, logger, { [CATALOGUE_CHANGED_CHANNEL]: (tenantId) => catalogue.invalidate(tenantId) }, {
      lostMessage: 'catalogue listener lost; custom attribute changes of other processes are seen after the cache TTL until it reconnects',
    });
  }
}
