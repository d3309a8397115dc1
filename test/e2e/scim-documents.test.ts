import fs from 'node:fs';
import path from 'node:path';
import { documentText, OPENAPI_FILE, openApiForDocs, scimDocuments, SCIM_DOCUMENTS_DIR, TENANT_PLACEHOLDER } from '../../src/scim/scim-documents';
import { createTestApp, scim, TestApp } from '../support/app';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

const committed = (name: string) => fs.readFileSync(path.join(SCIM_DOCUMENTS_DIR, name), 'utf8');

describe('schema/scim: the committed SCIM discovery documents', () => {
  it('are exactly what the catalogue generates (run `npm run schema:emit` after changing it)', () => {
    const generated = scimDocuments();
    expect(fs.readdirSync(SCIM_DOCUMENTS_DIR).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, doc] of Object.entries(generated)) expect([name, committed(name)]).toEqual([name, documentText(doc)]);
  });

  it('are what a tenant without custom attributes is served over HTTP', async () => {
    const t = await app.tenant('Docs Co');
    // the test app's PUBLIC_URL differs from the default configuration's, and the slug is real
    const swap = (text: string, from: string, to: string) => text.split(from).join(to);
    for (const name of ['Schemas', 'ResourceTypes', 'ServiceProviderConfig']) {
      const res = await scim(app, t.token).get(`${t.base}/${name}`);
      expect(res.status).toBe(200);
      const served = swap(JSON.stringify(res.body), app.config.publicUrl, '<public>');
      const doc = swap(swap(committed(`${name}.json`), `/${TENANT_PLACEHOLDER}`, `/${t.slug}`), 'http://localhost:8080', '<public>');
      expect(JSON.parse(served)).toEqual(JSON.parse(doc));
    }
  });

  it('schema/openapi.json is the OpenAPI 3.1 description the catalogue generates, and what a tenant is served at /openapi.json', async () => {
    const committedText = fs.readFileSync(OPENAPI_FILE, 'utf8');
    expect(committedText).toBe(documentText(openApiForDocs()));
    const doc = JSON.parse(committedText);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/Users', '/Users/{id}', '/Users/.search', '/Groups', '/Groups/{id}', '/.search', '/Bulk', '/ServiceProviderConfig', '/Schemas']));
    expect(doc.paths['/Users/{id}'].patch.responses['412']).toEqual({ $ref: '#/components/responses/412' });
    expect(doc.components.schemas.User.properties.userName).toMatchObject({ type: 'string' });
    expect(doc.components.schemas.User.properties.emails).toMatchObject({ type: 'array', items: { type: 'object' } });
    expect(doc.components.schemas.User.properties['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toMatchObject({ type: 'object' });
    expect(doc.components.schemas.Error.properties.scimType).toEqual({ type: 'string' });

    const t = await app.tenant('OpenAPI Co');
    const res = await scim(app, t.token).get(`${t.base}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const swap = (text: string, from: string, to: string) => text.split(from).join(to);
    const served = swap(JSON.stringify(res.body), app.config.publicUrl, '<public>');
    expect(JSON.parse(served)).toEqual(JSON.parse(swap(swap(committedText, `/${TENANT_PLACEHOLDER}`, `/${t.slug}`), 'http://localhost:8080', '<public>')));

    // a tenant's own custom attributes are part of its description
    const ctx = { tenant: { id: t.id, slug: t.slug, name: 'OpenAPI Co' }, actor: { kind: 'admin' as const }, requestId: 'test' };
    await app.services.customAttributes.define(ctx, { resourceType: 'User', name: 'costCenter', type: 'string' } as never);
    const custom = (await scim(app, t.token).get(`${t.base}/openapi.json`)).body;
    const ext = Object.entries(custom.components.schemas.User.properties).find(([k]) => k.includes(':extension:') && !k.includes('enterprise'));
    expect(ext?.[1]).toMatchObject({ type: 'object', properties: { costCenter: { type: 'string' } } });
  });
});
