/**
 * What an input dialect tolerates beyond RFC 7643/7644. The SCIM edge picks one per request from
 * the connection's IdP profile (src/scim/idp-profile.ts); the normaliser, the PATCH engine and the
 * filter parser read it. Leniency only widens what is accepted: a value is always stored as sent
 * (after typing), never rewritten into something the IdP would read back as a difference.
 */
export interface Leniency {
  /** "True"/"False" strings for booleans, numbers for strings (Entra's employeeNumber: 42) */
  coerceScalars: boolean;
  /**
   * A lone value for a multi-valued attribute, a one-element list for a single-valued one, and a
   * bare id for a complex attribute with a `value` sub-attribute (Entra's manager forms: "id",
   * {value}, [{value}])
   */
  coerceShapes: boolean;
  /** PATCH `op` in any case ("Replace", "Add"; RFC 7644 §3.5.2 spells them lower-case) */
  opCase: boolean;
  /**
   * A path-less add/replace value may carry keys that are no writable attribute (Okta's
   * `{"id": …, "displayName": …}`, meta, unknown names): they are ignored, like in a PUT body,
   * instead of 400 mutability / invalidPath
   */
  pathlessExtraKeys: boolean;
  /** Entra's `urn:ietf:params:scim:schemas:extension:enterprise:2.0User` (no colon before User) */
  misspeltEnterpriseUrn: boolean;
  /** PATCH add/replace with a null value removes the target (Entra clears attributes that way) */
  nullMeansRemove: boolean;
  /** unquoted filter values (`externalId eq jyoung`, older Entra) taken as strings */
  unquotedFilterValues: boolean;
  /**
   * A PATCH path naming an extension attribute without its schema URN (Entra's `manager` for
   * the enterprise `manager`), resolved when no core attribute has that name
   */
  unqualifiedExtensionPaths: boolean;
}

/** Everything the known IdPs send (SCIM-CLIENTS.md). The default where no profile is given. */
export const LENIENT: Readonly<Leniency> = Object.freeze({
  coerceScalars: true,
  coerceShapes: true,
  opCase: true,
  pathlessExtraKeys: true,
  misspeltEnterpriseUrn: true,
  nullMeansRemove: true,
  unquotedFilterValues: true,
  unqualifiedExtensionPaths: true,
});

/** RFC 7643/7644 as written: what a client that is no known IdP gets. */
export const STRICT: Readonly<Leniency> = Object.freeze({
  coerceScalars: false,
  coerceShapes: false,
  opCase: false,
  pathlessExtraKeys: false,
  misspeltEnterpriseUrn: false,
  nullMeansRemove: false,
  unquotedFilterValues: false,
  unqualifiedExtensionPaths: false,
});
