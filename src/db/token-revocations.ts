import type { Logger } from 'pino';
import { TOKEN_REVOKED_CHANNEL } from '../domain/connection/connection.service';
import type { TokenCache } from '../domain/connection/token-cache';
import { PgListener } from './pg-listener';

/**
 * Keeps a token cache honest when several processes share one PostgreSQL: a dedicated connection
 * LISTENs for the revocations that rotate and revoke announce with pg_notify, and the cache is
 * enabled only while that connection is up. If it drops, the cache is cleared and bypassed
 * (every request is checked against the database) until the listener is back.
 */
export class TokenRevocationListener extends PgListener {
  constructor(url: string, cache: TokenCache, logger: Logger) {
    super(url, logger, { [TOKEN_REVOKED_CHANNEL]: (tokenId) => cache.invalidate(tokenId) }, {
      up: () => cache.setEnabled(true),
      down: () => cache.setEnabled(false),
      lostMessage: 'token revocation listener lost; token cache disabled until it reconnects',
    });
  }
}
