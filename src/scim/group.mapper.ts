import type { GroupRecord } from '../domain/group/group.service';
import { URN } from '../domain/schema/core-schemas';
import { resourceMeta } from './meta';

/** A group as an RFC 7643 §4.2 resource; members carry value, $ref, display and type. */
export function toScimGroup(group: GroupRecord, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [URN.group, ...Object.keys(group.doc).filter((k) => k.startsWith('urn:'))],
    id: group.id,
    ...group.doc,
    ...(group.members?.length
      ? { members: group.members.map((m) => ({ value: m.id, $ref: `${baseUrl}/Users/${m.id}`, display: m.display, type: 'User' })) }
      : {}),
    meta: resourceMeta('Group', group, `${baseUrl}/Groups/${group.id}`),
  };
}
