import type { ScimPrincipal } from './connection.service';

interface Entry {
  principal: ScimPrincipal;
  expiresAt: number;
  lastUsedAt: number;
  cachedAt: number;
}

/**
 * Authenticated tokens, by digest, so that a SCIM request costs one statement instead of two.
 * Only valid tokens are kept (a flood of random tokens cannot grow it), each for at most `ttlMs`,
 * and only while something guarantees invalidation: the process owns every write (embedded mode)
 * or it listens to the revocation notifications that rotate and revoke send (see
 * src/db/token-revocations.ts). While disabled every lookup misses.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private enabled = false;

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
  ) {}

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (!enabled) this.entries.clear();
  }

  get(digest: string, now: number): Entry | undefined {
    if (!this.enabled) return undefined;
    const e = this.entries.get(digest);
    if (e && now - e.cachedAt > this.ttlMs) {
      this.entries.delete(digest);
      return undefined;
    }
    return e;
  }

  set(digest: string, entry: Omit<Entry, 'cachedAt'>, now: number): void {
    if (!this.enabled) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(digest, { ...entry, cachedAt: now });
  }

  /** Drops a token, on revocation or rotation, here or (by notification) in another process. */
  invalidate(tokenId: string): void {
    for (const [digest, e] of this.entries) if (e.principal.actor.tokenId === tokenId) this.entries.delete(digest);
  }
}
