import { createTestApp, scim, TestApp } from '../support/app';

/**
 * RFC 7644 §3.5.2's PATCH examples (and its error cases, §3.5.2 / §3.12), table-driven through
 * the SCIM API on Users and Groups, for an RFC client (generic connection, strict dialect): each
 * case starts from a fresh resource, applies one PatchOp and compares the resource read back.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;
let babs: string;
let mandy: string;
let seq = 0;

beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenant('RFC Patch Co');
  api = scim(app, t.token);
  babs = (await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'babs', displayName: 'Babs Jensen' })).body.id;
  mandy = (await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'mandy', displayName: 'Mandy Pepperidge' })).body.id;
});
afterAll(async () => app.close());

/** RFC 7643 §8.2's user, trimmed. */
const bjensen = () => ({
  schemas: [USER],
  userName: `bjensen${seq++}`,
  nickName: 'Barb',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  addresses: [
    { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', primary: true },
    { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA' },
  ],
});

type Expectation = Record<string, unknown> | ((ids: { babs: string; mandy: string }) => Record<string, unknown>);
type UserCase = [label: string, ops: unknown[], expected: Expectation];

const userCases: UserCase[] = [
  [
    '§3.5.2.1 add without a path: emails appended, nickName set',
    [{ op: 'add', value: { emails: [{ value: 'babs@jensen.net', type: 'other' }], nickName: 'Babs' } }],
    { nickName: 'Babs', emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }, { value: 'babs@jensen.net', type: 'other' }] },
  ],
  [
    '§3.5.2.2 remove emails by a complex value filter',
    [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }],
    { emails: [{ value: 'babs@jensen.org', type: 'home' }] },
  ],
  [
    '§3.5.2.2 remove a sub-attribute of the matching values',
    [{ op: 'remove', path: 'addresses[type eq "work"].postalCode' }],
    { addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', country: 'USA', primary: true }, expect.objectContaining({ type: 'home', postalCode: '91608' })] },
  ],
  [
    '§3.5.2.3 replace without a path: emails replaced wholly, nickName set',
    [{ op: 'replace', value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickName: 'Babs' } }],
    { nickName: 'Babs', emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }] },
  ],
  [
    '§3.5.2.3 replace addresses[type eq "work"] with a whole value',
    [{ op: 'replace', path: 'addresses[type eq "work"]', value: { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true } }],
    { addresses: [{ type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true }, expect.objectContaining({ type: 'home' })] },
  ],
  [
    '§3.5.2.3 replace addresses[type eq "work"].streetAddress',
    [{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }],
    { addresses: [expect.objectContaining({ type: 'work', streetAddress: '1010 Broadway Ave', locality: 'Hollywood' }), expect.objectContaining({ type: 'home', streetAddress: '456 Hollywood Blvd' })] },
  ],
  [
    '§3.5.2.3 replace of an unassigned attribute is an add',
    [{ op: 'replace', path: 'title', value: 'Tour Guide' }],
    { title: 'Tour Guide' },
  ],
  [
    '§3.5.2 setting primary on one value clears it on the others',
    [{ op: 'replace', path: 'emails[type eq "home"].primary', value: true }],
    { emails: [{ value: 'bjensen@example.com', type: 'work', primary: false }, { value: 'babs@jensen.org', type: 'home', primary: true }] },
  ],
  [
    '§3.5.2.1 add to a sub-attribute path creates the complex value',
    [{ op: 'add', path: 'name.givenName', value: 'Barbara' }],
    { name: { givenName: 'Barbara' } },
  ],
];

type ErrorCase = [label: string, ops: unknown[], status: number, scimType: string];
const errorCases: ErrorCase[] = [
  ['§3.5.2.2 remove without a path', [{ op: 'remove' }], 400, 'noTarget'],
  ['§3.5.2.3 replace on a value filter matching nothing', [{ op: 'replace', path: 'emails[type eq "other"]', value: { value: 'x@example.com' } }], 400, 'noTarget'],
  ['§3.5.2 a path to no attribute', [{ op: 'replace', path: 'nosuch', value: 'x' }], 400, 'invalidPath'],
  ['§3.5.2 a malformed path', [{ op: 'replace', path: 'emails[type eq "work"', value: 'x' }], 400, 'invalidPath'],
  ['§3.5.2 a value filter on a simple attribute', [{ op: 'replace', path: 'title[value eq "x"]', value: 'x' }], 400, 'invalidPath'],
  ['RFC 7643 §2.2 readOnly id', [{ op: 'replace', path: 'id', value: 'x' }], 400, 'mutability'],
  ['RFC 7643 §2.2 readOnly meta.created', [{ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }], 400, 'mutability'],
  ['RFC 7643 §2.2 readOnly groups', [{ op: 'add', path: 'groups', value: [{ value: 'x' }] }], 400, 'mutability'],
  ['§3.5.2.2 removing the required userName', [{ op: 'remove', path: 'userName' }], 400, 'mutability'],
  ['a value of the wrong type', [{ op: 'replace', path: 'active', value: 'yes' }], 400, 'invalidValue'],
  ['two primary values', [{ op: 'replace', path: 'emails', value: [{ value: 'a@x.example', primary: true }, { value: 'b@x.example', primary: true }] }], 400, 'invalidValue'],
  ['an unknown op', [{ op: 'merge', path: 'title', value: 'x' }], 400, 'invalidSyntax'],
  ['add without a value', [{ op: 'add', path: 'title' }], 400, 'invalidValue'],
  ['an atomic PATCH: the second op fails, the first is not kept', [{ op: 'replace', path: 'nickName', value: 'Changed' }, { op: 'remove', path: 'userName' }], 400, 'mutability'],
];

const patchUser = (id: string, Operations: unknown[]) => api.patch(`${t.base}/Users/${id}`, { schemas: [PATCH], Operations });

describe('RFC 7644 §3.5.2 on Users', () => {
  it.each(userCases)('%s', async (_label, ops, expected) => {
    const created = await api.post(`${t.base}/Users`, bjensen());
    const res = await patchUser(created.body.id, ops);
    expect(res.status).toBe(200);
    const want = typeof expected === 'function' ? expected({ babs, mandy }) : expected;
    expect(res.body).toMatchObject(want);
    expect((await api.get(`${t.base}/Users/${created.body.id}`)).body).toMatchObject(want);
    expect(res.body.meta.version).not.toBe(created.body.meta.version);
  });

  it.each(errorCases)('%s: 400 and nothing changed', async (_label, ops, status, scimType) => {
    const created = await api.post(`${t.base}/Users`, bjensen());
    const res = await patchUser(created.body.id, ops);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), scimType });
    expect((await api.get(`${t.base}/Users/${created.body.id}`)).body).toEqual(created.body);
  });
});

describe('RFC 7644 §3.5.2 on Groups (members as rows)', () => {
  const group = async (members: string[]) =>
    (await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: `Tour Guides ${seq++}`, members: members.map((value) => ({ value })) })).body;
  const patchGroup = (id: string, Operations: unknown[]) => api.patch(`${t.base}/Groups/${id}`, { schemas: [PATCH], Operations });
  const members = async (id: string) => ((await api.get(`${t.base}/Groups/${id}`)).body.members ?? []).map((m: any) => m.value).sort();

  type GroupCase = [label: string, start: 'none' | 'both', ops: (ids: { babs: string; mandy: string }) => unknown[], expected: (ids: { babs: string; mandy: string }) => string[]];
  const cases: GroupCase[] = [
    ['§3.5.2.1 add a member', 'none', (i) => [{ op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: `https://example.com/v2/Users/${i.babs}`, value: i.babs }] }], (i) => [i.babs]],
    ['§3.5.2.2 remove a single member', 'both', (i) => [{ op: 'remove', path: `members[value eq "${i.babs}"]` }], (i) => [i.mandy]],
    ['§3.5.2.2 remove all members', 'both', () => [{ op: 'remove', path: 'members' }], () => []],
    ['§3.5.2.2 remove multiple members', 'both', (i) => [{ op: 'remove', path: `members[value eq "${i.babs}"]` }, { op: 'remove', path: `members[value eq "${i.mandy}"]` }], () => []],
    ['§3.5.2.2 remove all, then add one', 'both', (i) => [{ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [{ value: i.mandy }] }], (i) => [i.mandy]],
    ['§3.5.2.3 replace all members', 'both', (i) => [{ op: 'replace', path: 'members', value: [{ display: 'Babs Jensen', value: i.babs }] }], (i) => [i.babs]],
  ];

  it.each(cases)('%s', async (_label, start, ops, expected) => {
    const g = await group(start === 'both' ? [babs, mandy] : []);
    const res = await patchGroup(g.id, ops({ babs, mandy }));
    expect(res.status).toBe(204);
    expect(await members(g.id)).toEqual(expected({ babs, mandy }).sort());
  });

  it('§3.5.2.3 replace displayName, and the errors: noTarget, invalidPath, mutability, invalidValue, each changing nothing', async () => {
    const g = await group([babs]);
    expect((await patchGroup(g.id, [{ op: 'replace', path: 'displayName', value: `Renamed ${g.id}` }])).status).toBe(204);
    const before = (await api.get(`${t.base}/Groups/${g.id}`)).body;
    expect(before.displayName).toBe(`Renamed ${g.id}`);
    const errors: [unknown[], string][] = [
      [[{ op: 'remove' }], 'noTarget'],
      [[{ op: 'add', path: 'memberz', value: [] }], 'invalidPath'],
      [[{ op: 'replace', path: 'id', value: 'x' }], 'mutability'],
      [[{ op: 'remove', path: 'displayName' }], 'mutability'],
      [[{ op: 'add', path: 'members', value: [{ value: mandy }] }, { op: 'add', path: 'members', value: [{ value: 'not-a-user' }] }], 'invalidValue'],
    ];
    for (const [ops, scimType] of errors) {
      const res = await patchGroup(g.id, ops);
      expect({ ops, status: res.status, scimType: res.body.scimType }).toEqual({ ops, status: 400, scimType });
    }
    expect((await api.get(`${t.base}/Groups/${g.id}`)).body).toEqual(before);
  });
});
