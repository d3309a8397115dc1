import { InvalidFilterError, InvalidValueError } from '../../../src/domain/errors';
import { groupStorage } from '../../../src/domain/group/group.storage';
import { parseFilter } from '../../../src/domain/query/filter-parser';
import { CompiledSql, compileFilter, compileSort } from '../../../src/domain/query/filter-sql';
import type { ResourceTypeDef } from '../../../src/domain/schema/attribute';
import { groupResourceType, URN } from '../../../src/domain/schema/core-schemas';
import { userStorage } from '../../../src/domain/user/user.storage';
import { TEST_URN, testUserType } from '../../fixtures/resource-types';

const DOC = 'r.attributes';
const ENT = `${DOC}->'${URN.enterpriseUser}'`;
const TEST = `${DOC}->'${TEST_URN}'`;
const elements = (node: string) => `jsonb_array_elements(case when jsonb_typeof(${node}) = 'array' then ${node} else '[]'::jsonb end) as e(v)`;
const EMAILS = elements(`${DOC}->'emails'`);
/** the lower-cased JSON text of emails, which the query indexes cover */
const EMAILS_TEXT = `lower((${DOC}->'emails')::text)`;

function user(filter: string): CompiledSql {
  return compileFilter(parseFilter(filter), testUserType, userStorage);
}

function group(filter: string): CompiledSql {
  return compileFilter(parseFilter(filter), groupResourceType, groupStorage);
}

const placeholders = (sql: string) => (sql.match(/\?/g) ?? []).length;

describe('columns and document paths', () => {
  it.each<[string, string, unknown[]]>([
    // userName eq compares RFC 8265 comparison keys (src/domain/user/username.ts) in their own column
    ['userName eq "bjensen"', 'r.user_name_key = ?', ['bjensen']],
    ['USERNAME Eq "BJensen"', 'r.user_name_key = ?', ['bjensen']],
    ['userName eq "\uff22\uff2aensen"', 'r.user_name_key = ?', ['bjensen']],
    [`${URN.user}:userName sw "J"`, `lower(r.user_name) like lower(?) escape '\\'`, ['J%']],
    ['externalId eq "Ab-1"', 'r.external_id = ?', ['Ab-1']],
    // ids compare as uuid (primary key index); a value that is no canonical UUID matches nothing
    ['id eq "0190a0b4-3c2d-7e8f-9a0b-1c2d3e4f5a6b"', 'r.id = ?::uuid', ['0190a0b4-3c2d-7e8f-9a0b-1c2d3e4f5a6b']],
    ['id eq "2819c223"', 'false', []],
    ['id eq "0190A0B4-3C2D-7E8F-9A0B-1C2D3E4F5A6B"', 'false', []],
    ['id sw "0190"', `(r.id::text) like ? escape '\\'`, ['0190%']],
    ['displayName ew "son"', `lower(r.display_name) like lower(?) escape '\\'`, ['%son']],
    ['meta.resourceType eq "User"', `('User') = ?`, ['User']],
    [`name.familyName co "O'Malley"`, `lower(${DOC}->'name'->>'familyName') like lower(?) escape '\\'`, ["%O'Malley%"]],
    ['title eq "Tour Guide"', `lower(${DOC}->>'title') = lower(?)`, ['Tour Guide']],
    [`${URN.enterpriseUser}:department eq "Sales"`, `lower(${ENT}->>'department') = lower(?)`, ['Sales']],
    ['department eq "Sales"', `lower(${ENT}->>'department') = lower(?)`, ['Sales']],
    [`${URN.enterpriseUser.toUpperCase()}:MANAGER.value eq "m1"`, `lower(${ENT}->'manager'->>'value') = lower(?)`, ['m1']],
    [`${TEST_URN}:badge eq "AbC"`, `(${TEST}->>'badge') = ?`, ['AbC']],
  ])('%s', (filter, sql, params) => {
    expect(user(filter)).toEqual({ sql, params });
  });
});

describe('operators', () => {
  it.each<[string, string, unknown[]]>([
    ['title gt "m"', `lower(${DOC}->>'title') collate "C" > lower(?)`, ['m']],
    ['title ge "m"', `lower(${DOC}->>'title') collate "C" >= lower(?)`, ['m']],
    ['title lt "m"', `lower(${DOC}->>'title') collate "C" < lower(?)`, ['m']],
    ['title le "m"', `lower(${DOC}->>'title') collate "C" <= lower(?)`, ['m']],
    ['title co "m"', `lower(${DOC}->>'title') like lower(?) escape '\\'`, ['%m%']],
    ['title ne "m"', `not coalesce(lower(${DOC}->>'title') = lower(?), false)`, ['m']],
    ['title pr', `(${DOC}->>'title') <> ''`, []],
    ['externalId pr', `r.external_id <> ''`, []],
    ['active pr', 'r.active is not null', []],
    ['title eq null', `not coalesce((${DOC}->>'title') <> '', false)`, []],
    ['title ne null', `(${DOC}->>'title') <> ''`, []],
    ['active eq true', 'r.active = ?::boolean', [true]],
    ['active eq "False"', 'r.active = ?::boolean', [false]],
    ['active ne false', 'not coalesce(r.active = ?::boolean, false)', [false]],
    [`${TEST_URN}:vip eq true`, `(case when jsonb_typeof(${TEST}->'vip') = 'boolean' then (${TEST}->>'vip')::boolean end) = ?::boolean`, [true]],
    [`${TEST_URN}:level ge 3`, `(case when jsonb_typeof(${TEST}->'level') = 'number' then (${TEST}->>'level')::numeric end) >= ?::numeric`, [3]],
    [`score lt -1.5e1`, `(case when jsonb_typeof(${TEST}->'score') = 'number' then (${TEST}->>'score')::numeric end) < ?::numeric`, [-15]],
    ['employeeNumber eq 701984', `lower(${ENT}->>'employeeNumber') = lower(?)`, ['701984']],
  ])('%s', (filter, sql, params) => {
    expect(user(filter)).toEqual({ sql, params });
  });

  it('escapes LIKE wildcards so that they match literally', () => {
    expect(user(String.raw`title co "50%_off\\now"`).params).toEqual([String.raw`%50\%\_off\\now%`]);
    expect(user('title sw "a_b"').params).toEqual([String.raw`a\_b%`]);
    expect(user('title ew "%"').params).toEqual([String.raw`%\%`]);
  });

  it('compares dateTimes as instants at millisecond precision, with index-friendly ranges', () => {
    expect(user('meta.created eq "2011-05-13T04:42:34Z"')).toEqual({
      sql: '(r.created_at >= ?::timestamptz and r.created_at < ?::timestamptz)',
      params: ['2011-05-13T04:42:34.000Z', '2011-05-13T04:42:34.001Z'],
    });
    expect(user('meta.lastModified gt "2011-05-13T06:42:34+02:00"')).toEqual({ sql: 'r.updated_at >= ?::timestamptz', params: ['2011-05-13T04:42:34.001Z'] });
    expect(user('meta.lastModified ge "2011-05-13T04:42:34.5Z"').params).toEqual(['2011-05-13T04:42:34.500Z']);
    expect(user('meta.lastModified lt "2011-05-13T04:42:34.1239Z"')).toEqual({ sql: 'r.updated_at < ?::timestamptz', params: ['2011-05-13T04:42:34.123Z'] });
    expect(user('meta.lastModified le "2011-05-13T04:42:34Z"')).toEqual({ sql: 'r.updated_at < ?::timestamptz', params: ['2011-05-13T04:42:34.001Z'] });
    expect(user(`hired gt "2020-01-01T00:00:00"`)).toEqual({ sql: `((${TEST}->>'hired')::timestamptz) >= ?::timestamptz`, params: ['2020-01-01T00:00:00.001Z'] });
  });

  it('wraps and/or in parentheses that keep the parsed precedence', () => {
    expect(user('title pr or nickName pr and userType pr').sql).toBe(
      `((${DOC}->>'title') <> '' or ((${DOC}->>'nickName') <> '' and (${DOC}->>'userType') <> ''))`,
    );
    expect(user('(title pr or nickName pr) and userType pr').sql).toBe(
      `(((${DOC}->>'title') <> '' or (${DOC}->>'nickName') <> '') and (${DOC}->>'userType') <> '')`,
    );
  });

  it('makes not true where its operand is unknown (NULL)', () => {
    expect(user('not (title eq "x" or nickName eq "y")')).toEqual({
      sql: `not coalesce((lower(${DOC}->>'title') = lower(?) or lower(${DOC}->>'nickName') = lower(?)), false)`,
      params: ['x', 'y'],
    });
  });
});

describe('complex and multi-valued attributes', () => {
  it('compares the value sub-attribute of a multi-valued attribute through EXISTS', () => {
    expect(user('emails co "example.com"')).toEqual({
      sql: `(${EMAILS_TEXT} like lower(?) and exists (select 1 from ${EMAILS} where lower(e.v->>'value') like lower(?) escape '\\'))`,
      params: ['%example.com%', '%example.com%'],
    });
    expect(user('emails.type eq "work"')).toEqual({
      sql: `(${EMAILS_TEXT}::jsonb @> lower(?)::jsonb and exists (select 1 from ${EMAILS} where lower(e.v->>'type') = lower(?)))`,
      params: ['[{"type":"work"}]', 'work'],
    });
    expect(user('emails.primary eq true').sql).toBe(
      `exists (select 1 from ${EMAILS} where (case when jsonb_typeof(e.v->'primary') = 'boolean' then (e.v->>'primary')::boolean end) = ?::boolean)`,
    );
  });

  it('requires all conditions of a value filter to hold on the same element', () => {
    const { sql, params } = user('emails[type eq "work" and value co "@example.com"]');
    expect(sql).toBe(
      `(${EMAILS_TEXT}::jsonb @> lower(?)::jsonb and ${EMAILS_TEXT} like lower(?) and ` +
        `exists (select 1 from ${EMAILS} where (lower(e.v->>'type') = lower(?) and lower(e.v->>'value') like lower(?) escape '\\')))`,
    );
    expect(params).toEqual(['[{"type":"work"}]', '%@example.com%', 'work', '%@example.com%']);
    // without brackets each comparison may hold on a different element
    expect(user('emails.type eq "work" and emails.value co "@example.com"').sql.match(/exists/g)).toHaveLength(2);
  });

  it('reads a simple multi-valued attribute element by element', () => {
    const tags = elements(`${TEST}->'tags'`);
    expect(user('tags eq "blue"')).toEqual({ sql: `exists (select 1 from ${tags} where lower(e.v #>> '{}') = lower(?))`, params: ['blue'] });
    expect(user('tags[value sw "b"]').sql).toBe(`exists (select 1 from ${tags} where lower(e.v #>> '{}') like lower(?) escape '\\')`);
  });

  it('treats ne on a multi-valued attribute as "no value is equal"', () => {
    expect(user('emails ne "a@b.c"').sql).toBe(
      `not coalesce((${EMAILS_TEXT}::jsonb @> lower(?)::jsonb and exists (select 1 from ${EMAILS} where lower(e.v->>'value') = lower(?))), false)`,
    );
  });

  it('defines pr on complex and multi-valued attributes as a present sub-attribute or element', () => {
    const object = (node: string) =>
      `exists (select 1 from jsonb_each(case when jsonb_typeof(${node}) = 'object' then ${node} else '{}'::jsonb end) as o(k, v) where (o.v #>> '{}') <> '')`;
    expect(user('name pr').sql).toBe(object(`${DOC}->'name'`));
    expect(user('manager pr').sql).toBe(object(`${ENT}->'manager'`));
    expect(user('emails pr').sql).toBe(`exists (select 1 from ${EMAILS} where ${object('e.v')})`);
    expect(user('emails.value pr').sql).toBe(`exists (select 1 from ${EMAILS} where (e.v->>'value') <> '')`);
    expect(user('emails eq null').sql).toBe(`not coalesce(exists (select 1 from ${EMAILS} where ${object('e.v')}), false)`);
  });

  it('applies a value filter on a singular complex attribute to its object', () => {
    expect(user('name[givenName eq "Barbara" and familyName pr]')).toEqual({
      sql: `(jsonb_typeof(${DOC}->'name') = 'object' and (lower(${DOC}->'name'->>'givenName') = lower(?) and (${DOC}->'name'->>'familyName') <> ''))`,
      params: ['Barbara'],
    });
  });

  it('queries relation tables with their sub-attribute columns', () => {
    const exists = (cond: string) => `exists (select 1 from group_member gm where gm.group_id = r.id${cond})`;
    const uid = '0190a0b4-3c2d-7e8f-9a0b-1c2d3e4f5a6b';
    expect(group(`members[value eq "${uid}"]`)).toEqual({ sql: exists(' and gm.member_id = ?::uuid'), params: [uid] });
    expect(group(`members eq "${uid}"`)).toEqual({ sql: exists(' and gm.member_id = ?::uuid'), params: [uid] });
    expect(group('members[value eq "2819c223"]')).toEqual({ sql: exists(' and false'), params: [] });
    expect(group('members.value sw "2819"')).toEqual({ sql: exists(` and (gm.member_id::text) like ? escape '\\'`), params: ['2819%'] });
    expect(group('members.type eq "User"')).toEqual({ sql: exists(` and lower('User') = lower(?)`), params: ['User'] });
    expect(group('members pr')).toEqual({ sql: exists(''), params: [] });
    expect(group(`members[value eq "${uid}" or value eq "b"]`).sql).toBe(exists(' and (gm.member_id = ?::uuid or false)'));
    expect(group('displayName eq "Admins"')).toEqual({ sql: 'lower(r.display_name) = lower(?)', params: ['Admins'] });
  });
});

describe('RFC 7644 §3.4.2.2 Figure 2 example filters compile', () => {
  it.each([
    'userName eq "bjensen"',
    `name.familyName co "O'Malley"`,
    'userName sw "J"',
    `${URN.user}:userName sw "J"`,
    'title pr',
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
  ])('%s: one parameter per placeholder, values only in parameters', (filter) => {
    const { sql, params } = user(filter);
    expect(placeholders(sql)).toBe(params.length);
    for (const p of params) expect(sql).not.toContain(String(p).replace(/%/g, ''));
  });

  it('refuses filtering on "schemas" (documented as unsupported)', () => {
    expect(() => user(`schemas eq "${URN.enterpriseUser}"`)).toThrow(new InvalidFilterError('filtering on "schemas" is not supported'));
  });
});

describe('SQL injection', () => {
  const attack = "x' OR 1=1 --";
  it.each([
    `userName eq "${attack}"`,
    `title co "${attack}"`,
    `emails[type eq "${attack}"]`,
    `manager.value sw "${attack}"`,
    `not (title ew "${attack}")`,
  ])('%s keeps the value in the parameters', (filter) => {
    const { sql, params } = user(filter);
    expect(sql).not.toContain('OR 1=1');
    expect(sql).not.toContain("x'");
    expect(params.some((p) => String(p).toLowerCase().includes(attack.toLowerCase()))).toBe(true); // userName eq sends its (lower-cased) comparison key
  });

  it('rejects attribute names that are not in the catalogue before they reach SQL', () => {
    expect(() => user(`userName'-- eq "x"`)).toThrow(InvalidFilterError);
    expect(() => user('title;drop eq "x"')).toThrow(InvalidFilterError);
    expect(() => user('r.user_name eq "x"')).toThrow(/unknown attribute "r\.user_name"/);
  });
});

describe('resolution and type errors', () => {
  it.each<[string, RegExp]>([
    ['nosuch eq "x"', /unknown attribute "nosuch" for User/],
    ['name.nosuch eq "x"', /unknown attribute "name\.nosuch"/],
    ['userName.sub eq "x"', /unknown attribute "userName\.sub"/],
    ['urn:example:nope:2.0:User:userName eq "x"', /unknown schema "urn:example:nope:2\.0:User"/],
    [`${URN.enterpriseUser}:userName eq "x"`, /unknown attribute/],
    ['password eq "secret"', /"password" cannot be filtered/],
    ['name eq "x"', /"name" is complex: compare one of its sub-attributes/],
    ['addresses eq "x"', /"addresses" is complex: name one of its sub-attributes/],
    ['active gt true', /"gt" cannot be used on "active": a boolean attribute has no order/],
    ['active co "t"', /"co" cannot be used on "active": it is boolean/],
    ['active eq "yes"', /"active" is boolean: expected true or false, got "yes"/],
    ['active eq 1', /"active" is boolean/],
    ['meta.created sw "2011"', /"sw" cannot be used on "created": it is dateTime/],
    ['meta.created gt "yesterday"', /"created" is dateTime: expected an ISO 8601 date-time/],
    ['meta.created gt "2011-02-30T00:00:00Z"', /is dateTime/],
    ['meta.created gt 2011', /is dateTime/],
    [`${TEST_URN}:level eq "3"`, /"level" is integer: expected a number, got "3"/],
    [`${TEST_URN}:level ew 3`, /"ew" cannot be used on "level"/],
    ['userName eq true', /"userName" is string: expected a "string", got true/],
    ['profileUrl eq 5', /"profileUrl" is reference: expected a "string"/],
    ['x509Certificates.value gt "a"', /"gt" cannot be used on "value": a binary attribute has no order/],
    ['title gt null', /compares with null; use "pr"/],
    ['userName[value eq "x"]', /needs a multi-valued or complex attribute/],
    ['emails[nosuch eq "x"]', /unknown attribute "emails\.nosuch"/],
    ['emails[value.x eq "x"]', /must be a plain sub-attribute name/],
    ['tags[type eq "x"]', /only "value" can be named/],
    ['meta.location eq "https://x"', /"meta\.location" is not stored in a way that can be queried/],
  ])('%s', (filter, message) => {
    expect(() => user(filter)).toThrow(InvalidFilterError);
    expect(() => user(filter)).toThrow(message);
  });

  it('refuses relation sub-attributes that have no column', () => {
    expect(() => group('members.display eq "x"')).toThrow(/"members\.display" is not stored/);
  });
});

describe('compileSort (RFC 7644 §3.4.2.3)', () => {
  const sort = (path: string, rt: ResourceTypeDef = testUserType) => compileSort(path, rt, rt === testUserType ? userStorage : groupStorage);

  it.each<[string, string]>([
    ['userName', 'lower(r.user_name)'],
    ['externalId', 'r.external_id'],
    ['meta.created', 'r.created_at'],
    ['META.LASTMODIFIED', 'r.updated_at'],
    ['name.familyName', `lower(${DOC}->'name'->>'familyName')`],
    [`${URN.enterpriseUser}:manager.displayName`, `lower(${ENT}->'manager'->>'displayName')`],
    ['level', `(case when jsonb_typeof(${TEST}->'level') = 'number' then (${TEST}->>'level')::numeric end)`],
    ['hired', `((${TEST}->>'hired')::timestamptz)`],
  ])('%s', (path, sql) => {
    expect(sort(path)).toBe(sql);
  });

  it('sorts a multi-valued attribute by its primary value, else its first', () => {
    const ordered = `jsonb_array_elements(case when jsonb_typeof(${DOC}->'emails') = 'array' then ${DOC}->'emails' else '[]'::jsonb end) with ordinality as e(v, i)`;
    const order = `order by coalesce(e.v->'primary' = 'true'::jsonb, false) desc, e.i limit 1`;
    expect(sort('emails')).toBe(`(select lower(e.v->>'value') from ${ordered} ${order})`);
    expect(sort('emails.type')).toBe(`(select lower(e.v->>'type') from ${ordered} ${order})`);
    expect(sort('members', groupResourceType)).toBe('(select (gm.member_id::text) from group_member gm where gm.group_id = r.id order by (gm.member_id::text) limit 1)');
  });

  it.each<[string, RegExp]>([
    ['nosuch', /invalid sortBy "nosuch": unknown attribute/],
    ['name', /"name" is complex: sort by one of its sub-attributes/],
    ['addresses', /"addresses" is complex: name one of its sub-attributes/],
    ['userName eq "x"', /is not an attribute path/],
    ['password', /cannot be filtered or sorted on/],
  ])('refuses %j with InvalidValueError', (path, message) => {
    expect(() => sort(path)).toThrow(InvalidValueError);
    expect(() => sort(path)).toThrow(message);
  });
});
