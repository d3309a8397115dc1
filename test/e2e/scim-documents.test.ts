import fs from 'node:fs';
import path from 'node:path';
import { documentText, scimDocuments, SCIM_DOCUMENTS_DIR, TENANT_PLACEHOLDER } from '../../src/scim/scim-documents';
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
});
