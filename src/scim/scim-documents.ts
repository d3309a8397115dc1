import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { groupResourceType, userResourceType } from '../domain/schema/core-schemas';
import { allSchemas, discoveryList, resourceTypeJson, schemaJson, serviceProviderConfig } from './discovery';
import { SCIM_PREFIX } from './urls';
import { openApiDocument } from './openapi';

/** Where the committed documents live, seen from src/scim or dist/src/scim. */
export const SCIM_DOCUMENTS_DIR = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../schema/scim' : '../../schema/scim');

/** The tenant part of every URL in the committed documents; a served document names the real slug. */
export const TENANT_PLACEHOLDER = '{tenant}';

/**
 * The RFC 7644 §4 discovery documents a tenant without custom attributes is served, under the
 * default configuration: /Schemas (RFC 7643 §7), /ResourceTypes (§6) and /ServiceProviderConfig (§5),
 * generated from the one schema catalogue. Committed under schema/scim/ for readers and client
 * authors; test/e2e/scim-documents.test.ts fails when they drift from what the server serves.
 */
export function scimDocuments(): Record<string, unknown> {
  const config = loadConfig({});
  const base = `${config.publicUrl}${SCIM_PREFIX}/${TENANT_PLACEHOLDER}`;
  const types = [userResourceType, groupResourceType];
  return {
    'Schemas.json': discoveryList(allSchemas(types).map((s) => schemaJson(s, base))),
    'ResourceTypes.json': discoveryList(types.map((rt) => resourceTypeJson(rt, base))),
    'ServiceProviderConfig.json': serviceProviderConfig(config, base),
  };
}

export const documentText = (doc: unknown): string => `${JSON.stringify(doc, null, 2)}\n`;

/** schema/openapi.json: the OpenAPI 3.1 description a tenant without custom attributes is served. */
export const OPENAPI_FILE = path.join(SCIM_DOCUMENTS_DIR, '..', 'openapi.json');

export function openApiForDocs(): Record<string, unknown> {
  const config = loadConfig({});
  return openApiDocument([userResourceType, groupResourceType], config, `${config.publicUrl}${SCIM_PREFIX}/${TENANT_PLACEHOLDER}`);
}

/** `npm run schema:emit` writes them beside the GraphQL SDL. */
if (require.main === module) {
  fs.mkdirSync(SCIM_DOCUMENTS_DIR, { recursive: true });
  for (const [name, doc] of Object.entries(scimDocuments())) {
    fs.writeFileSync(path.join(SCIM_DOCUMENTS_DIR, name), documentText(doc));
    process.stdout.write(`wrote ${path.relative(process.cwd(), path.join(SCIM_DOCUMENTS_DIR, name))}\n`);
  }
  fs.writeFileSync(OPENAPI_FILE, documentText(openApiForDocs()));
  process.stdout.write(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}\n`);
}
