import type { AuditNotes } from './audit/audit-notes';
import type { HealthNotes } from './connection/health';
import type { IdpKind } from './connection/scim-connection.entity';
import type { Leniency } from './schema/leniency';

export interface TenantRef {
  id: string;
  slug: string;
  name: string;
}

/** Who is acting: an IdP through a SCIM connection, an admin, or the service itself. */
export type Actor =
  | { kind: 'scim'; connectionId: string; tokenId: string; idp: IdpKind }
  | { kind: 'admin'; keyId?: string }
  | { kind: 'system' };

/** First argument of every tenant-scoped service method (ARCHITECTURE.md principle 2). */
export interface RequestContext {
  tenant: TenantRef;
  actor: Actor;
  requestId: string;
  /**
   * The input dialect of the client (SCIM: from the connection's IdP profile). Absent: LENIENT,
   * the dialect of every known IdP.
   */
  leniency?: Leniency;
  /** Filled by the services for the audit trail, when the edge audits this request. */
  audit?: AuditNotes;
  /** Filled by the services for the connection's mapping health (SCIM requests). */
  health?: HealthNotes;
}
