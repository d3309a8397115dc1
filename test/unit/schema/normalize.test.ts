import { InvalidSyntaxError, InvalidValueError } from '../../../src/domain/errors';
import { attr } from '../../../src/domain/schema/attribute';
import { groupResourceType, userResourceType } from '../../../src/domain/schema/core-schemas';
import { missingRequired, normalizeResource, normalizeValue } from '../../../src/domain/schema/normalize';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const user = (body: Record<string, unknown>, requireRequired = true) =>
  normalizeResource({ schemas: [USER], userName: 'bjensen', ...body }, userResourceType, { requireRequired });
const userDoc = (body: Record<string, unknown>) => user(body).doc;

/** The error a function throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('normalizeResource: an Entra ID create (RFC 7643 §4.1, §4.3)', () => {
  it('keeps the writable attributes under their canonical names and drops the rest', () => {
    const body = {
      schemas: [USER, ENT],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee@testuser.com',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@testuser.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      [ENT]: { department: 'Tour Operations', employeeNumber: '701984', manager: { value: 'mgr-id', displayName: 'Boss' } },
    };
    expect(normalizeResource(body, userResourceType, { requireRequired: true })).toEqual({
      doc: {
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee@testuser.com',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@testuser.com' }],
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        [ENT]: { department: 'Tour Operations', employeeNumber: '701984', manager: { value: 'mgr-id' } },
      },
    });
  });

  it('does not modify its input', () => {
    const body = { userName: 'x', name: { givenName: 'A', familyName: null }, active: 'True' };
    const copy = structuredClone(body);
    normalizeResource(body, userResourceType, { requireRequired: true });
    expect(body).toEqual(copy);
  });
});

describe('normalizeResource: input shape', () => {
  it.each([[null], [[{ userName: 'x' }]], ['userName=x'], [42], [undefined]])('%j is InvalidSyntaxError', (input) => {
    expect(thrown(() => normalizeResource(input, userResourceType, { requireRequired: true }))).toBeInstanceOf(InvalidSyntaxError);
  });

  it('extension attributes must be an object', () => {
    const e = thrown(() => user({ [ENT]: 'Sales' }));
    expect(e).toBeInstanceOf(InvalidValueError);
    expect(e.message).toContain(ENT);
  });
});

describe('normalizeResource: names (RFC 7643 §2.1, RFC 7644 §3.10)', () => {
  it('matches names case-insensitively and stores the catalogue spelling', () => {
    const { doc } = normalizeResource(
      { USERNAME: 'casey', DisplayName: 'Casey', NAME: { GIVENNAME: 'C' }, Emails: [{ VALUE: 'c@x', Type: 'work', PRIMARY: true }] },
      userResourceType,
      { requireRequired: true },
    );
    expect(doc).toEqual({ userName: 'casey', displayName: 'Casey', name: { givenName: 'C' }, emails: [{ value: 'c@x', type: 'work', primary: true }] });
  });

  it.each([
    ['under its URN key', { [ENT]: { department: 'Sales' } }],
    ['under its URN key in another case', { [ENT.toUpperCase()]: { DEPARTMENT: 'Sales' } }],
    ['as a fully qualified top-level key', { [`${ENT}:department`]: 'Sales' }],
    ['as a fully qualified key in another case', { [`${ENT.toLowerCase()}:Department`]: 'Sales' }],
    ["under Entra's misspelt URN", { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User': { department: 'Sales' } }],
    ["fully qualified with Entra's misspelt URN", { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User:department': 'Sales' }],
  ])('accepts an extension attribute %s', (_label, body) => {
    expect(userDoc(body)[ENT]).toEqual({ department: 'Sales' });
  });

  it('accepts fully qualified core attribute names', () => {
    expect(normalizeResource({ [`${USER}:userName`]: 'q', [`${USER}:name`]: { givenName: 'Q' } }, userResourceType, { requireRequired: true }).doc).toEqual({
      userName: 'q',
      name: { givenName: 'Q' },
    });
  });

  it('ignores unknown attributes, unknown schemas, unknown sub-attributes, schemas, id and meta', () => {
    const doc = userDoc({
      id: 'client-chosen',
      meta: { created: '2001-01-01T00:00:00Z' },
      favouriteColour: 'teal',
      'urn:example:params:scim:schemas:extension:acme:2.0:User': { badge: 7 },
      'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group': { x: 1 },
      [`${ENT}:shoeSize`]: 44,
      name: { givenName: 'B', nickname: 'not a name sub-attribute' },
    });
    expect(doc).toEqual({ userName: 'bjensen', name: { givenName: 'B' } });
  });
});

describe('normalizeResource: mutability (RFC 7643 §2.2)', () => {
  it('ignores readOnly attributes and sub-attributes: User.groups, manager.displayName, members.display', () => {
    expect(userDoc({ groups: [{ value: 'g1', display: 'G' }], [ENT]: { manager: { value: 'm', displayName: 'Boss' } } })).toEqual({
      userName: 'bjensen',
      [ENT]: { manager: { value: 'm' } },
    });
    const group = normalizeResource(
      { displayName: 'Tour Guides', members: [{ value: 'u1', display: 'Babs', type: 'User', $ref: 'https://x/Users/u1' }] },
      groupResourceType,
      { requireRequired: true },
    );
    expect(group.doc).toEqual({ displayName: 'Tour Guides', members: [{ value: 'u1', type: 'User', $ref: 'https://x/Users/u1' }] });
  });

  it('returns the writeOnly password apart and never stores it', () => {
    const result = user({ Password: 't1meMa$heen' });
    expect(result.password).toBe('t1meMa$heen');
    expect(JSON.stringify(result.doc)).not.toContain('t1meMa$heen');
    expect(user({}).password).toBeUndefined();
    expect('password' in user({})).toBe(false);
  });
});

describe('normalizeResource: absent values (RFC 7643 §2.5)', () => {
  it('treats null, empty lists and empty objects as absent, and keeps empty strings', () => {
    const doc = userDoc({
      title: null,
      nickName: '',
      name: { givenName: 'Len', familyName: null },
      addresses: [],
      emails: [{ value: null }, { value: 'kept@example.com' }],
      phoneNumbers: [{}],
      [ENT]: { department: null },
      ims: null,
    });
    expect(doc).toEqual({ userName: 'bjensen', nickName: '', name: { givenName: 'Len' }, emails: [{ value: 'kept@example.com' }] });
  });

  it('drops an object holding only nulls or unknown keys', () => {
    expect(userDoc({ name: { familyName: null, foo: 'x' }, [ENT]: {} })).toEqual({ userName: 'bjensen' });
  });
});

describe('normalizeResource: required attributes (RFC 7643 §2.2)', () => {
  it.each([
    ['User without userName', userResourceType, { name: { givenName: 'x' } }, 'userName'],
    ['User with a null userName', userResourceType, { userName: null }, 'userName'],
    ['User with an empty userName', userResourceType, { userName: '' }, 'userName'],
    ['Group without displayName', groupResourceType, { members: [] }, 'displayName'],
  ])('%s is InvalidValueError when required attributes are required', (_label, rt, body, name) => {
    const e = thrown(() => normalizeResource(body, rt, { requireRequired: true }));
    expect(e).toBeInstanceOf(InvalidValueError);
    expect(e.message).toContain(`"${name}" is required`);
    expect(() => normalizeResource(body, rt, { requireRequired: false })).not.toThrow();
  });

  it('missingRequired names the first missing attribute, or nothing', () => {
    expect(missingRequired({}, userResourceType)).toBe('userName');
    expect(missingRequired({ userName: 'x' }, userResourceType)).toBeUndefined();
    expect(missingRequired({ displayName: 'G' }, groupResourceType)).toBeUndefined();
  });
});

describe('normalizeResource: types (RFC 7643 §2.3)', () => {
  it.each([
    [true, true],
    [false, false],
    ['True', true],
    ['False', false],
    ['true', true],
    ['FALSE', false],
  ])('boolean %j -> %j', (input, expected) => {
    expect(userDoc({ active: input }).active).toBe(expected);
  });

  it.each([['maybe'], [1], [0], ['yes'], [{}], ['']])('boolean %j is InvalidValueError naming the attribute', (input) => {
    const e = thrown(() => userDoc({ active: input }));
    expect(e).toBeInstanceOf(InvalidValueError);
    expect(e.message).toContain('"active"');
  });

  it('accepts a number for a string attribute (IdPs send employeeNumber as a number)', () => {
    expect(userDoc({ [ENT]: { employeeNumber: 701984 } })[ENT]).toEqual({ employeeNumber: '701984' });
  });

  it.each([
    ['userName', { userName: { a: 1 } }, '"userName"'],
    ['userName', { userName: true }, '"userName"'],
    ['a sub-attribute', { name: { givenName: ['a', 'b'] } }, '"name.givenName"'],
    ['name', { name: 'Bob' }, '"name"'],
    ['an element of emails', { emails: [42] }, '"emails[0]"'],
    ['a nested list', { emails: [[{ value: 'a@x' }]] }, '"emails[0]"'],
    ['an element sub-attribute', { emails: [{ value: 'a@x', primary: 'yes' }] }, '"emails[0].primary"'],
    ['a reference', { profileUrl: 42 }, '"profileUrl"'],
    ['an extension attribute', { [ENT]: { department: { x: 1 } } }, `"${ENT}:department"`],
  ])('a wrong type for %s is InvalidValueError naming it', (_label, body, name) => {
    const e = thrown(() => userDoc(body));
    expect(e).toBeInstanceOf(InvalidValueError);
    expect(e.message).toContain(name);
  });

  it('rejects strings over 64 KiB', () => {
    expect(userDoc({ title: 'x'.repeat(65536) }).title).toHaveLength(65536);
    expect(thrown(() => userDoc({ title: 'x'.repeat(65537) }))).toBeInstanceOf(InvalidValueError);
  });

  it('stores strings exactly as sent and does not enforce canonicalValues (RFC 7643 §2.3.1)', () => {
    const doc = userDoc({ phoneNumbers: [{ value: 'tel:+1-201-555-0123', type: 'Corporate Mobile' }], emails: [{ value: ' Mixed@Case.COM ', type: 'corporate' }] });
    expect(doc.phoneNumbers).toEqual([{ value: 'tel:+1-201-555-0123', type: 'Corporate Mobile' }]);
    expect(doc.emails).toEqual([{ value: ' Mixed@Case.COM ', type: 'corporate' }]);
  });
});

describe('normalizeResource: multi-valued attributes (RFC 7643 §2.4)', () => {
  it('wraps a lone value in a list', () => {
    expect(userDoc({ emails: { value: 'a@x', type: 'work' } }).emails).toEqual([{ value: 'a@x', type: 'work' }]);
  });

  it('rejects more than one primary value', () => {
    const e = thrown(() => userDoc({ emails: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: 'True' }] }));
    expect(e).toBeInstanceOf(InvalidValueError);
    expect(e.message).toContain('primary');
    expect(userDoc({ emails: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: false }] }).emails).toHaveLength(2);
  });
});

describe("normalizeResource: Entra's enterprise manager forms", () => {
  it.each([
    ['a bare id', 'mgr-1', { value: 'mgr-1' }],
    ['an object', { value: 'mgr-1' }, { value: 'mgr-1' }],
    ['a one-element list', [{ value: 'mgr-1' }], { value: 'mgr-1' }],
    ['a null $ref', { $ref: null, value: 'mgr-1' }, { value: 'mgr-1' }],
    ['a one-element list with a null $ref', [{ $ref: null, value: 'mgr-1' }], { value: 'mgr-1' }],
    ['a $ref', { $ref: '../Users/mgr-1', value: 'mgr-1' }, { $ref: '../Users/mgr-1', value: 'mgr-1' }],
  ])('%s', (_label, manager, expected) => {
    expect(userDoc({ [ENT]: { manager } })[ENT]).toEqual({ manager: expected });
  });

  it('an empty list is absent; several managers are InvalidValueError', () => {
    expect(userDoc({ [ENT]: { manager: [] } })).not.toHaveProperty(ENT);
    expect(thrown(() => userDoc({ [ENT]: { manager: [{ value: 'a' }, { value: 'b' }] } }))).toBeInstanceOf(InvalidValueError);
  });
});

describe('normalizeValue: the data types the core schemas do not use (RFC 7643 §2.3)', () => {
  const when = attr('hired', 'dateTime');
  const count = attr('count', 'integer');
  const ratio = attr('ratio', 'decimal');
  const blob = attr('blob', 'binary');

  it.each([['2024-01-31T12:00:00Z'], ['2008-01-23T04:56:22.123+02:00'], ['2024-02-29T23:59:59'], ['2024-01-31T12:00:00.5-05:30']])(
    'dateTime %s is kept as sent',
    (value) => {
      expect(normalizeValue(value, when, 'hired')).toBe(value);
    },
  );

  it.each([['2024-02-30T00:00:00Z'], ['2023-02-29T00:00:00Z'], ['2024-13-01T00:00:00Z'], ['2024-01-01'], ['2024-01-01T25:00:00Z'], ['yesterday'], [1700000000]])(
    'dateTime %j is InvalidValueError',
    (value) => {
      expect(thrown(() => normalizeValue(value, when, 'hired'))).toBeInstanceOf(InvalidValueError);
    },
  );

  it('integer and decimal take JSON numbers only', () => {
    expect(normalizeValue(3, count, 'count')).toBe(3);
    expect(normalizeValue(2.5, ratio, 'ratio')).toBe(2.5);
    expect(normalizeValue(3, ratio, 'ratio')).toBe(3);
    for (const bad of [2.5, '3', true]) expect(thrown(() => normalizeValue(bad, count, 'count'))).toBeInstanceOf(InvalidValueError);
    expect(thrown(() => normalizeValue('2.5', ratio, 'ratio'))).toBeInstanceOf(InvalidValueError);
  });

  it('binary takes strings only (no number lenience)', () => {
    expect(normalizeValue('TUlJRE...', blob, 'blob')).toBe('TUlJRE...');
    expect(thrown(() => normalizeValue(42, blob, 'blob'))).toBeInstanceOf(InvalidValueError);
  });

  it('null is absent', () => {
    expect(normalizeValue(null, count, 'count')).toBeUndefined();
  });
});
