import type { AdminPrincipal } from '../domain/admin/admin-principal';
import { UnauthenticatedError } from '../domain/errors';
import type { Services } from '../services';

const BEARER_RE = /^Bearer\s+(\S+)\s*$/i;

/** The admin key of an `Authorization: Bearer <key>` header (RFC 6750 §2.1), or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  return BEARER_RE.exec(header ?? '')?.[1];
}

/**
 * The admin principal of a request's Authorization header, for every admin-key edge (GraphQL and
 * GET /events): UnauthenticatedError when the header carries no Bearer key or the key is unknown
 * or revoked. Each edge maps that error its own way (401 body, extensions.code).
 */
export async function adminBearer(services: Services, header: string | undefined): Promise<AdminPrincipal> {
  const key = bearerToken(header);
  if (!key) throw new UnauthenticatedError('an admin key is required (Authorization: Bearer <key>)');
  return services.adminKeys.authenticate(key);
}
