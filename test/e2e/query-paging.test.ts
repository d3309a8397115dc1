import { createTestApp, scim, TestApp } from '../support/app';

/**
 * Paging invariants (issue 3), through HTTP on the real database: every row exactly once across
 * pages, in the same order, by startIndex (RFC 7644 §3.4.2.4) and by cursor (RFC 9865), forwards and
 * backwards, with ties and missing values in the sort key, composed with filters; and cursors that
 * are tampered with or replayed on another query are refused.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;
const N = 31;

beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenant('Paging Co');
  api = scim(app, t.token);
  for (let i = 0; i < N; i++) {
    // titles repeat (ties) and a fifth of the users have none (nulls sort last); departments tie too
    const title = i % 5 === 0 ? undefined : ['Engineer', 'Analyst', 'Manager'][i % 3];
    const res = await api.post(`${t.base}/Users`, {
      schemas: [USER, ENT],
      userName: `user${String(i).padStart(2, '0')}@example.com`,
      ...(title ? { title } : {}),
      active: i % 4 !== 0,
      [ENT]: { department: i % 2 ? 'Sales' : 'R&D' },
    });
    expect(res.status).toBe(201);
  }
  for (let i = 0; i < 9; i++) expect((await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: `Team ${i % 3}-${i}` })).status).toBe(201);
});
afterAll(async () => app.close());

type Params = Record<string, string | number>;
const qs = (p: Params) => Object.entries(p).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');

/** All pages by startIndex: ids in order, and the totals seen. */
async function byIndex(path: string, p: Params, count: number): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = [];
  let total = -1;
  for (let start = 1; ; start += count) {
    const res = await api.get(`${t.base}/${path}?${qs({ ...p, startIndex: start, count })}`);
    expect(res.status).toBe(200);
    total = res.body.totalResults;
    expect(res.body.startIndex).toBe(start);
    expect(res.body.itemsPerPage).toBe(res.body.Resources.length);
    ids.push(...res.body.Resources.map((r: { id: string }) => r.id));
    if (start + count > total) return { ids, total };
  }
}

/** All pages by cursor, following nextCursor; returns ids in order and the pages' cursors. */
async function byCursor(path: string, p: Params, count: number) {
  const ids: string[] = [];
  const pages: { ids: string[]; next?: string; previous?: string }[] = [];
  let cursor = '';
  for (;;) {
    const res = await api.get(`${t.base}/${path}?${qs({ ...p, cursor, count })}`);
    expect(res.status).toBe(200);
    expect(res.body.startIndex).toBeUndefined();
    expect(res.body.itemsPerPage).toBe(res.body.Resources.length);
    const page = { ids: res.body.Resources.map((r: { id: string }) => r.id), next: res.body.nextCursor, previous: res.body.previousCursor };
    if (pages.length === 0) expect(page.previous).toBeUndefined();
    else expect(typeof page.previous).toBe('string');
    pages.push(page);
    ids.push(...page.ids);
    if (!page.next) return { ids, pages, total: res.body.totalResults as number };
    expect(page.ids).toHaveLength(count);
    cursor = page.next;
  }
}

const orders: [string, Params][] = [
  ['id order', {}],
  ['title ascending (ties, missing values)', { sortBy: 'title' }],
  ['title descending', { sortBy: 'title', sortOrder: 'descending' }],
  ['an extension attribute', { sortBy: `${ENT}:department`, sortOrder: 'descending' }],
  ['a boolean', { sortBy: 'active' }],
  ['meta.created', { sortBy: 'meta.created', sortOrder: 'descending' }],
  ['userName with a filter', { sortBy: 'userName', filter: 'title pr and not (title eq "Analyst")' }],
];

describe.each(orders)('Users by %s', (_, params) => {
  it('every row exactly once, in one order, by startIndex and by cursor, forwards and backwards', async () => {
    const all = await api.get(`${t.base}/Users?${qs({ ...params, count: 1000 })}`);
    const expected: string[] = all.body.Resources.map((r: { id: string }) => r.id);
    expect(expected.length).toBe(all.body.totalResults);
    expect(expected.length).toBeGreaterThan(5);
    expect(new Set(expected).size).toBe(expected.length);

    for (const count of [1, 4, 7]) {
      const index = await byIndex('Users', params, count);
      expect(index.ids).toEqual(expected);
      expect(index.total).toBe(expected.length);

      const cursor = await byCursor('Users', params, count);
      expect(cursor.ids).toEqual(expected);
      expect(cursor.total).toBe(expected.length);

      // backwards from the last page by previousCursor gives the same pages
      const back: string[][] = [cursor.pages[cursor.pages.length - 1].ids];
      let previous = cursor.pages[cursor.pages.length - 1].previous;
      while (previous) {
        const res = await api.get(`${t.base}/Users?${qs({ ...params, cursor: previous, count })}`);
        expect(res.status).toBe(200);
        back.unshift(res.body.Resources.map((r: { id: string }) => r.id));
        expect(typeof res.body.nextCursor).toBe('string');
        previous = res.body.previousCursor;
      }
      expect(back).toEqual(cursor.pages.map((p) => p.ids));
    }
  });
});

describe('cursor paging (RFC 9865)', () => {
  it('pages Groups too, and POST /.search bodies take a cursor', async () => {
    const all = (await api.get(`${t.base}/Groups?sortBy=displayName&excludedAttributes=members`)).body.Resources.map((r: { id: string }) => r.id);
    expect((await byCursor('Groups', { sortBy: 'displayName' }, 2)).ids).toEqual(all);

    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const res = await api.post(`${t.base}/Users/.search`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'active eq true', sortBy: 'title', cursor, count: 5 });
      expect(res.status).toBe(200);
      seen.push(...res.body.Resources.map((r: { id: string }) => r.id));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    const expected = (await api.get(`${t.base}/Users?filter=active%20eq%20true&sortBy=title`)).body.Resources.map((r: { id: string }) => r.id);
    expect(seen).toEqual(expected);
  });

  it('keeps going after rows before the cursor are deleted (no row skipped or repeated)', async () => {
    const first = await api.get(`${t.base}/Users?cursor=&count=5`);
    const second = await api.get(`${t.base}/Users?cursor=${encodeURIComponent(first.body.nextCursor)}&count=5`);
    const expected = second.body.Resources.map((r: { id: string }) => r.id);
    expect((await api.delete(`${t.base}/Users/${first.body.Resources[0].id}`)).status).toBe(204);
    const again = await api.get(`${t.base}/Users?cursor=${encodeURIComponent(first.body.nextCursor)}&count=5`);
    expect(again.body.Resources.map((r: { id: string }) => r.id)).toEqual(expected);
  });

  it('refuses tampered, foreign and malformed cursors with 400 invalidCursor', async () => {
    const first = await api.get(`${t.base}/Users?cursor=&count=3&sortBy=title`);
    const next: string = first.body.nextCursor;
    const plain: string = (await api.get(`${t.base}/Users?cursor=&count=3`)).body.nextCursor;
    const [payload, mac] = next.split('.');
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...body, k: 'Zzz' })).toString('base64url')}.${mac}`;
    const flipped = `${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const [what, url] of [
      ['forged payload', `Users?cursor=${encodeURIComponent(forged)}&count=3&sortBy=title`],
      ['altered signature', `Users?cursor=${encodeURIComponent(flipped)}&count=3&sortBy=title`],
      ['garbage', 'Users?cursor=not-a-cursor'],
      ['another sort', `Users?cursor=${encodeURIComponent(next)}&count=3&sortBy=userName`],
      ['another order', `Users?cursor=${encodeURIComponent(next)}&count=3&sortBy=title&sortOrder=descending`],
      ['a filter added', `Users?cursor=${encodeURIComponent(next)}&count=3&sortBy=title&filter=${encodeURIComponent('active eq true')}`],
      ['another resource type', `Groups?cursor=${encodeURIComponent(plain)}&count=3`],
    ]) {
      const res = await api.get(`${t.base}/${url}`);
      expect([what, res.status, res.body.scimType]).toEqual([what, 400, 'invalidCursor']);
    }
    // another tenant cannot use it either
    const other = await app.tenant('Other Co');
    const res = await scim(app, other.token).get(`${other.base}/Users?cursor=${encodeURIComponent(next)}&count=3&sortBy=title`);
    expect([res.status, res.body.scimType]).toEqual([400, 'invalidCursor']);
  });

  it('is advertised in ServiceProviderConfig (RFC 9865 §4) as it behaves', async () => {
    const spc = (await api.get(`${t.base}/ServiceProviderConfig`)).body;
    expect(spc.pagination).toEqual({
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: app.config.maxResults,
      maxPageSize: app.config.maxResults,
      cursorTimeout: 86400,
    });
    // index paging is the default: no cursor asked, none given
    const plain = await api.get(`${t.base}/Users?count=2`);
    expect(plain.body.startIndex).toBe(1);
    expect(plain.body.nextCursor).toBeUndefined();
    // totalResults stays exact past the end, on a partial last page, and with count=0
    const total = plain.body.totalResults;
    for (const [start, count, items] of [[total + 5, 5, 0], [total - 1, 5, 2], [1, 0, 0]]) {
      const res = await api.get(`${t.base}/Users?startIndex=${start}&count=${count}`);
      expect([res.body.totalResults, res.body.itemsPerPage, res.body.startIndex]).toEqual([total, items, start]);
    }
    // a count above maxPageSize is capped in cursor mode too
    const big = await api.get(`${t.base}/Users?cursor=&count=${app.config.maxResults + 5}`);
    expect(big.body.itemsPerPage).toBe(Math.min(big.body.totalResults, app.config.maxResults));
  });

  it('signs with one secret per database, shared by every instance', async () => {
    const rows = await app.orm.em.fork().getConnection().execute(`select name, length(secret) as n from server_secret`);
    expect(rows).toEqual([{ name: 'cursor', n: 44 }]);
  });
});
