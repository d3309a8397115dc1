import { Client } from 'pg';
import { scim } from '../support/app';
import { createGqlTestApp, GqlTestApp } from './graphql-helpers';

let app: GqlTestApp;
let key: string;
let slug: string;
let tenantId: string;

/** Background writes queued by earlier requests (reads' audit entries, mapping health), out of the way. */
async function settle(): Promise<void> {
  await app.services.audit.drain();
  await app.services.health.drain();
}

/**
 * Counts every statement sent to PostgreSQL through the pg driver (the ORM, knex and prepared
 * statements all use it) by `work`, and by the background writes it queued: earlier requests'
 * are written first, its own are waited for, so the count does not hang on when a flush runs.
 * `work` runs once uncounted just before, after the tenant's catalogue is forgotten: the caches
 * that expire (the catalogue after 5 s, a key's last-used stamp after a minute) are then loaded
 * anew, however slow the machine, and a reload never lands in one count and not in the other. (A
 * catalogue still fresh at the uncounted run, loaded 4.9 s before, expired during the counted one.)
 */
async function countStatements(work: () => Promise<void>): Promise<number> {
  app.services.catalogue.invalidate(tenantId);
  await work();
  await settle();
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let n = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  try {
    await work();
    await settle();
  } finally {
    proto.query = original;
  }
  return n;
}

beforeAll(async () => {
  app = await createGqlTestApp();
  key = await app.key('auditor');
  const t = await app.tenant('Loader Co');
  slug = t.slug;
  tenantId = t.id;
  const client = scim(app, t.token);
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    const res = await client.post(`${t.base}/Users`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `u${i}@example.com` });
    ids.push(res.body.id);
  }
  // six groups; every user in three of them
  for (let g = 0; g < 6; g++) {
    const members = ids.filter((_, i) => i % 2 === g % 2 || i % 3 === g % 3).map((value) => ({ value }));
    expect((await client.post(`${t.base}/Groups`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `G${g}`, members })).status).toBe(201);
  }
  // and a group of its own each, so that a larger page of users names more distinct groups
  for (let i = 0; i < 50; i++) {
    const res = await client.post(`${t.base}/Groups`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `P${i}`, members: [{ value: ids[i] }] });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => app.close());

const USERS_WITH_GROUPS = `query($slug: String, $first: Int) { tenant(slug: $slug) { users(first: $first) { nodes { id userName groups { id displayName externalId memberCount } } } } }`;
const GROUPS_WITH_MEMBERS = `query($slug: String, $first: Int) { tenant(slug: $slug) { groups(filter: "displayName sw \\"G\\"") { nodes { id memberCount members(first: $first) { nodes { id groups { displayName } } } } } } }`;

describe('DataLoader: nested lists cost a fixed number of SQL statements', () => {
  it('a page of users with their groups and member counts: the same count for 5 and 40 users', async () => {
    await app.gql(key, USERS_WITH_GROUPS, { slug, first: 1 }); // warm-up: the key's last-used stamp is written at most once a minute
    const counts: Record<number, number> = {};
    // neither page is the whole result (that one needs no count: see pageOf)
    for (const first of [5, 40]) {
      counts[first] = await countStatements(async () => {
        const res = await app.gql(key, USERS_WITH_GROUPS, { slug, first });
        expect(res.body.errors).toBeUndefined();
        const nodes = res.body.data.tenant.users.nodes;
        expect(nodes).toHaveLength(first);
        for (const n of nodes) expect(n.groups.length).toBeGreaterThanOrEqual(4); // its own and at least three shared
        expect(nodes.flatMap((n: any) => n.groups).every((g: any) => g.memberCount > 0)).toBe(true);
      });
    }
    // admin key, tenant, users (count + page), their groups in one batch, member counts in one batch,
    // and the request's audit entry
    expect(counts[5]).toBeGreaterThan(0);
    expect(counts[5]).toBeLessThanOrEqual(7);
    expect(counts[40]).toBe(counts[5]);
  });

  it('groups with a page of members each, and the members’ groups: the same count for 5 and 50 members', async () => {
    // warm-up: the resolvers of the six groups run concurrently, and new pool connections run setup statements
    await app.gql(key, GROUPS_WITH_MEMBERS, { slug, first: 1 });
    const counts: Record<number, number> = {};
    for (const first of [5, 50]) {
      counts[first] = await countStatements(async () => {
        const res = await app.gql(key, GROUPS_WITH_MEMBERS, { slug, first });
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.tenant.groups.nodes).toHaveLength(6);
      });
    }
    // The six member lists resolve concurrently, so the members' groups loader may dispatch one batch per
    // group rather than one in all (DataLoader batches per tick): the count varies with timing, never with
    // page size. Bound: key + tenant + groups (count + page) + member counts + per group (count + page +
    // one groups batch) = 5 + 6 * 3. Without batching, 50 members each would cost 300+ statements.
    const bound = 5 + 6 * 3;
    expect(counts[5]).toBeLessThanOrEqual(bound);
    expect(counts[50]).toBeLessThanOrEqual(bound);
  });

  it('aliases of stats over many tenants: the same statements for 2 tenants and 4 aliases as for 6 and 30, each alias with its own figures', async () => {
    const admin = await app.key('admin');
    const slugs = [slug];
    for (let i = 0; i < 5; i++) {
      const t = await app.tenant(`Stats Co ${i}`);
      for (let u = 0; u <= i; u++) expect((await scim(app, t.token).post(`${t.base}/Users`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `s${u}@example.com`, active: u % 2 === 0 })).status).toBe(201);
      slugs.push(t.slug);
    }
    const fields = 'usersActive usersInactive usersDeleted groups memberships connections { id }';
    // each tenant's figures asked alone: what every alias must answer
    const alone = new Map<string, unknown>();
    for (const s of slugs) alone.set(s, (await app.gql(admin, `query($s: String) { stats(tenant: $s) { ${fields} } }`, { s })).body.data.stats);
    const query = (tenants: string[], aliases: number) =>
      `{ ${Array.from({ length: aliases }, (_, i) => `s${i}: stats(tenant: "${tenants[i % tenants.length]}") { ${fields} }`).join(' ')} }`;
    const counts: number[] = [];
    for (const [tenants, aliases] of [[slugs.slice(0, 2), 4], [slugs, 30]] as const) {
      counts.push(
        await countStatements(async () => {
          const res = await app.gql(admin, query(tenants, aliases));
          expect(res.body.errors).toBeUndefined();
          for (let i = 0; i < aliases; i++) expect(res.body.data[`s${i}`]).toEqual(alone.get(tenants[i % tenants.length]));
        }),
      );
    }
    // the slugs resolve through the tenant loader in one statement, the figures in two
    expect(counts[1]).toBe(counts[0]);
  });
});
