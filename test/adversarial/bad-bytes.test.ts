import request from 'supertest';
import { codes, createGqlTestApp, GqlTestApp } from '../e2e/graphql-helpers';
import { scim } from '../support/app';
import { BULK, expectScimError, GROUP, PATCH_OP, raw, SEARCH, snapshot, Tenant, USER } from './helpers';

/**
 * Issue 13 item 4: NUL, lone surrogates, bytes that are not UTF-8 and other charsets, in bodies,
 * filters, paths, query parameters and GraphQL variables, are 400 (never a 500 from a poisoned
 * INSERT) and change nothing; out-of-range numbers are clamped; over-long indexed strings are 400.
 */
let app: GqlTestApp;
let a: Tenant;
let b: Tenant;
let userId: string;
let adminKey: string;

beforeAll(async () => {
  app = await createGqlTestApp();
  a = await app.tenant('Bytes A');
  b = await app.tenant('Bytes B');
  adminKey = await app.key('admin');
  const res = await scim(app, a.token).post(`${a.base}/Users`, { schemas: [USER], userName: 'victim@example.com', emails: [{ value: 'victim@example.com' }] });
  expect(res.status).toBe(201);
  userId = res.body.id;
});
afterAll(async () => app.close());

/** Runs `attack` and asserts tenant A's data is byte for byte what it was, and tenant B still works. */
async function unchanged(attack: () => Promise<void>): Promise<void> {
  const before = await snapshot(app, a.id);
  await attack();
  expect(await snapshot(app, a.id)).toEqual(before);
}

afterEach(async () => {
  // the other tenant is unaffected: it reads and writes as usual
  const api = scim(app, b.token);
  const created = await api.post(`${b.base}/Users`, { schemas: [USER], userName: `b-${Date.now()}-${Math.random()}@example.com` });
  expect(created.status).toBe(201);
  expect((await api.get(`${b.base}/Users?count=1`)).status).toBe(200);
});

describe('request bodies', () => {
  it('a NUL in a string value (JSON \\u0000) is 400 invalidValue naming where it is', async () => {
    await unchanged(async () => {
      const res = await raw(app, a.token, 'post', `${a.base}/Users`, `{"schemas":["${USER}"],"userName":"nul\\u0000name"}`);
      expectScimError(res, 400, 'invalidValue');
      expect(res.body.detail).toContain('userName');
      expect(res.body.detail).toContain('NUL');
    });
  });

  it('a NUL in a member name, in an unknown attribute, in a PATCH value, in a PUT: 400, nothing written', async () => {
    await unchanged(async () => {
      expectScimError(await raw(app, a.token, 'post', `${a.base}/Users`, `{"schemas":["${USER}"],"userName":"x@example.com","bad\\u0000key":1}`), 400, 'invalidValue');
      expectScimError(await raw(app, a.token, 'post', `${a.base}/Users`, `{"schemas":["${USER}"],"userName":"y@example.com","nickname2":"a\\u0000"}`), 400, 'invalidValue');
      const patch = await raw(app, a.token, 'patch', `${a.base}/Users/${userId}`, JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'd\u0000' }] }));
      expectScimError(patch, 400, 'invalidValue');
      const put = await raw(app, a.token, 'put', `${a.base}/Users/${userId}`, JSON.stringify({ schemas: [USER], userName: 'victim@example.com', title: 't\u0000' }));
      expectScimError(put, 400, 'invalidValue');
    });
  });

  it('a lone surrogate ("sur\\ud800x") is 400 invalidValue', async () => {
    await unchanged(async () => {
      const res = await raw(app, a.token, 'post', `${a.base}/Users`, `{"schemas":["${USER}"],"userName":"sur\\ud800x"}`);
      expectScimError(res, 400, 'invalidValue');
      expect(res.body.detail).toContain('surrogate');
      const low = await raw(app, a.token, 'post', `${a.base}/Groups`, `{"schemas":["${GROUP}"],"displayName":"x\\udc00"}`);
      expectScimError(low, 400, 'invalidValue');
    });
  });

  it('bytes that are not UTF-8 (a latin-1 é, an encoded surrogate, an overlong NUL) are 400 invalidSyntax, not U+FFFD', async () => {
    await unchanged(async () => {
      for (const bad of [Buffer.from([0xe9]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc0, 0x80])]) {
        const body = Buffer.concat([Buffer.from(`{"schemas":["${USER}"],"userName":"caf`), bad, Buffer.from('@example.com"}')]);
        const res = await raw(app, a.token, 'post', `${a.base}/Users`, body);
        expectScimError(res, 400, 'invalidSyntax');
        expect(res.body.detail).toContain('UTF-8');
      }
    });
  });

  it('a declared charset other than UTF-8 is 400 invalidSyntax; utf-8 in any spelling is fine', async () => {
    await unchanged(async () => {
      const latin1 = Buffer.from(`{"schemas":["${USER}"],"userName":"caf\u00e9@example.com"}`, 'latin1');
      const res = await raw(app, a.token, 'post', `${a.base}/Users`, latin1, 'application/scim+json; charset=ISO-8859-1');
      expectScimError(res, 400, 'invalidSyntax');
      expect(res.body.detail).toContain('ISO-8859-1');
      const utf16 = await raw(app, a.token, 'post', `${a.base}/Users`, Buffer.from(`{"userName":"u16@example.com"}`, 'utf16le'), 'application/json; charset=utf-16');
      expectScimError(utf16, 400, 'invalidSyntax');
    });
    const ok = await raw(app, a.token, 'post', `${a.base}/Users`, `{"schemas":["${USER}"],"userName":"café@example.com"}`, 'application/scim+json; charset="UTF-8"');
    expect(ok.status).toBe(201);
    expect(ok.body.userName).toBe('café@example.com');
  });

  it('/.search and /Bulk carrying a NUL or a lone surrogate: 400 (invalidFilter for a filter), nothing created', async () => {
    await unchanged(async () => {
      const search = await raw(app, a.token, 'post', `${a.base}/Users/.search`, JSON.stringify({ schemas: [SEARCH], filter: 'userName eq "a\u0000"' }));
      expectScimError(search, 400, 'invalidFilter');
      const rootSearch = await raw(app, a.token, 'post', `${a.base}/.search`, JSON.stringify({ schemas: [SEARCH], filter: 'userName sw "\ud800"' }));
      expectScimError(rootSearch, 400, 'invalidFilter');
      const bulk = await raw(
        app,
        a.token,
        'post',
        `${a.base}/Bulk`,
        JSON.stringify({
          schemas: [BULK],
          Operations: [
            { method: 'POST', path: '/Users', bulkId: 'ok', data: { schemas: [USER], userName: 'bulk-ok@example.com' } },
            { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [USER], userName: 'bulk\u0000bad@example.com' } },
          ],
        }),
      );
      expectScimError(bulk, 400, 'invalidValue');
      const group = await scim(app, a.token).post(`${a.base}/Groups`, { schemas: [GROUP], displayName: 'Bytes group' });
      expect(group.status).toBe(201);
      await app.orm.em.fork().getConnection().execute('delete from scim_group where id = ?', [group.body.id]); // keep the snapshot as it was
      await app.orm.em.fork().getConnection().execute(`delete from event_outbox where subject = ?`, [group.body.id]);
    });
  });
});

describe('URLs: paths and query parameters', () => {
  it('a NUL or non-UTF-8 bytes in a filter are 400 invalidFilter', async () => {
    await unchanged(async () => {
      for (const f of ['userName%20eq%20%22a%00b%22', 'userName%20eq%20%22caf%E9%22', 'userName%20eq%20%22%ED%A0%80%22']) {
        expectScimError(await scim(app, a.token).get(`${a.base}/Users?filter=${f}`), 400, 'invalidFilter');
      }
    });
  });

  it('a NUL or non-UTF-8 bytes in a path or another parameter are 400 invalidValue', async () => {
    await unchanged(async () => {
      expectScimError(await scim(app, a.token).get(`${a.base}/Users/%00`), 400, 'invalidValue');
      expectScimError(await scim(app, a.token).get(`${a.base}/Users/%ED%A0%80`), 400, 'invalidValue');
      expectScimError(await scim(app, a.token).delete(`${a.base}/Users/${userId}%00`), 400, 'invalidValue');
      expectScimError(await scim(app, a.token).get(`${a.base}/Users?attributes=userName%00`), 400, 'invalidValue');
      expectScimError(await scim(app, a.token).get(`${a.base}/Users?sortBy=%FF`), 400, 'invalidValue');
    });
  });

  it('GET /events?tenant= with a NUL is 400, not 500', async () => {
    const res = await request(app.server).get('/events?tenant=a%00b').set('Authorization', `Bearer ${adminKey}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalidValue');
  });

  it('startIndex=100000000000000000000 is clamped (an empty page), never a bigint overflow', async () => {
    const res = await scim(app, a.token).get(`${a.base}/Users?startIndex=100000000000000000000&count=5`);
    expect(res.status).toBe(200);
    expect(res.body.Resources ?? []).toEqual([]);
    expect(res.body.totalResults).toBeGreaterThanOrEqual(1);
    const search = await scim(app, a.token).post(`${a.base}/Users/.search`, { schemas: [SEARCH], startIndex: 1e20, count: 1e20 });
    expect(search.status).toBe(200);
    const events = await request(app.server).get(`/events?tenant=${a.slug}&after=100000000000000000000`).set('Authorization', `Bearer ${adminKey}`);
    expect(events.status).toBeLessThan(500);
  });
});

describe('over-long indexed strings (btree row limit)', () => {
  it('userName, displayName, externalId of 3,000+ characters are 400 naming the attribute; 512 are fine', async () => {
    await unchanged(async () => {
      const long = 'x'.repeat(3000);
      for (const [attr, body] of [
        ['userName', { userName: long }],
        ['displayName', { userName: 'long-dn@example.com', displayName: long }],
        ['externalId', { userName: 'long-ext@example.com', externalId: long }],
      ] as const) {
        const res = await scim(app, a.token).post(`${a.base}/Users`, { schemas: [USER], ...body });
        expectScimError(res, 400, 'invalidValue');
        expect(res.body.detail).toContain(`"${attr}"`);
        expect(res.body.detail).toContain('512');
      }
      const group = await scim(app, a.token).post(`${a.base}/Groups`, { schemas: [GROUP], displayName: '\u{1F600}'.repeat(1500) });
      expectScimError(group, 400, 'invalidValue');
      const patch = await scim(app, a.token).patch(`${a.base}/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: long }] });
      expectScimError(patch, 400, 'invalidValue');
    });
    // 512 characters of 4-byte UTF-8 (2,048 bytes) still fit the index
    const ok = await scim(app, a.token).post(`${a.base}/Users`, { schemas: [USER], userName: '\u{1F600}'.repeat(256), externalId: '\u{10FFFF}'.repeat(256) });
    expect(ok.status).toBe(201);
  });
});

describe('GraphQL', () => {
  it('a NUL or lone surrogate in variables is BAD_USER_INPUT (400), nothing changed', async () => {
    await unchanged(async () => {
      const q = 'query($f: String) { tenant(slug: "' + a.slug + '") { users(filter: $f) { totalCount } } }';
      for (const f of ['userName eq "a\u0000"', 'userName eq "\ud800"']) {
        const res = await app.gql(adminKey, q, { f });
        expect(res.status).toBe(400);
        expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      }
      const m = await app.gql(adminKey, 'mutation($n: String!) { updateTenant(tenant: "' + a.slug + '", input: { name: $n }) { name } }', { n: 'evil\u0000' });
      expect(codes(m)).toEqual(['BAD_USER_INPUT']);
    });
  });

  it('a NUL written as a GraphQL string escape in the document is BAD_USER_INPUT', async () => {
    const res = await app.gql(adminKey, '{ tenant(slug: "' + a.slug + '") { users(filter: "userName eq \\"a\\u0000\\"") { totalCount } } }');
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    await unchanged(async () => {
      const m = await app.gql(adminKey, 'mutation { updateTenant(tenant: "' + a.slug + '", input: { name: "evil\\u0000" }) { name } }');
      expect(codes(m)).toEqual(['BAD_USER_INPUT']);
      const s = await app.gql(adminKey, 'mutation { createTenant(input: { name: "half \\ud800 surrogate" }) { name } }');
      // graphql-js refuses a lone surrogate escape while parsing the document: a 400 of its own
      expect({ status: s.status, codes: codes(s) }).toEqual({ status: 400, codes: ['GRAPHQL_PARSE_FAILED'] });
    });
    expect((await app.services.tenants.list()).map((t) => t.name).join()).not.toContain('\u0000');
  });

  it('a body that is not UTF-8 is a GraphQL error BAD_USER_INPUT, not a 500', async () => {
    const body = Buffer.concat([Buffer.from('{"query":"{ tenants { name } }","x":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const res = await request(app.server)
      .post('/graphql')
      .set('Authorization', `Bearer ${adminKey}`)
      .set('Content-Type', 'application/json')
      .serialize((d: unknown) => d as string)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
