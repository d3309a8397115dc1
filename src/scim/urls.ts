import type { Config } from '../config';

/** Path prefix of every tenant's SCIM API; the slug segment selects the tenant. */
export const SCIM_PREFIX = '/scim/v2';

/** The tenant's SCIM base URL (RFC 7644 §1.3 "Base URI"), from which every resource URL is built. */
export function scimBaseUrl(config: Pick<Config, 'publicUrl'>, slug: string): string {
  return `${config.publicUrl}${SCIM_PREFIX}/${slug}`;
}
