import { allNodes, auditCommand, AuditIo, commonOptions, output, Row, tenantSlugs } from './client';

interface GroupNode {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Groups with no members, per tenant, found with the SCIM filter `not (members pr)` on the server. */
export async function auditEmptyGroups(io: AuditIo): Promise<void> {
  const cmd = auditCommand(io, 'provisio audit empty-groups', 'groups with no members', () => undefined);
  cmd.parse(io.argv, { from: 'user' });
  const o = commonOptions(cmd.opts(), io.env);
  const filter = 'not (members pr)';
  const rows: Row[] = [];
  for (const slug of await tenantSlugs(o)) {
    const groups = await allNodes<GroupNode>(o, slug, 'groups', 'id displayName externalId createdAt updatedAt', filter);
    for (const g of groups) rows.push({ tenant: slug, displayName: g.displayName, externalId: g.externalId, lastModified: g.updatedAt, id: g.id });
  }
  output(io, o, { criteria: { filter }, rows }, ['tenant', 'displayName', 'externalId', 'lastModified', 'id'], 'Groups with no members');
}

