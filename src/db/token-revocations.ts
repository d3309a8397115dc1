import { Client } from 'pg';
import type { Logger } from 'pino';
import { TOKEN_REVOKED_CHANNEL } from '../domain/connection/connection.service';
import type { TokenCache } from '../domain/connection/token-cache';

/**
 * Keeps a token cache honest when several processes share one PostgreSQL: a dedicated connection
 * LISTENs for the revocations that rotate and revoke announce with pg_notify, and the cache is
 * enabled only while that connection is up. If it drops, the cache is cleared and bypassed
 * (every request is checked against the database) until the listener is back.
 */
export class TokenRevocationListener {
  private client?: Client;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly cache: TokenCache,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel === TOKEN_REVOKED_CHANNEL && msg.payload) this.cache.invalidate(msg.payload);
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.cache.setEnabled(false);
      if (!this.stopped) {
        this.logger.warn({ err }, 'token revocation listener lost; token cache disabled until it reconnects');
        this.retry = setTimeout(() => void this.start(), 2000);
      }
      void client.end().catch(() => undefined);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`listen ${TOKEN_REVOKED_CHANNEL}`);
      this.client = client;
      this.cache.setEnabled(true);
    } catch (err) {
      this.client = client;
      lost(err as Error);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.cache.setEnabled(false);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
