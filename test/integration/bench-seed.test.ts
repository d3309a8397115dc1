import type { RequestContext } from '../../src/domain/context';
import { isUuid } from '../../src/domain/ids';
import { createTestDb, TestDb } from '../support/database';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { copyUsers, idOf } = require('../../bench/seed') as {
  copyUsers: (url: string, plan: { tenantId: string; first: number; size: number }[], options?: { progress?: boolean }) => Promise<void>;
  idOf: (n: number) => string;
};

/**
 * The benchmarks' COPY seeding (bench/seed.js) against the real schema: the rows it writes are
 * users the service finds by id and by userName. The bench is not part of the suite, so without
 * this a new NOT NULL column (user_name_key did it) breaks `npm run bench` unnoticed.
 * COPY FROM STDIN needs a PostgreSQL server, so this runs when DATABASE_URL names one.
 */
const onServer = (name: string, fn: () => void) => (process.env.DATABASE_URL ? describe(name, fn) : undefined);
let db: TestDb;

onServer('bench/seed.js on PostgreSQL', () => {
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db?.close());

  it('COPYs users that the service reads back by id and by userName', async () => {
    const t = await db.services.tenants.create({ name: 'Seeded' });
    const ctx: RequestContext = { tenant: { id: t.id, slug: t.slug, name: t.name }, actor: { kind: 'system' } as never, requestId: 'seed' };
    await copyUsers(db.url, [{ tenantId: t.id, first: 7, size: 5 }], { progress: false });
    const byName = await db.services.users.list(ctx, { filter: 'userName eq "USER9@example.com"', startIndex: 1, count: 10 });
    expect(byName.totalResults).toBe(1);
    const user = await db.services.users.get(ctx, idOf(9));
    expect(user.doc).toMatchObject({ userName: 'user9@example.com', externalId: 'ext-9' });
    expect((await db.services.users.list(ctx, { startIndex: 1, count: 100 })).totalResults).toBe(5);
  });
});

it('seeded ids are UUIDs in the order of their user numbers (creation order, as the service issues them)', () => {
  const ids = [1, 2, 15, 16, 255, 256, 999_999, 10_000_000, 100_000_000].map(idOf);
  for (const id of ids) expect(isUuid(id)).toBe(true);
  expect([...ids].sort()).toEqual(ids);
});
