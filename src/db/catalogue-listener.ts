import { Client } from 'pg';
import type { Logger } from 'pino';
import { CATALOGUE_CHANGED_CHANNEL } from '../domain/schema/custom-attribute.service';
import type { TenantCatalogue } from '../domain/schema/tenant-catalogue';

/**
 * Makes a custom attribute defined or removed by another process (another server instance, the
 * CLI on DATABASE_URL) visible here at once: define and remove send pg_notify with the tenant id
 * at commit, and this dedicated connection LISTENs and invalidates that tenant's catalogue. While
 * the connection is down, the catalogue's TTL (CATALOGUE_TTL_MS) bounds how stale it can be.
 */
export class CatalogueListener {
  private client?: Client;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly catalogue: TenantCatalogue,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel === CATALOGUE_CHANGED_CHANNEL && msg.payload) this.catalogue.invalidate(msg.payload);
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      if (!this.stopped) {
        this.logger.warn({ err }, 'catalogue listener lost; custom attribute changes of other processes are seen after the cache TTL until it reconnects');
        this.retry = setTimeout(() => void this.start(), 2000);
      }
      void client.end().catch(() => undefined);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`listen ${CATALOGUE_CHANGED_CHANNEL}`);
      this.client = client;
    } catch (err) {
      this.client = client;
      lost(err as Error);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
