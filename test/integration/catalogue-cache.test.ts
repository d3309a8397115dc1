import pino from 'pino';
import type { RequestContext } from '../../src/domain/context';
import { openOrm } from '../../src/db/orm';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CatalogueListener } from '../../src/db/catalogue-listener';
import { PgListener } from '../../src/db/pg-listener';
import { sql } from '../../src/db/sql';
import { TenantCatalogue } from '../../src/domain/schema/tenant-catalogue';
import { createTestDb, TestDb } from '../support/database';

/** The per-tenant catalogue cache: invalidated by define/remove here, by notification or TTL elsewhere. */
let db: TestDb;
let ctx: RequestContext;
beforeAll(async () => {
  db = await createTestDb();
  const t = await db.services.tenants.create({ name: 'Catalogue Co' });
  ctx = { tenant: { id: t.id, slug: t.slug, name: t.name }, actor: { kind: 'admin' }, requestId: 't' };
});
afterAll(async () => db.close());

const extensionsOf = async (catalogue: TenantCatalogue) => (await catalogue.resourceType(ctx, 'User')).extensions.map((e) => e.schema.attributes.map((a) => a.name));

describe('tenant catalogue cache', () => {
  it('is invalidated by define and remove in the same process, and serves the core objects to a tenant without custom attributes', async () => {
    const catalogue = db.services.catalogue;
    const before = await catalogue.resourceType(ctx, 'User');
    expect(before.extensions).toHaveLength(1);
    expect(await catalogue.resourceType(ctx, 'User')).toBe(before); // cached
    await db.services.customAttributes.define(ctx, { resourceType: 'User', name: 'one', type: 'string' });
    expect(await extensionsOf(catalogue)).toEqual([expect.any(Array), ['one']]);
    await db.services.customAttributes.remove(ctx, { resourceType: 'User', name: 'one' });
    expect((await catalogue.resourceType(ctx, 'User')).extensions).toHaveLength(1);
  });

  it('another process sees a change after the TTL without notifications', async () => {
    const other = new TenantCatalogue(db.orm, 2_000);
    expect(await extensionsOf(other)).toHaveLength(1);
    await db.services.customAttributes.define(ctx, { resourceType: 'User', name: 'two', type: 'string' });
    expect(await extensionsOf(other)).toHaveLength(1); // still cached
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await extensionsOf(other))[1]).toEqual(['two']);
    await db.services.customAttributes.remove(ctx, { resourceType: 'User', name: 'two' });
  });

  // a second connection LISTENing needs a server: PGlite is one session. Runs when DATABASE_URL is set, as in CI.
  if (process.env.DATABASE_URL) it('another process listening is invalidated by the commit notification', async () => {
    const orm = await openOrm(db.url, 2);
    const other = new TenantCatalogue(orm, 3_600_000);
    const listener = new CatalogueListener(db.url, other, pino({ level: 'silent' }));
    try {
      await listener.start();
      expect(await extensionsOf(other)).toHaveLength(1);
      await db.services.customAttributes.define(ctx, { resourceType: 'User', name: 'three', type: 'string' });
      for (let i = 0; i < 100 && (await extensionsOf(other)).length === 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect((await extensionsOf(other))[1]).toEqual(['three']);
    } finally {
      await listener.stop();
      await orm.close(true);
    }
  });

  if (process.env.DATABASE_URL) it('a listener stopped while it connects (a retry at shutdown) closes that connection: it hears nothing after stop()', async () => {
    const heard: string[] = [];
    const listen = () => new PgListener(db.url, pino({ level: 'silent' }), { provisio_test_channel: (p) => heard.push(p) }, { lostMessage: 'lost' });
    const notify = async (payload: string) => {
      await sql(db.orm.em.fork() as EntityManager, 'select pg_notify(?, ?)', ['provisio_test_channel', payload]);
      await new Promise((r) => setTimeout(r, 300));
    };
    const control = listen();
    await control.start();
    await notify('heard');
    await control.stop();
    expect(heard).toEqual(['heard']);

    const listener = listen();
    const starting = listener.start();
    await listener.stop();
    await starting;
    await notify('after stop');
    expect(heard).toEqual(['heard']);
  });
});
