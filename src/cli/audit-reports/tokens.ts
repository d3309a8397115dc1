import { auditCommand, AuditIo, commonOptions, DAY_MS, days, graphql, output, Row, tenantSlugs } from './client';

interface TokenNode {
  id: string;
  prefix: string;
  connectionId: string;
  status: 'ACTIVE' | 'EXPIRED' | 'REVOKED';
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

const QUERY = `query($slug: String) { tenant(slug: $slug) {
  scimConnections { id name idp }
  scimTokens { id prefix connectionId status createdAt expiresAt lastUsedAt } } }`;

/**
 * SCIM tokens that need attention: live tokens unused for --unused-days (default 90; a token never
 * used counts from its creation) or expiring within --expiring-days (default 30).
 */
export async function auditTokens(io: AuditIo): Promise<void> {
  const cmd = auditCommand(io, 'provisio audit tokens', 'SCIM tokens unused for a long time or expiring soon', (c) =>
    c.option('--unused-days <n>', 'unused for at least this many days', '90').option('--expiring-days <n>', 'expiring within this many days', '30'),
  );
  cmd.parse(io.argv, { from: 'user' });
  const opts = cmd.opts();
  const o = commonOptions(opts, io.env);
  const unusedDays = days(opts.unusedDays, 'unused-days');
  const expiringDays = days(opts.expiringDays, 'expiring-days');
  const now = Date.now();
  const rows: Row[] = [];
  for (const slug of await tenantSlugs(o)) {
    const { tenant } = await graphql<{ tenant: { scimConnections: { id: string; name: string; idp: string }[]; scimTokens: TokenNode[] } }>(o, QUERY, { slug });
    const connections = new Map(tenant.scimConnections.map((c) => [c.id, c]));
    for (const t of tenant.scimTokens) {
      if (t.status !== 'ACTIVE') continue;
      const lastUse = new Date(t.lastUsedAt ?? t.createdAt).getTime();
      const idle = Math.floor((now - lastUse) / DAY_MS);
      const left = Math.ceil((new Date(t.expiresAt).getTime() - now) / DAY_MS);
      const reasons = [
        ...(now - lastUse >= unusedDays * DAY_MS ? [t.lastUsedAt ? `unused for ${idle} days` : `never used (created ${idle} days ago)`] : []),
        ...(new Date(t.expiresAt).getTime() - now <= expiringDays * DAY_MS ? [`expires in ${left} days`] : []),
      ];
      if (reasons.length === 0) continue;
      const c = connections.get(t.connectionId);
      rows.push({
        tenant: slug,
        connection: c ? `${c.name} (${c.idp.toLowerCase()})` : t.connectionId,
        tokenId: t.id,
        prefix: t.prefix,
        reason: reasons.join('; '),
        lastUsedAt: t.lastUsedAt,
        expiresAt: t.expiresAt,
      });
    }
  }
  output(io, o, { criteria: { unusedDays, expiringDays }, rows }, ['tenant', 'connection', 'prefix', 'reason', 'lastUsedAt', 'expiresAt', 'tokenId'], 'Tokens needing attention');
}

