import type { Config } from '../config';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from '../domain/schema/attribute';
import { URN } from '../domain/schema/core-schemas';

const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RT_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** RFC 7643 §7 attribute definition, without undefined members. */
function attributeJson(a: AttributeDef): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attributeJson) } : {}),
  };
}

/** RFC 7643 §7 / §8.7.1: one schema resource, generated from the catalogue. */
export function schemaJson(schema: SchemaDef, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA_URN],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeJson),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

/** RFC 7643 §6 / §8.6: one resource type. */
export function resourceTypeJson(rt: ResourceTypeDef, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [RT_URN],
    id: rt.name,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema.id,
    ...(rt.extensions.length ? { schemaExtensions: rt.extensions.map((e) => ({ schema: e.schema.id, required: e.required })) } : {}),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${rt.name}` },
  };
}

/** Every schema the tenant's resource types use (its custom extensions included), each once. */
export function allSchemas(types: ResourceTypeDef[]): SchemaDef[] {
  const seen = new Map<string, SchemaDef>();
  for (const rt of types) for (const s of [rt.schema, ...rt.extensions.map((e) => e.schema)]) seen.set(s.id, s);
  return [...seen.values()];
}

/**
 * RFC 7643 §5 / RFC 7644 §4: what this service really supports. changePassword is false: passwords
 * are never stored.
 */
export function serviceProviderConfig(config: Config, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SPC_URN],
    documentationUri: `${config.publicUrl}/docs`, // served by this server (src/http/docs-page.ts)
    patch: { supported: true },
    bulk: { supported: true, maxOperations: config.bulkMaxOperations, maxPayloadSize: config.bulkMaxPayloadBytes },
    filter: { supported: true, maxResults: config.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    // RFC 9865 §4: both paging styles; keyset cursors do not expire (cursorTimeout is a lower bound)
    pagination: { cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: config.maxResults, maxPageSize: config.maxResults, cursorTimeout: 86400 },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a per-tenant bearer token issued by Provisio (RFC 6750).',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}


/** RFC 7644 §4: discovery resources as ListResponses (no filtering, no paging: the lists are tiny). */
export function discoveryList(resources: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [URN.listResponse], totalResults: resources.length, itemsPerPage: resources.length, startIndex: 1, Resources: resources };
}
