/**
 * What an input dialect tolerates beyond RFC 7643/7644. The SCIM edge picks one per request from
 * the connection's IdP profile (src/scim/idp-profile.ts): LENIENT for every connection kind but
 * `strict`. The normaliser, the PATCH engine, the filter parser and resolver, the projection and
 * the discovery routes read it; each form real clients send is one flag here, not a special case. Leniency only widens what is accepted: a value is always stored as sent
 * (after typing), never rewritten into something the IdP would read back as a difference.
 */
export interface Leniency {
  /**
   * "True"/"False" strings for booleans, numbers for strings (Entra's employeeNumber: 42), in
   * bodies, PATCH values and filter comparison values (`active eq "true"`)
   */
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
  /**
   * unquoted filter values (`externalId eq jyoung`, older Entra; `userName sw O`): a bare word is a
   * string, typed by the attribute like a quoted one (a bare ISO date-time compares as a dateTime)
   */
  unquotedFilterValues: boolean;
  /** a date without time in a dateTime filter (`meta.created gt "2024-05-30"`): midnight UTC that day */
  dateOnlyFilterValues: boolean;
  /**
   * remove with a `value` listing the values to remove (Entra's
   * `{"op":"Remove","path":"members","value":[{"value":id}]}`); RFC 7644 §3.5.2.2 names them with a
   * value filter in the path (`members[value eq "id"]`, accepted by every dialect)
   */
  removeWithValue: boolean;
  /** a value filter in `attributes` (`attributes=emails[type eq "work"]`): only the matching values are returned */
  attributeValueFilters: boolean;
  /** discovery endpoints under the names some clients use (`/serviceConfiguration` for `/ServiceProviderConfig`) */
  discoveryAliases: boolean;
  /**
   * an enterprise `manager.value` naming no user of the tenant (a manager provisioned later, or
   * outside the app's scope) is stored as sent and counted in the connection's mapping health;
   * strict: 400 invalidValue
   */
  danglingManager: boolean;
  /**
   * A PATCH path naming an extension attribute without its schema URN (Entra's `manager` for
   * the enterprise `manager`), resolved when no core attribute has that name
   */
  unqualifiedExtensionPaths: boolean;
}

/**
 * Every unambiguous form real clients send (docs/idp-profiles.md): the dialect of every connection
 * kind but `strict`, whatever the client's User-Agent, and the default where no profile is given.
 */
export const LENIENT: Readonly<Leniency> = Object.freeze({
  coerceScalars: true,
  coerceShapes: true,
  opCase: true,
  pathlessExtraKeys: true,
  misspeltEnterpriseUrn: true,
  nullMeansRemove: true,
  unquotedFilterValues: true,
  unqualifiedExtensionPaths: true,
  dateOnlyFilterValues: true,
  removeWithValue: true,
  attributeValueFilters: true,
  discoveryAliases: true,
  danglingManager: true,
});

/** RFC 7643/7644 as written: the `strict` connection kind, for conformance testing. */
export const STRICT: Readonly<Leniency> = Object.freeze({
  coerceScalars: false,
  coerceShapes: false,
  opCase: false,
  pathlessExtraKeys: false,
  misspeltEnterpriseUrn: false,
  nullMeansRemove: false,
  unquotedFilterValues: false,
  unqualifiedExtensionPaths: false,
  dateOnlyFilterValues: false,
  removeWithValue: false,
  attributeValueFilters: false,
  discoveryAliases: false,
  danglingManager: false,
});
