import { allNodes, auditCommand, AuditIo, commonOptions, DAY_MS, days, output, Row, tenantSlugs } from './client';

interface UserNode {
  id: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  updatedAt: string;
}

/**
 * Users deactivated in the last --days (default 30), per tenant: inactive users whose last change
 * (meta.lastModified) is that recent, found with the SCIM filter
 * `active eq false and meta.lastModified gt "<since>"` on the server.
 */
export async function auditDeactivatedUsers(io: AuditIo): Promise<void> {
  const cmd = auditCommand(io, 'provisio audit deactivated-users', 'users deactivated in the last N days, per tenant', (c) =>
    c.option('--days <n>', 'look back this many days', '30'),
  );
  cmd.parse(io.argv, { from: 'user' });
  const opts = cmd.opts();
  const o = commonOptions(opts, io.env);
  const since = new Date(Date.now() - days(opts.days, 'days') * DAY_MS).toISOString();
  const filter = `active eq false and meta.lastModified gt "${since}"`;
  const rows: Row[] = [];
  for (const slug of await tenantSlugs(o)) {
    const users = await allNodes<UserNode>(o, slug, 'users', 'id userName externalId displayName updatedAt', filter);
    for (const u of users) rows.push({ tenant: slug, userName: u.userName, displayName: u.displayName, externalId: u.externalId, lastModified: u.updatedAt, id: u.id });
  }
  output(io, o, { criteria: { days: Number(opts.days), since, filter }, rows }, ['tenant', 'userName', 'displayName', 'externalId', 'lastModified', 'id'], `Users deactivated since ${since}`);
}

