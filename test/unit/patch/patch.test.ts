import {
  DomainError,
  InvalidPathError,
  InvalidSyntaxError,
  InvalidValueError,
  MutabilityError,
  NoTargetError,
} from '../../../src/domain/errors';
import { applyPatch } from '../../../src/domain/patch/patch';
import { ResourceTypeDef } from '../../../src/domain/schema/attribute';
import { groupResourceType, userResourceType } from '../../../src/domain/schema/core-schemas';
import type { Document } from '../../../src/domain/schema/normalize';
import { LENIENT, STRICT } from '../../../src/domain/schema/leniency';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const BABS = '2819c223-7f76-453a-919d-413861904646';
const MANDY = '902c246b-6245-4190-8e05-00816be7344a';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** The stored user of RFC 7643 §8.2, trimmed; frozen so that any in-place change throws. */
const bjensen: Document = deepFreeze({
  userName: 'bjensen',
  externalId: 'bjensen-ext',
  active: true,
  title: 'Tour Guide',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  addresses: [
    { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', primary: true },
    { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', region: 'CA' },
  ],
  [ENT]: { department: 'Tour Operations', employeeNumber: '701984', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
});

/** A user without a work email (Entra then replaces emails[type eq "work"].value). */
const homeOnly: Document = deepFreeze({ userName: 'h', emails: [{ value: 'h@home.example', type: 'home' }] });

/** The group of RFC 7644 §3.5.2, members kept in the document (not delegated). */
const tourGuides: Document = deepFreeze({
  displayName: 'Tour Guides',
  members: [{ value: BABS, $ref: `https://example.com/v2/Users/${BABS}` }, { value: MANDY }],
});

type Case = [label: string, rt: ResourceTypeDef, doc: Document, ops: unknown[], expected: Document, changed: string[]];

const u = (overrides: Record<string, unknown>): Document => {
  const doc: Document = { ...structuredClone(bjensen), ...overrides };
  for (const [k, v] of Object.entries(doc)) if (v === undefined) delete doc[k];
  return doc;
};
const ent = (overrides: Record<string, unknown>) => {
  const e: Record<string, unknown> = { ...(bjensen[ENT] as object), ...overrides };
  for (const [k, v] of Object.entries(e)) if (v === undefined) delete e[k];
  return e;
};

const rfcCases: Case[] = [
  [
    '§3.5.2.1 add a member to a group',
    groupResourceType,
    { displayName: 'Tour Guides' },
    [{ op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: `https://example.com/v2/Users/${BABS}`, value: BABS }] }],
    { displayName: 'Tour Guides', members: [{ $ref: `https://example.com/v2/Users/${BABS}`, value: BABS }] },
    ['members'],
  ],
  [
    '§3.5.2.1 add without a path: emails appended, nickName set',
    userResourceType,
    bjensen,
    [{ op: 'add', value: { emails: [{ value: 'babs@example.org', type: 'other' }], nickname: 'Babs' } }],
    u({ nickName: 'Babs', emails: [...(bjensen.emails as object[]), { value: 'babs@example.org', type: 'other' }] }),
    ['nickName', 'emails'],
  ],
  [
    '§3.5.2.1 adding a value already held changes nothing',
    userResourceType,
    bjensen,
    [{ op: 'add', path: 'emails', value: [{ value: 'BABS@jensen.org', type: 'home' }] }],
    bjensen,
    [],
  ],
  [
    '§3.5.2.2 remove one member by filter',
    groupResourceType,
    tourGuides,
    [{ op: 'remove', path: `members[value eq "${BABS}"]` }],
    { displayName: 'Tour Guides', members: [{ value: MANDY }] },
    ['members'],
  ],
  ['§3.5.2.2 remove all members', groupResourceType, tourGuides, [{ op: 'remove', path: 'members' }], { displayName: 'Tour Guides' }, ['members']],
  [
    '§3.5.2.2 remove all members, then add one',
    groupResourceType,
    tourGuides,
    [
      { op: 'remove', path: 'members' },
      { op: 'add', path: 'members', value: [{ display: 'James Smith', value: '08e1d05d-121c-4561-8b96-473d93df9210' }] },
    ],
    { displayName: 'Tour Guides', members: [{ value: '08e1d05d-121c-4561-8b96-473d93df9210' }] },
    ['members'],
  ],
  [
    '§3.5.2.2 remove emails by a complex filter',
    userResourceType,
    bjensen,
    [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }],
    u({ emails: [{ value: 'babs@jensen.org', type: 'home' }] }),
    ['emails'],
  ],
  [
    '§3.5.2.2 remove the last matching element leaves the attribute unassigned',
    userResourceType,
    homeOnly,
    [{ op: 'remove', path: 'emails[type eq "home"]' }],
    { userName: 'h' },
    ['emails'],
  ],
  [
    '§3.5.2.3 replace all members',
    groupResourceType,
    tourGuides,
    [{ op: 'replace', path: 'members', value: [{ display: 'Babs Jensen', value: BABS }, { display: 'James Smith', value: '08e1d05d-121c-4561-8b96-473d93df9210' }] }],
    { displayName: 'Tour Guides', members: [{ value: BABS }, { value: '08e1d05d-121c-4561-8b96-473d93df9210' }] },
    ['members'],
  ],
  [
    '§3.5.2.3 replace without a path replaces emails wholly',
    userResourceType,
    bjensen,
    [{ op: 'replace', value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickName: 'Babs' } }],
    u({ emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickName: 'Babs' }),
    ['nickName', 'emails'],
  ],
  [
    '§3.5.2.3 replace addresses[type eq "work"]',
    userResourceType,
    bjensen,
    [
      {
        op: 'replace',
        path: 'addresses[type eq "work"]',
        value: { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true },
      },
    ],
    u({
      addresses: [
        { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true },
        (bjensen.addresses as object[])[1],
      ],
    }),
    ['addresses'],
  ],
  [
    '§3.5.2.3 replace addresses[type eq "work"].streetAddress',
    userResourceType,
    bjensen,
    [{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }],
    u({ addresses: [{ ...(bjensen.addresses as object[])[0], streetAddress: '1010 Broadway Ave' }, (bjensen.addresses as object[])[1]] }),
    ['addresses'],
  ],
  [
    '§3.5.2.3 replace a complex attribute sets the given sub-attributes and leaves the others',
    userResourceType,
    bjensen,
    [{ op: 'replace', path: 'name', value: { familyName: 'Smith' } }],
    u({ name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Smith', givenName: 'Barbara' } }),
    ['name'],
  ],
  [
    '§3.5.2.3 replace of an attribute that does not exist is an add',
    userResourceType,
    homeOnly,
    [{ op: 'replace', path: 'name.givenName', value: 'Hope' }],
    { ...homeOnly, name: { givenName: 'Hope' } },
    ['name'],
  ],
];

const entraCases: Case[] = [
  [
    'capitalised ops, sub-attribute and "False"',
    userResourceType,
    bjensen,
    [
      { op: 'Replace', path: 'name.familyName', value: 'Smith' },
      { op: 'Replace', path: 'active', value: 'False' },
    ],
    u({ active: false, name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Smith', givenName: 'Barbara' } }),
    ['name', 'active'],
  ],
  [
    'Add manager as a bare id',
    userResourceType,
    bjensen,
    [{ op: 'Add', path: `${ENT}:manager`, value: 'mgr-2' }],
    u({ [ENT]: ent({ manager: { value: 'mgr-2' } }) }),
    [`${ENT}:manager`],
  ],
  [
    'Add manager as [{"$ref":null,"value":id}]',
    userResourceType,
    homeOnly,
    [{ op: 'Add', path: `${ENT}:manager`, value: [{ $ref: null, value: 'mgr-3' }] }],
    { ...homeOnly, [ENT]: { manager: { value: 'mgr-3' } } },
    [`${ENT}:manager`],
  ],
  [
    'Remove manager',
    userResourceType,
    bjensen,
    [{ op: 'Remove', path: `${ENT}:manager` }],
    u({ [ENT]: ent({ manager: undefined }) }),
    [`${ENT}:manager`],
  ],
  [
    'path-less replace with plain, dotted and URN-qualified keys',
    userResourceType,
    bjensen,
    [{ op: 'replace', value: { displayName: 'x', 'name.givenName': 'y', [`${ENT}:employeeNumber`]: '7' } }],
    u({ displayName: 'x', name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'y' }, [ENT]: ent({ employeeNumber: '7' }) }),
    ['name', 'displayName', `${ENT}:employeeNumber`],
  ],
  [
    'emails[type eq "work"].value on a user without a work email creates it',
    userResourceType,
    homeOnly,
    [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'h@work.example' }],
    { userName: 'h', emails: [{ value: 'h@home.example', type: 'home' }, { type: 'work', value: 'h@work.example' }] },
    ['emails'],
  ],
  [
    'emails[type eq "work"].value replaces the existing work email',
    userResourceType,
    bjensen,
    [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'barbara@example.com' }],
    u({ emails: [{ value: 'barbara@example.com', type: 'work', primary: true }, (bjensen.emails as object[])[1]] }),
    ['emails'],
  ],
  [
    'a null value removes the attribute',
    userResourceType,
    bjensen,
    [{ op: 'Replace', path: 'title', value: null }, { op: 'Add', path: `${ENT}:department`, value: null }],
    u({ title: undefined, [ENT]: ent({ department: undefined }) }),
    ['title', `${ENT}:department`],
  ],
  [
    "the misspelt enterprise URN in a path",
    userResourceType,
    bjensen,
    [{ op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User:department', value: 'Sales' }],
    u({ [ENT]: ent({ department: 'Sales' }) }),
    [`${ENT}:department`],
  ],
  [
    'a fully qualified core path',
    userResourceType,
    bjensen,
    [{ op: 'Replace', path: `${USER}:userName`, value: 'barbara' }],
    u({ userName: 'barbara' }),
    ['userName'],
  ],
];

const otherCases: Case[] = [
  ['Okta deactivation: path-less replace {active:false}', userResourceType, bjensen, [{ op: 'replace', value: { active: false } }], u({ active: false }), ['active']],
  [
    'path-less value ignores schemas, id, meta, unknown and readOnly keys',
    userResourceType,
    bjensen,
    [{ op: 'replace', value: { schemas: [USER], id: 'x', meta: { version: 'W/"1"' }, favouriteColour: 'teal', groups: [{ value: 'g' }], 'bad key!': 1, title: 'Lead' } }],
    u({ title: 'Lead' }),
    ['title'],
  ],
  [
    'path-less value with an extension URN key',
    userResourceType,
    homeOnly,
    [{ op: 'add', value: { [ENT]: { department: 'Sales', manager: 'm' } } }],
    { ...homeOnly, [ENT]: { department: 'Sales', manager: { value: 'm' } } },
    [`${ENT}:department`, `${ENT}:manager`],
  ],
  [
    'an extension URN as the path',
    userResourceType,
    bjensen,
    [{ op: 'replace', path: ENT, value: { costCenter: '4130' } }],
    u({ [ENT]: ent({ costCenter: '4130' }) }),
    [`${ENT}:costCenter`],
  ],
  ['remove of an extension URN path', userResourceType, bjensen, [{ op: 'remove', path: ENT }], u({ [ENT]: undefined }), [`${ENT}:employeeNumber`, `${ENT}:department`, `${ENT}:manager`]],
  [
    'adding a primary email makes it the only primary (RFC 7644 §3.5.2)',
    userResourceType,
    bjensen,
    [{ op: 'add', path: 'emails', value: { value: 'new@example.com', type: 'work', primary: 'True' } }],
    u({ emails: [{ value: 'bjensen@example.com', type: 'work', primary: false }, (bjensen.emails as object[])[1], { value: 'new@example.com', type: 'work', primary: true }] }),
    ['emails'],
  ],
  [
    'setting primary through a filter clears it elsewhere',
    userResourceType,
    bjensen,
    [{ op: 'replace', path: 'emails[value eq "babs@jensen.org"].primary', value: true }],
    u({ emails: [{ value: 'bjensen@example.com', type: 'work', primary: false }, { value: 'babs@jensen.org', type: 'home', primary: true }] }),
    ['emails'],
  ],
  [
    're-adding a held value with primary updates it instead of repeating it',
    userResourceType,
    bjensen,
    [{ op: 'add', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'home', primary: true }] }],
    u({ emails: [{ value: 'bjensen@example.com', type: 'work', primary: false }, { value: 'babs@jensen.org', type: 'home', primary: true }] }),
    ['emails'],
  ],
  [
    'remove with a filter matching nothing changes nothing',
    userResourceType,
    bjensen,
    [{ op: 'remove', path: 'emails[type eq "other"]' }, { op: 'remove', path: 'nickName' }],
    bjensen,
    [],
  ],
  [
    'remove a sub-attribute of the matching elements',
    userResourceType,
    bjensen,
    [{ op: 'remove', path: 'addresses[type eq "home"].region' }, { op: 'remove', path: 'name.formatted' }],
    u({ name: { familyName: 'Jensen', givenName: 'Barbara' }, addresses: [(bjensen.addresses as object[])[0], { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood' }] }),
    ['name', 'addresses'],
  ],
  [
    'remove with a value removes just those elements',
    userResourceType,
    bjensen,
    [{ op: 'remove', path: 'emails', value: [{ value: 'BABS@jensen.org' }] }],
    u({ emails: [(bjensen.emails as object[])[0]] }),
    ['emails'],
  ],
  [
    'add with an eq filter matching nothing creates the element',
    userResourceType,
    homeOnly,
    [{ op: 'add', path: 'phoneNumbers[type eq "mobile"]', value: { value: '+1 555 0100' } }],
    { ...homeOnly, phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }] },
    ['phoneNumbers'],
  ],
  [
    'a sub-attribute path on a multi-valued attribute without a filter applies to every element',
    userResourceType,
    bjensen,
    [{ op: 'replace', path: 'emails.display', value: 'Babs' }],
    u({ emails: (bjensen.emails as object[]).map((e) => ({ ...e, display: 'Babs' })) }),
    ['emails'],
  ],
  ['op and member names in any case', userResourceType, bjensen, [{ OP: 'REPLACE', Path: 'TITLE', Value: 'Lead' }], u({ title: 'Lead' }), ['title']],
  [
    'an immutable sub-attribute may be set while unassigned (RFC 7643 §2.2)',
    groupResourceType,
    tourGuides,
    [{ op: 'add', path: `members[value eq "${MANDY}"].type`, value: 'User' }],
    { displayName: 'Tour Guides', members: [(tourGuides.members as object[])[0], { value: MANDY, type: 'User' }] },
    ['members'],
  ],
  ['a value equal to the current one changes nothing', userResourceType, bjensen, [{ op: 'replace', path: 'title', value: 'Tour Guide' }], bjensen, []],
];

describe.each([
  ['RFC 7644 §3.5.2 examples', rfcCases],
  ['Microsoft Entra ID PATCH requests', entraCases],
  ['other behaviour', otherCases],
])('applyPatch: %s', (_group, cases) => {
  it.each(cases)('%s', (_label, rt, doc, ops, expected, changed) => {
    const before = structuredClone(doc);
    const result = applyPatch(doc, ops, rt);
    expect(result.doc).toEqual(expected);
    expect(result.changed).toEqual(changed);
    expect(result.delegated).toEqual([]);
    expect(doc).toEqual(before);
  });
});

describe('applyPatch: password (writeOnly)', () => {
  it.each([
    [[{ op: 'replace', path: 'password', value: 'n3wPa$$' }]],
    [[{ op: 'replace', value: { password: 'n3wPa$$' } }]],
  ])('%j returns the password and never stores it', (ops) => {
    const result = applyPatch(bjensen, ops, userResourceType);
    expect(result.password).toBe('n3wPa$$');
    expect(result.doc).toEqual(bjensen);
    expect(JSON.stringify(result.doc)).not.toContain('n3wPa$$');
    expect(result.changed).toEqual([]);
  });

  it('has no password when none is set', () => {
    expect(applyPatch(bjensen, [{ op: 'replace', path: 'title', value: 'x' }], userResourceType)).not.toHaveProperty('password');
  });
});

describe('applyPatch: delegated attributes (group members as set operations)', () => {
  const group: Document = deepFreeze({ displayName: 'Tour Guides', externalId: 'tg' });

  it('returns member operations in order, unapplied, and applies the rest', () => {
    const added = [{ $ref: null, value: BABS }];
    const result = applyPatch(
      group,
      [
        { op: 'Add', path: 'members', value: added },
        { op: 'Replace', path: 'displayName', value: 'Guides' },
        { op: 'remove', path: `members[value eq "${MANDY}"]` },
        { op: 'Remove', path: 'members', value: [{ value: BABS }] },
        { op: 'remove', path: 'members' },
      ],
      groupResourceType,
      { delegated: ['members'] },
    );
    expect(result.doc).toEqual({ displayName: 'Guides', externalId: 'tg' });
    expect(result.changed).toEqual(['displayName']);
    expect(result.delegated).toEqual([
      { op: 'add', path: { path: { name: 'members' } }, value: added },
      { op: 'remove', path: { path: { name: 'members' }, filter: { kind: 'compare', path: { name: 'value' }, op: 'eq', value: MANDY } } },
      { op: 'remove', path: { path: { name: 'members' } }, value: [{ value: BABS }] },
      { op: 'remove', path: { path: { name: 'members' } } },
    ]);
  });

  it("splits Okta's path-less replace {id, displayName, members}", () => {
    const result = applyPatch(
      group,
      [{ op: 'replace', value: { id: 'g-1', displayName: 'Okta Renamed', members: [{ value: BABS, display: 'Babs' }] } }],
      groupResourceType,
      { delegated: ['members'] },
    );
    expect(result.doc).toEqual({ displayName: 'Okta Renamed', externalId: 'tg' });
    expect(result.delegated).toEqual([{ op: 'replace', path: { path: { name: 'members' } }, value: [{ value: BABS, display: 'Babs' }] }]);
    expect(result.changed).toEqual(['displayName']);
  });

  it('still checks delegated paths', () => {
    expect(() => applyPatch(group, [{ op: 'add', path: 'members[', value: [] }], groupResourceType, { delegated: ['members'] })).toThrow(InvalidPathError);
    expect(() => applyPatch(group, [{ op: 'add', path: 'members.nope', value: 'x' }], groupResourceType, { delegated: ['members'] })).toThrow(InvalidPathError);
  });
});

describe('applyPatch: atomicity (RFC 7644 §3.5.2)', () => {
  it('a failing second operation throws and leaves the document untouched', () => {
    const before = structuredClone(bjensen);
    expect(() =>
      applyPatch(
        bjensen,
        [
          { op: 'replace', path: 'title', value: 'Changed' },
          { op: 'replace', path: 'active', value: 'not-a-boolean' },
        ],
        userResourceType,
      ),
    ).toThrow(InvalidValueError);
    expect(bjensen).toEqual(before);
  });

  it('works on a copy even when the input is not frozen', () => {
    const doc = structuredClone(bjensen);
    const result = applyPatch(doc, [{ op: 'add', path: 'emails', value: [{ value: 'x@example.com', primary: true }] }, { op: 'remove', path: 'name.givenName' }], userResourceType);
    expect(doc).toEqual(bjensen);
    expect(result.doc).not.toEqual(bjensen);
  });
});

type ErrorCase = [label: string, rt: ResourceTypeDef, ops: unknown, error: new (message: string) => DomainError, scimType: string];

const errorCases: ErrorCase[] = [
  ['Operations missing', userResourceType, undefined, InvalidSyntaxError, 'invalidSyntax'],
  ['Operations not an array', userResourceType, { op: 'add' }, InvalidSyntaxError, 'invalidSyntax'],
  ['Operations empty', userResourceType, [], InvalidSyntaxError, 'invalidSyntax'],
  ['an operation that is not an object', userResourceType, ['add'], InvalidSyntaxError, 'invalidSyntax'],
  ['an unknown op', userResourceType, [{ op: 'copy', path: 'title', value: 'x' }], InvalidSyntaxError, 'invalidSyntax'],
  ['a missing op', userResourceType, [{ path: 'title', value: 'x' }], InvalidSyntaxError, 'invalidSyntax'],
  ['add without a value', userResourceType, [{ op: 'add', path: 'title' }], InvalidValueError, 'invalidValue'],
  ['path-less add of a non-object', userResourceType, [{ op: 'add', value: 'x' }], InvalidValueError, 'invalidValue'],
  ['path-less replace of null', userResourceType, [{ op: 'replace', value: null }], InvalidValueError, 'invalidValue'],
  ['a wrong boolean', userResourceType, [{ op: 'Replace', path: 'active', value: 'maybe' }], InvalidValueError, 'invalidValue'],
  ['a string for a complex attribute', userResourceType, [{ op: 'replace', path: 'name', value: 'Bob' }], InvalidValueError, 'invalidValue'],
  ['a wrong type in a path-less value', userResourceType, [{ op: 'replace', value: { active: 'maybe' } }], InvalidValueError, 'invalidValue'],
  ['two primaries in one value', userResourceType, [{ op: 'add', path: 'emails', value: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: true }] }], InvalidValueError, 'invalidValue'],
  ['an empty required attribute', userResourceType, [{ op: 'replace', path: 'userName', value: '' }], InvalidValueError, 'invalidValue'],
  ['an extension path with a non-object', userResourceType, [{ op: 'replace', path: ENT, value: 'Sales' }], InvalidValueError, 'invalidValue'],
  ['remove without a path', userResourceType, [{ op: 'remove' }], NoTargetError, 'noTarget'],
  ['replace with a filter matching nothing', userResourceType, [{ op: 'replace', path: 'addresses[type eq "other"]', value: { locality: 'x' } }], NoTargetError, 'noTarget'],
  ['replace with a non-eq filter matching nothing', userResourceType, [{ op: 'replace', path: 'emails[type eq "other" or type eq "x"].value', value: 'a@x' }], NoTargetError, 'noTarget'],
  ['a malformed path', userResourceType, [{ op: 'replace', path: 'emails[type eq', value: 'x' }], InvalidPathError, 'invalidPath'],
  ['a path that is not a string', userResourceType, [{ op: 'replace', path: 42, value: 'x' }], InvalidPathError, 'invalidPath'],
  ['an unknown attribute', userResourceType, [{ op: 'replace', path: 'favouriteColour', value: 'teal' }], InvalidPathError, 'invalidPath'],
  ['an unknown sub-attribute', userResourceType, [{ op: 'replace', path: 'name.nick', value: 'x' }], InvalidPathError, 'invalidPath'],
  ['a sub-attribute of a simple attribute', userResourceType, [{ op: 'replace', path: 'title.x', value: 'x' }], InvalidPathError, 'invalidPath'],
  ['a filter on a single-valued attribute', userResourceType, [{ op: 'replace', path: 'name[givenName eq "B"]', value: {} }], InvalidPathError, 'invalidPath'],
  ['a filter naming an unknown sub-attribute', userResourceType, [{ op: 'remove', path: 'emails[colour eq "red"]' }], InvalidPathError, 'invalidPath'],
  ['an unknown schema URN', userResourceType, [{ op: 'replace', path: 'urn:example:acme:2.0:User:badge', value: 'x' }], InvalidPathError, 'invalidPath'],
  ['a readOnly attribute (User.groups)', userResourceType, [{ op: 'replace', path: 'groups', value: [{ value: 'g' }] }], MutabilityError, 'mutability'],
  ['id', userResourceType, [{ op: 'replace', path: 'id', value: 'x' }], MutabilityError, 'mutability'],
  ['meta.created', userResourceType, [{ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }], MutabilityError, 'mutability'],
  ['a readOnly sub-attribute', userResourceType, [{ op: 'replace', path: `${ENT}:manager.displayName`, value: 'Boss' }], MutabilityError, 'mutability'],
  ['removing userName (§3.5.2.2)', userResourceType, [{ op: 'remove', path: 'userName' }], MutabilityError, 'mutability'],
  ['replacing userName with null', userResourceType, [{ op: 'Replace', path: 'userName', value: null }], MutabilityError, 'mutability'],
  ['removing a group displayName', groupResourceType, [{ op: 'remove', path: 'displayName' }], MutabilityError, 'mutability'],
  ['changing an immutable sub-attribute', groupResourceType, [{ op: 'replace', path: `members[value eq "${BABS}"].value`, value: MANDY }], MutabilityError, 'mutability'],
  ['replacing an element with a different immutable value', groupResourceType, [{ op: 'replace', path: `members[value eq "${BABS}"]`, value: { value: 'other' } }], MutabilityError, 'mutability'],
  ['removing an immutable sub-attribute', groupResourceType, [{ op: 'remove', path: `members[value eq "${BABS}"].$ref` }], MutabilityError, 'mutability'],
];

describe('applyPatch: errors (RFC 7644 §3.12)', () => {
  it.each(errorCases)('%s', (_label, rt, ops, error, scimType) => {
    const doc = rt === groupResourceType ? tourGuides : bjensen;
    let caught: unknown;
    try {
      applyPatch(doc, ops, rt);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(error);
    expect((caught as DomainError).code).toBe(scimType);
  });
});

describe('applyPatch: an extension attribute without its URN', () => {
  it('is invalidPath for a strict client, and the one extension attribute of that name for a lenient one (Entra: manager)', () => {
    const ops = [{ op: 'replace', path: 'department', value: 'x' }];
    expect(() => applyPatch(bjensen, ops, userResourceType, { leniency: STRICT })).toThrow(InvalidPathError);
    expect(applyPatch(bjensen, ops, userResourceType, { leniency: LENIENT }).doc[ENT]).toMatchObject({ department: 'x' });
  });
});
