import type { UserRecord } from '../domain/user/user.service';
import { URN } from '../domain/schema/core-schemas';
import { resourceMeta } from './meta';

/**
 * A user as an RFC 7643 §4.1 resource: `schemas` lists the core URN and each extension present
 * (a document holds extension attributes under their schema URN, custom extensions included),
 * `meta` (§3.1) carries resourceType, created, lastModified, location and version.
 */
export function toScimUser(user: UserRecord, baseUrl: string): Record<string, unknown> {
  const schemas: string[] = [URN.user];
  for (const key of Object.keys(user.doc)) if (key.startsWith('urn:')) schemas.push(key);
  return {
    schemas,
    id: user.id,
    ...user.doc,
    ...(user.groups.length
      ? { groups: user.groups.map((g) => ({ value: g.id, $ref: `${baseUrl}/Groups/${g.id}`, display: g.display, type: 'direct' })) }
      : {}),
    meta: resourceMeta('User', user, `${baseUrl}/Users/${user.id}`),
  };
}
