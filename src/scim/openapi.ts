import type { Config } from '../config';
import type { AttributeDef, ResourceTypeDef } from '../domain/schema/attribute';

/**
 * An OpenAPI 3.1 description of the SCIM surface as this server implements it: the paths of RFC
 * 7644 §3 and §4, resource schemas generated from the tenant's catalogue (core schemas, enterprise
 * extension and the tenant's own custom attributes; RFC 7643 §2.2 characteristics mapped to JSON
 * Schema), and the RFC 7644 §3.12 error body. Served at `/scim/v2/{tenant}/openapi.json`; the
 * document of a tenant without custom attributes is committed as schema/openapi.json.
 */
export function openApiDocument(types: ResourceTypeDef[], config: Pick<Config, 'bulkMaxOperations' | 'maxResults'>, baseUrl: string): Record<string, unknown> {
  const schemas: Record<string, unknown> = { Error: errorSchema, ListResponse: listResponseSchema, PatchOp: patchOpSchema, SearchRequest: searchRequestSchema, BulkRequest: bulkSchema('BulkRequest'), BulkResponse: bulkSchema('BulkResponse') };
  const paths: Record<string, unknown> = {};
  for (const rt of types) {
    schemas[rt.name] = resourceSchema(rt);
    const ref = { $ref: `#/components/schemas/${rt.name}` };
    const list = { allOf: [{ $ref: '#/components/schemas/ListResponse' }, { properties: { Resources: { type: 'array', items: ref } } }] };
    const one = (status: string, description: string) => ({ [status]: { description, headers: { ETag: { $ref: '#/components/headers/ETag' } }, content: scimContent(ref) } });
    paths[rt.endpoint] = {
      get: op(`list ${rt.name} resources (RFC 7644 §3.4.2): filter, sort, index or cursor paging (at most ${config.maxResults} per page), projection`, listParams, { '200': { description: 'a page', content: scimContent(list) } }),
      post: op(`create a ${rt.name} (RFC 7644 §3.3)`, [], one('201', 'created'), ref),
    };
    paths[`${rt.endpoint}/.search`] = { post: op(`search ${rt.name} resources with a body (RFC 7644 §3.4.3)`, [], { '200': { description: 'a page', content: scimContent(list) } }, { $ref: '#/components/schemas/SearchRequest' }) };
    paths[`${rt.endpoint}/{id}`] = {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: op(`read a ${rt.name} (RFC 7644 §3.4.1)`, [...projectionParams, ifNoneMatch], { ...one('200', 'the resource'), '304': { description: 'not modified (If-None-Match)' } }),
      put: op(`replace a ${rt.name} (RFC 7644 §3.5.1)`, [ifMatch], one('200', 'replaced'), ref),
      patch: op(`modify a ${rt.name} (RFC 7644 §3.5.2)`, [ifMatch], { ...one('200', 'modified'), '204': { description: 'modified, nothing to return' } }, { $ref: '#/components/schemas/PatchOp' }),
      delete: op(`delete a ${rt.name} (RFC 7644 §3.6)`, [ifMatch], { '204': { description: 'deleted' } }),
    };
  }
  const anyResource = { oneOf: types.map((rt) => ({ $ref: `#/components/schemas/${rt.name}` })) };
  paths['/.search'] = { post: op('search every resource type (RFC 7644 §3.4.3)', [], { '200': { description: 'a page', content: scimContent({ allOf: [{ $ref: '#/components/schemas/ListResponse' }, { properties: { Resources: { type: 'array', items: anyResource } } }] }) } }, { $ref: '#/components/schemas/SearchRequest' }) };
  paths['/Bulk'] = { post: op(`bulk operations (RFC 7644 §3.7), at most ${config.bulkMaxOperations} per request`, [], { '200': { description: 'the result of each operation', content: scimContent({ $ref: '#/components/schemas/BulkResponse' }) } }, { $ref: '#/components/schemas/BulkRequest' }) };
  const discovery = (summary: string) => op(summary, [], { '200': { description: 'the document', content: scimContent({ type: 'object' }) } });
  paths['/ServiceProviderConfig'] = { get: discovery('what this server supports (RFC 7644 §4, RFC 7643 §5)') };
  paths['/ResourceTypes'] = { get: discovery('resource types (RFC 7643 §6)') };
  paths['/ResourceTypes/{name}'] = { parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], get: discovery('one resource type') };
  paths['/Schemas'] = { get: discovery("schemas, with the tenant's custom extension (RFC 7643 §7)") };
  paths['/Schemas/{id}'] = { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], get: discovery('one schema, by URN') };
  paths['/openapi.json'] = { get: op('this document', [], { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } }) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Provisio SCIM 2.0',
      version: '2.0',
      description: "A tenant's SCIM 2.0 service (RFC 7643, RFC 7644). Every request needs the bearer token of one of the tenant's SCIM connections; errors are RFC 7644 §3.12 bodies.",
    },
    servers: [{ url: baseUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a SCIM token (prv_…) of one of the tenant\'s connections' } },
      schemas,
      headers: { ETag: { description: 'the resource version (RFC 7644 §3.14)', schema: { type: 'string' } } },
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([status, description]) => [String(status), { description, content: scimContent({ $ref: '#/components/schemas/Error' }) }]),
      ),
    },
  };
}

/** The errors every operation can answer (RFC 7644 §3.12). */
const ERRORS: Record<number, string> = {
  400: 'invalid request: scimType invalidFilter, invalidSyntax, invalidPath, noTarget, invalidValue, mutability, tooMany…',
  401: 'no or invalid bearer token',
  404: 'no such resource (or route)',
  409: 'uniqueness conflict (scimType uniqueness)',
  412: 'If-Match did not match the current version',
  413: 'the body (or a bulk request) is too large',
  503: 'temporarily unavailable (Retry-After)',
};

function op(summary: string, parameters: unknown[], responses: Record<string, unknown>, body?: unknown): Record<string, unknown> {
  const errors = Object.fromEntries(Object.keys(ERRORS).map((s) => [s, { $ref: `#/components/responses/${s}` }]));
  return {
    summary,
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: { required: true, content: scimContent(body) } } : {}),
    responses: { ...responses, ...errors },
  };
}

const scimContent = (schema: unknown) => ({ 'application/scim+json': { schema }, 'application/json': { schema } });

const query = (name: string, description: string, schema: unknown = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const projectionParams = [
  query('attributes', 'comma-separated attribute paths to return (RFC 7644 §3.4.2.5)'),
  query('excludedAttributes', 'comma-separated attribute paths to leave out'),
];
const listParams = [
  query('filter', 'SCIM filter (RFC 7644 §3.4.2.2), e.g. userName eq "a@example.com"'),
  query('sortBy', 'attribute path to sort by (RFC 7644 §3.4.2.3)'),
  query('sortOrder', 'ascending | descending', { type: 'string', enum: ['ascending', 'descending'] }),
  query('startIndex', '1-based index paging (RFC 7644 §3.4.2.4)', { type: 'integer', minimum: 1 }),
  query('count', 'page size', { type: 'integer', minimum: 0 }),
  query('cursor', 'cursor paging (RFC 9865): empty for the first page, then nextCursor'),
  ...projectionParams,
];
const ifMatch = { name: 'If-Match', in: 'header', required: false, description: 'the version the change applies to (RFC 7644 §3.14)', schema: { type: 'string' } };
const ifNoneMatch = { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } };

/** RFC 7643 §2.3 data types as JSON Schema. */
function attributeSchema(a: AttributeDef): Record<string, unknown> {
  let s: Record<string, unknown>;
  switch (a.type) {
    case 'boolean':
      s = { type: 'boolean' };
      break;
    case 'integer':
      s = { type: 'integer' };
      break;
    case 'decimal':
      s = { type: 'number' };
      break;
    case 'dateTime':
      s = { type: 'string', format: 'date-time' };
      break;
    case 'reference':
      s = { type: 'string', format: 'uri-reference', ...(a.referenceTypes?.length ? { 'x-scim-referenceTypes': a.referenceTypes } : {}) };
      break;
    case 'binary':
      s = { type: 'string', contentEncoding: 'base64' };
      break;
    case 'complex':
      s = objectSchema(a.subAttributes ?? []);
      break;
    default:
      s = { type: 'string', ...(a.canonicalValues?.length ? { examples: a.canonicalValues } : {}) };
  }
  const described = { ...(a.description ? { description: a.description } : {}), ...(a.mutability === 'readOnly' ? { readOnly: true } : {}), ...(a.mutability === 'writeOnly' ? { writeOnly: true } : {}) };
  return a.multiValued ? { type: 'array', items: s, ...described } : { ...s, ...described };
}

function objectSchema(attrs: AttributeDef[]): Record<string, unknown> {
  const required = attrs.filter((a) => a.required && a.mutability !== 'readOnly').map((a) => a.name);
  return { type: 'object', properties: Object.fromEntries(attrs.map((a) => [a.name, attributeSchema(a)])), ...(required.length ? { required } : {}) };
}

function resourceSchema(rt: ResourceTypeDef): Record<string, unknown> {
  const core = objectSchema(rt.schema.attributes);
  const properties: Record<string, unknown> = {
    schemas: { type: 'array', items: { type: 'string', enum: [rt.schema.id, ...rt.extensions.map((e) => e.schema.id)] }, description: 'the schema URNs of the resource' },
    id: { type: 'string', readOnly: true },
    meta: { type: 'object', readOnly: true, properties: { resourceType: { type: 'string' }, created: { type: 'string', format: 'date-time' }, lastModified: { type: 'string', format: 'date-time' }, location: { type: 'string', format: 'uri' }, version: { type: 'string' } } },
    ...(core.properties as Record<string, unknown>),
  };
  for (const ext of rt.extensions) properties[ext.schema.id] = { ...objectSchema(ext.schema.attributes), description: ext.schema.description || ext.schema.name };
  return { type: 'object', description: rt.description, properties, required: ['schemas', ...((core.required as string[] | undefined) ?? [])] };
}

const errorSchema = {
  type: 'object',
  description: 'RFC 7644 §3.12',
  properties: {
    schemas: { type: 'array', items: { const: 'urn:ietf:params:scim:api:messages:2.0:Error' } },
    status: { type: 'string' },
    scimType: { type: 'string' },
    detail: { type: 'string' },
  },
  required: ['schemas', 'status'],
};

const listResponseSchema = {
  type: 'object',
  description: 'RFC 7644 §3.4.2 (with RFC 9865 cursors)',
  properties: {
    schemas: { type: 'array', items: { const: 'urn:ietf:params:scim:api:messages:2.0:ListResponse' } },
    totalResults: { type: 'integer' },
    itemsPerPage: { type: 'integer' },
    startIndex: { type: 'integer' },
    nextCursor: { type: 'string' },
    previousCursor: { type: 'string' },
    Resources: { type: 'array', items: { type: 'object' } },
  },
  required: ['schemas', 'totalResults'],
};

const patchOpSchema = {
  type: 'object',
  description: 'RFC 7644 §3.5.2',
  properties: {
    schemas: { type: 'array', items: { const: 'urn:ietf:params:scim:api:messages:2.0:PatchOp' } },
    Operations: { type: 'array', items: { type: 'object', properties: { op: { type: 'string', description: 'add | remove | replace (case-insensitive)' }, path: { type: 'string' }, value: {} }, required: ['op'] } },
  },
  required: ['schemas', 'Operations'],
};

const searchRequestSchema = {
  type: 'object',
  description: 'RFC 7644 §3.4.3',
  properties: {
    schemas: { type: 'array', items: { const: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest' } },
    filter: { type: 'string' },
    sortBy: { type: 'string' },
    sortOrder: { type: 'string', enum: ['ascending', 'descending'] },
    startIndex: { type: 'integer' },
    count: { type: 'integer' },
    cursor: { type: 'string' },
    attributes: { type: 'array', items: { type: 'string' } },
    excludedAttributes: { type: 'array', items: { type: 'string' } },
  },
  required: ['schemas'],
};

function bulkSchema(kind: 'BulkRequest' | 'BulkResponse') {
  const operation = {
    type: 'object',
    properties: {
      method: { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'DELETE'] },
      bulkId: { type: 'string' },
      version: { type: 'string' },
      path: { type: 'string' },
      location: { type: 'string' },
      data: {},
      status: { type: 'string' },
      response: {},
    },
    required: kind === 'BulkRequest' ? ['method', 'path'] : ['method', 'status'],
  };
  return {
    type: 'object',
    description: 'RFC 7644 §3.7',
    properties: {
      schemas: { type: 'array', items: { const: `urn:ietf:params:scim:api:messages:2.0:${kind}` } },
      ...(kind === 'BulkRequest' ? { failOnErrors: { type: 'integer' } } : {}),
      Operations: { type: 'array', items: operation },
    },
    required: ['schemas', 'Operations'],
  };
}
