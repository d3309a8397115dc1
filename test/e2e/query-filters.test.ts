import { createTestApp, scim, TestApp } from '../support/app';

/**
 * The filter table (issue 3): filter -> expected resources, through HTTP on the real database, for
 * every operator and shape of RFC 7644 §3.4.2.2 on Users and Groups; then invalid filters and the
 * caps, each a 400 invalidFilter whose detail points at the problem.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;
const id: Record<string, string> = {};
const created: Record<string, string> = {};

const USERS: Record<string, Record<string, unknown>> = {
  bjensen: {
    userName: 'bjensen@example.com',
    externalId: 'ext-Bjensen',
    displayName: 'Babs Jensen',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    title: 'Tour Guide',
    userType: 'Employee',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    [ENT]: { department: 'Tour Operations', employeeNumber: '701984' },
  },
  jsmith: {
    userName: 'JSmith@Example.com',
    externalId: 'ext-jsmith',
    displayName: 'John Smith',
    name: { givenName: 'John', familyName: 'Smith' },
    title: 'Sales "Lead" (EMEA)',
    userType: 'Contractor',
    active: false,
    emails: [{ value: 'john@corp.example', type: 'work' }],
    [ENT]: { department: 'Sales' },
  },
  zoe: {
    userName: 'zoë@example.com',
    displayName: 'Zoë Ærø',
    name: { familyName: 'Ærø' },
    title: '100% a_b\\c',
    active: true,
    emails: [{ value: 'zoe@home.example', type: 'home' }],
  },
  obrien: {
    userName: "o'brien@example.com",
    externalId: 'jyoung',
    nickName: 'OB',
    active: true,
    [ENT]: { department: 'R&D' },
  },
};
const ALL = Object.keys(USERS);

beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenant('Filter Table Co');
  api = scim(app, t.token);
  for (const [key, body] of Object.entries(USERS)) {
    const res = await api.post(`${t.base}/Users`, { schemas: [USER, ...(body[ENT] ? [ENT] : [])], ...body });
    expect(res.status).toBe(201);
    id[key] = res.body.id;
    created[key] = res.body.meta.created;
    await new Promise((r) => setTimeout(r, 5)); // distinct creation instants, for the meta.created rows
  }
  for (const [key, displayName, members] of [
    ['sales', 'Sales Team', ['bjensen', 'jsmith']],
    ['ops', 'Ops', ['zoe']],
    ['empty', 'Nobody', []],
  ] as const) {
    const res = await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName, externalId: `G-${key}`, members: members.map((m) => ({ value: id[m] })) });
    expect(res.status).toBe(201);
    id[key] = res.body.id;
  }
  // a user elsewhere that matches everything: filters must never reach another tenant
  const other = await app.tenant('Other Tenant');
  await scim(app, other.token).post(`${other.base}/Users`, { schemas: [USER], userName: 'bjensen@example.com', externalId: 'jyoung', active: true });
});
afterAll(async () => app.close());

async function found(path: 'Users' | 'Groups', filter: string): Promise<string[]> {
  const res = await api.get(`${t.base}/${path}`).query({ filter, count: 1000 });
  expect([filter, res.status]).toEqual([filter, 200]);
  const byId = Object.fromEntries(Object.entries(id).map(([k, v]) => [v, k]));
  expect(res.body.totalResults).toBe(res.body.Resources.length);
  return res.body.Resources.map((r: { id: string }) => byId[r.id] ?? r.id).sort();
}

const but = (...keys: string[]) => ALL.filter((k) => !keys.includes(k));

/** [filter, expected user keys]; functions for rows that need ids or timestamps. */
const userRows: [string, () => [string, string[]]][] = [
  // operators; userName, displayName and emails.value are case-insensitive
  ['eq', () => ['userName eq "BJENSEN@example.com"', ['bjensen']]],
  ['eq, stored mixed case', () => ['userName eq "jsmith@example.com"', ['jsmith']]],
  ['ne', () => ['userName ne "bjensen@example.com"', but('bjensen')]],
  ['ne on an absent attribute matches', () => ['displayName ne "Babs Jensen"', but('bjensen')]],
  ['co', () => ['displayName co "SMITH"', ['jsmith']]],
  ['sw', () => ['userName sw "j"', ['jsmith']]],
  ['ew', () => ['userName ew "@EXAMPLE.com"', ALL]],
  ['gt', () => ['userName gt "n"', ['obrien', 'zoe']]],
  ['ge', () => ['userName ge "jsmith@example.com"', ['jsmith', 'obrien', 'zoe']]],
  ['lt', () => ['name.familyName lt "K"', ['bjensen']]],
  ['le', () => ['name.familyName le "smith"', ['bjensen', 'jsmith']]],
  ['pr', () => ['title pr', ['bjensen', 'jsmith', 'zoe']]],
  ['pr on a complex attribute', () => ['name pr', ['bjensen', 'jsmith', 'zoe']]],
  ['pr on a multi-valued attribute', () => ['emails pr', ['bjensen', 'jsmith', 'zoe']]],
  ['eq null (absent)', () => ['externalId eq null', ['zoe']]],
  // logic, parentheses, precedence (not > and > or)
  ['and binds tighter than or', () => ['userName sw "b" or userName sw "j" and active eq false', ['bjensen', 'jsmith']]],
  ['parentheses', () => ['(userName sw "b" or userName sw "j") and active eq false', ['jsmith']]],
  ['parentheses, the other way', () => ['userName sw "b" or (userName sw "j" and active eq true)', ['bjensen']]],
  ['not', () => ['not (active eq true)', ['jsmith']]],
  ['not over a multi-valued attribute', () => ['not (emails.type eq "work")', ['obrien', 'zoe']]],
  ['nested', () => ['not (not (userType eq "employee") and title pr) and active eq true', ['bjensen', 'obrien']]],
  ['operators and keywords in any case', () => ['USERNAME SW "B" OR NOT (Active Eq True)', ['bjensen', 'jsmith']]],
  // sub-attributes, value filters element by element, multi-valued without sub-attribute
  ['sub-attribute', () => ['name.givenName eq "barbara"', ['bjensen']]],
  ['value filter: both on one element', () => ['emails[type eq "work" and value co "jensen.org"]', []]],
  ['value filter: the home element', () => ['emails[type eq "home" and value co "JENSEN.org"]', ['bjensen']]],
  ['without brackets: on any elements', () => ['emails.type eq "work" and emails.value co "jensen.org"', ['bjensen']]],
  ['value filter with or and not', () => ['emails[not (type eq "work") or primary eq true]', ['bjensen', 'zoe']]],
  ['Entra: attr[filter].sub eq', () => ['emails[type eq "work"].value eq "BJENSEN@example.com"', ['bjensen']]],
  ['Entra: attr[filter].sub, other element', () => ['emails[type eq "home"].value eq "bjensen@example.com"', []]],
  ['multi-valued without sub-attribute compares value', () => ['emails co "corp.example"', ['jsmith']]],
  ['multi-valued eq', () => ['emails eq "ZOE@home.example"', ['zoe']]],
  ['sub-attribute of a multi-valued attribute', () => ['emails.type eq "home"', ['bjensen', 'zoe']]],
  // fully qualified names, core and enterprise
  ['core URN', () => [`${USER}:userName eq "bjensen@example.com"`, ['bjensen']]],
  ['core URN with sub-attribute', () => [`${USER}:name.familyName eq "jensen"`, ['bjensen']]],
  ['enterprise URN', () => [`${ENT}:department eq "sales"`, ['jsmith']]],
  ['enterprise attribute unqualified', () => ['department eq "R&D"', ['obrien']]],
  ['enterprise URN, any case', () => [`${ENT.toUpperCase()}:EMPLOYEENUMBER eq "701984"`, ['bjensen']]],
  // id, externalId (caseExact), meta
  ['id eq', () => [`id eq "${id.jsmith}"`, ['jsmith']]],
  ['id ne', () => [`id ne "${id.jsmith}"`, but('jsmith')]],
  ['id eq, not a uuid: nothing, no error', () => ['id eq "jsmith"', []]],
  ['id eq, upper-case uuid: ids are caseExact', () => [`id eq "${id.jsmith.toUpperCase()}"`, []]],
  ['id sw', () => [`id sw "${id.zoe.slice(0, 35)}"`, ['zoe']]],
  ['externalId is caseExact', () => ['externalId eq "ext-bjensen"', []]],
  ['externalId exact', () => ['externalId eq "ext-Bjensen"', ['bjensen']]],
  ['externalId co is caseExact too', () => ['externalId co "JSMITH"', []]],
  ['meta.created ge', () => [`meta.created ge "${created.zoe}"`, ['obrien', 'zoe']]],
  ['meta.created lt', () => [`meta.created lt "${created.jsmith}"`, ['bjensen']]],
  ['meta.created eq', () => [`meta.created eq "${created.jsmith}"`, ['jsmith']]],
  ['meta.created, another zone', () => [`meta.created lt "${shiftZone(created.jsmith)}"`, ['bjensen']]],
  ['meta.lastModified gt', () => ['meta.lastModified gt "2000-01-01T00:00:00Z"', ALL]],
  ['meta.lastModified lt', () => ['meta.lastModified lt "2000-01-01T00:00:00Z"', []]],
  ['meta.resourceType', () => ['meta.resourceType eq "User"', ALL]],
  ['meta.resourceType, other type', () => ['meta.resourceType eq "Group"', []]],
  // typed values
  ['boolean', () => ['active eq false', ['jsmith']]],
  ['boolean sent as a string (Entra)', () => ['active eq "False"', ['jsmith']]],
  ['boolean sub-attribute', () => ['emails.primary eq true', ['bjensen']]],
  // escaped quotes, ")" and non-ASCII inside values; %, _ and \ are literal
  ['escaped quotes', () => ['title eq "Sales \\"Lead\\" (EMEA)"', ['jsmith']]],
  [')" inside a value', () => ['title ew "(EMEA)" and (title co ")")', ['jsmith']]],
  ['non-ASCII, case-insensitive', () => ['displayName co "ærø"', ['zoe']]],
  ['non-ASCII userName', () => ['userName eq "ZOË@example.com"', ['zoe']]],
  ['\\u escape', () => ['userName eq "zo\\u00eb@example.com"', ['zoe']]],
  ['% is literal', () => ['title co "0% a"', ['zoe']]],
  ['_ is literal', () => ['title co "_"', ['zoe']]],
  ['\\ is literal', () => ['title ew "b\\\\c"', ['zoe']]],
  ['% alone', () => ['title sw "%"', []]],
  ["a quote in a value", () => [`userName sw "o'b"`, ['obrien']]],
];

/** The same instant written with a +02:00 offset. */
function shiftZone(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 2 * 3600_000).toISOString();
  return d.replace('Z', '+02:00');
}

describe('Users: filter -> expected resources', () => {
  it.each(userRows)('%s', async (_, row) => {
    const [filter, expected] = row();
    expect(await found('Users', filter)).toEqual([...expected].sort());
  });

  it("Entra's older unquoted value is accepted from any client of a lenient connection, refused (400 invalidFilter) on a strict connection", async () => {
    const filter = 'externalId eq jyoung';
    for (const agent of ['Azure AD SCIM Client', 'PostmanRuntime/7.39.0']) {
      const lenient = await api.get(`${t.base}/Users`).set('User-Agent', agent).query({ filter });
      expect(lenient.status).toBe(200);
      expect(lenient.body.Resources.map((r: { id: string }) => r.id)).toEqual([id.obrien]);
    }
    const { token } = await app.services.connections.createConnection(t.id, { idp: 'strict' });
    const strict = await scim(app, token.token).get(`${t.base}/Users`).set('User-Agent', 'Azure AD SCIM Client').query({ filter });
    expect([strict.status, strict.body.scimType]).toEqual([400, 'invalidFilter']);
  });

  it('the same through POST /Users/.search', async () => {
    const res = await api.post(`${t.base}/Users/.search`, { filter: 'emails[type eq "work"].value eq "john@CORP.example"', attributes: 'userName' });
    expect(res.body.Resources).toEqual([{ schemas: [USER, ENT], id: id.jsmith, userName: 'JSmith@Example.com' }]);
  });
});

const groupRows: [string, () => [string, string[]]][] = [
  ['displayName eq (case-insensitive)', () => ['displayName eq "sales team"', ['sales']]],
  ['displayName co', () => ['displayName co "O"', ['empty', 'ops']]],
  ['members value filter', () => [`members[value eq "${id.jsmith}"]`, ['sales']]],
  ['members without sub-attribute', () => [`members eq "${id.zoe}"`, ['ops']]],
  ['members pr', () => ['members pr', ['ops', 'sales']]],
  ['not members pr', () => ['not (members pr)', ['empty']]],
  ['Entra membership probe', () => [`id eq "${id.sales}" and members[value eq "${id.bjensen}"]`, ['sales']]],
  ['Entra probe, not a member', () => [`id eq "${id.ops}" and members[value eq "${id.bjensen}"]`, []]],
  ['members value not a uuid', () => ['members[value eq "nope"]', []]],
  ['externalId caseExact', () => ['externalId eq "g-sales"', []]],
  ['externalId', () => ['externalId eq "G-sales"', ['sales']]],
  ['URN', () => [`${GROUP}:displayName sw "S"`, ['sales']]],
  ['meta.resourceType', () => ['meta.resourceType eq "Group"', ['empty', 'ops', 'sales']]],
  ['id ne and or', () => [`id ne "${id.sales}" and (displayName ew "s" or displayName eq "nobody")`, ['empty', 'ops']]],
];

describe('Groups: filter -> expected resources', () => {
  it.each(groupRows)('%s', async (_, row) => {
    const [filter, expected] = row();
    expect(await found('Groups', filter)).toEqual([...expected].sort());
  });
});

const invalid: [string, string, RegExp][] = [
  ['Users', 'userName eq', /expected a value .* at position 12, found the end of the input/],
  ['Users', 'userName xx "a"', /expected an operator .* at position 10, found "xx"/],
  ['Users', '(userName eq "a"', /expected "and", "or" or "\)" at position 17/],
  ['Users', 'userName eq "a', /unterminated string starting at position 13/],
  ['Users', 'userName eq "a\\q"', /invalid escape "\\q" at position 15/],
  ['Users', 'userName eq "a" and', /expected an attribute name at position 20/],
  ['Users', 'userName eq "a" userName', /expected "and", "or" or the end of the input at position 17, found "userName"/],
  ['Users', 'emails[type eq "work"', /expected "and", "or" or "\]" at position 22/],
  ['Users', 'emails[type eq "work"] extra', /position 24, found "extra"/],
  ['Users', 'emails[type eq "work" and addresses[type eq "x"]]', /value filters cannot be nested/],
  ['Users', 'favouriteColour eq "blue"', /unknown attribute "favouriteColour" for User/],
  ['Users', 'name.nickname eq "x"', /unknown attribute "name.nickname"/],
  ['Users', 'urn:example:bogus:2.0:User:department eq "x"', /unknown schema "urn:example:bogus:2.0:User"/],
  ['Users', 'emails[kind eq "work"]', /unknown attribute "emails.kind"/],
  ['Users', 'name eq "x"', /"name" is complex/],
  ['Users', 'password eq "secret"', /"password" cannot be filtered/],
  ['Users', 'active gt true', /"gt" cannot be used on "active": a boolean attribute has no order/],
  ['Users', 'active co "t"', /"co" cannot be used on "active"/],
  ['Users', 'active eq "maybe"', /"active" is boolean: expected true or false/],
  ['Users', 'meta.created gt "yesterday"', /"created" is dateTime: expected an ISO 8601 date-time/],
  ['Users', 'meta.created gt "2020-02-30T00:00:00Z"', /ISO 8601/],
  ['Users', 'userName gt null', /compares with null; use "pr"/],
  ['Users', 'schemas eq "x"', /filtering on "schemas" is not supported/],
  ['Users', '', /it is empty/],
  ['Groups', 'members[display eq "x"] or', /expected an attribute name/],
  ['Groups', 'userName eq "x"', /unknown attribute "userName" for Group/],
];

describe('invalid filters: 400 invalidFilter with a detail that points at the problem', () => {
  it.each(invalid)('%s: %s', async (path, filter, detail) => {
    const res = await api.get(`${t.base}/${path}`).query({ filter });
    expect([res.status, res.body.scimType]).toEqual([400, 'invalidFilter']);
    expect(res.body.status).toBe('400');
    expect(res.body.detail).toMatch(detail);
  });

  it('caps length, nesting depth and clause count (400, never a runaway query)', async () => {
    const cases: [string, RegExp][] = [
      [`userName eq "${'a'.repeat(4100)}"`, /longer than 4096 characters/],
      [`${'('.repeat(17)}userName eq "a"${')'.repeat(17)}`, /nests deeper than 16 levels/],
      [Array.from({ length: 65 }, (_, i) => `userName eq "u${i}"`).join(' or '), /more than 64 attribute expressions/],
      [`emails[${Array.from({ length: 65 }, (_, i) => `value eq "u${i}"`).join(' or ')}]`, /more than 64 attribute expressions/],
    ];
    for (const [filter, detail] of cases) {
      const res = await api.post(`${t.base}/Users/.search`, { filter });
      expect([res.status, res.body.scimType]).toEqual([400, 'invalidFilter']);
      expect(res.body.detail).toMatch(detail);
    }
    // at the caps, it still works
    const atCaps = Array.from({ length: 64 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expect((await api.post(`${t.base}/Users/.search`, { filter: atCaps })).status).toBe(200);
    expect((await api.post(`${t.base}/Users/.search`, { filter: `${'('.repeat(16)}userName pr${')'.repeat(16)}` })).body.totalResults).toBe(ALL.length);
  });
});
