import { InvalidFilterError } from '../../../src/domain/errors';
import { evaluateFilter, matchesElement } from '../../../src/domain/query/filter-eval';
import { parseFilter } from '../../../src/domain/query/filter-parser';
import { attr, findAttr } from '../../../src/domain/schema/attribute';
import { URN, userSchema } from '../../../src/domain/schema/core-schemas';
import { bjensen, TEST_URN, testUserType } from '../../fixtures/resource-types';

const matches = (filter: string, resource: Record<string, unknown> = bjensen()) => evaluateFilter(parseFilter(filter), resource, testUserType);

/** bjensen with some attributes changed (undefined removes one). */
function variant(changes: Record<string, unknown>): Record<string, unknown> {
  const r: Record<string, unknown> = { ...bjensen(), ...changes };
  for (const key of Object.keys(changes)) if (changes[key] === undefined) delete r[key];
  return r;
}

describe('RFC 7644 §3.4.2.2 Figure 2 example filters on bjensen', () => {
  it.each<[string, boolean]>([
    ['userName eq "bjensen@example.com"', true],
    ['userName eq "bjensen"', false],
    [`name.familyName co "O'Malley"`, true],
    ['userName sw "J"', false],
    ['userName sw "B"', true],
    [`${URN.user}:userName sw "b"`, true],
    ['title pr', true],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', true],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', true],
    ['title pr and userType eq "Employee"', true],
    ['title pr or userType eq "Intern"', true],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false],
    ['userType eq "Employee" and (emails.type eq "work")', true],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', true],
    ['emails[type eq "home" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', false],
  ])('%s -> %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });
});

describe('every operator on strings', () => {
  it.each<[string, boolean]>([
    ['title eq "tour guide"', true],
    ['title ne "tour guide"', false],
    ['title ne "Driver"', true],
    ['title co "UR G"', true],
    ['title co "xyz"', false],
    ['title sw "TOUR"', true],
    ['title sw "Guide"', false],
    ['title ew "GUIDE"', true],
    ['title ew "Tour"', false],
    ['title gt "tour"', true],
    ['title gt "u"', false],
    ['title ge "TOUR GUIDE"', true],
    ['title lt "u"', true],
    ['title lt "tour guide"', false],
    ['title le "Tour Guide"', true],
    ['title co "%"', false],
    ['title co ""', true],
  ])('%s -> %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });
});

describe('case sensitivity follows caseExact', () => {
  it.each<[string, boolean]>([
    ['userName eq "BJENSEN@EXAMPLE.COM"', true],
    ['externalId eq "Bjensen-01"', true],
    ['externalId eq "bjensen-01"', false],
    ['id eq "2819C223-7F76-453A-919D-413861904646"', false],
    ['id eq "2819c223-7f76-453a-919d-413861904646"', true],
    [`${TEST_URN}:badge eq "AbC"`, true],
    [`${TEST_URN}:badge eq "abc"`, false],
    [`${TEST_URN}:badge co "bC"`, true],
    ['emails[type eq "WORK"]', true],
  ])('%s -> %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });
});

describe('absent values, null and pr', () => {
  const noTitle = variant({ title: undefined });

  it('is false for every comparison with an absent attribute except ne', () => {
    for (const op of ['eq', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']) expect(matches(`title ${op} "a"`, noTitle)).toBe(false);
    expect(matches('title ne "a"', noTitle)).toBe(true);
    expect(matches('not (title eq "a")', noTitle)).toBe(true);
  });

  it('treats eq null as not present and ne null as present', () => {
    expect(matches('title eq null', noTitle)).toBe(true);
    expect(matches('title ne null', noTitle)).toBe(false);
    expect(matches('title eq null')).toBe(false);
    expect(matches('title ne null')).toBe(true);
  });

  it.each<[string, Record<string, unknown>, boolean]>([
    ['title pr', { title: '' }, false],
    ['title pr', { title: null }, false],
    ['title pr', { title: undefined }, false],
    ['title pr', { title: ' ' }, true],
    ['active pr', { active: false }, true],
    ['name pr', { name: {} }, false],
    ['name pr', { name: { givenName: null, familyName: '' } }, false],
    ['name pr', { name: { givenName: 'B' } }, true],
    ['emails pr', { emails: [] }, false],
    ['emails pr', { emails: [{}, { value: '' }] }, false],
    ['emails pr', { emails: [{}, { type: 'work' }] }, true],
    ['emails.value pr', { emails: [{ type: 'work' }] }, false],
    ['emails.value pr', { emails: [{ type: 'work' }, { value: 'a@b' }] }, true],
    ['emails eq null', { emails: [] }, true],
    ['emails ne null', { emails: [{ value: 'x' }] }, true],
    ['name.givenName pr', { name: { familyName: 'J' } }, false],
  ])('%s on %j -> %s', (filter, changes, expected) => {
    expect(matches(filter, variant(changes))).toBe(expected);
  });

  it('does not compare values of the wrong JSON type', () => {
    expect(matches('title eq "x"', variant({ title: { x: 1 } }))).toBe(false);
    expect(matches('active eq true', variant({ active: 'true' }))).toBe(false);
    expect(matches(`${TEST_URN}:level eq 3`, variant({ [TEST_URN]: { level: '3' } }))).toBe(false);
  });
});

describe('multi-valued attributes', () => {
  it('matches when one value matches', () => {
    expect(matches('emails co "jensen.org"')).toBe(true);
    expect(matches('emails.type eq "home"')).toBe(true);
    expect(matches('emails.type eq "other"')).toBe(false);
  });

  it('requires a value filter to hold on one element, unlike separate comparisons', () => {
    expect(matches('emails[type eq "home" and value co "example.com"]')).toBe(false);
    expect(matches('emails.type eq "home" and emails.value co "example.com"')).toBe(true);
    expect(matches('emails[type eq "home" and not (primary eq true)]')).toBe(true);
    expect(matches('emails[type eq "work" and not (primary eq true)]')).toBe(false);
  });

  it('treats ne as "no value is equal"', () => {
    expect(matches('emails ne "babs@jensen.org"')).toBe(false);
    expect(matches('emails ne "nobody@x"')).toBe(true);
    expect(matches('emails ne "x"', variant({ emails: undefined }))).toBe(true);
  });

  it('compares the elements of a simple multi-valued attribute', () => {
    expect(matches('tags eq "green"')).toBe(true);
    expect(matches('tags[value sw "bl"]')).toBe(true);
    expect(matches('tags ew "x"')).toBe(false);
    expect(matches('tags pr')).toBe(true);
    expect(matches('tags pr', variant({ [TEST_URN]: { tags: [''] } }))).toBe(false);
  });

  it('is false when the attribute is not an array', () => {
    expect(matches('emails co "x"', variant({ emails: 'x' }))).toBe(false);
    expect(matches('emails[value co "x"]', variant({ emails: { value: 'x' } }))).toBe(false);
  });
});

describe('types', () => {
  it.each<[string, boolean]>([
    ['active eq true', true],
    ['active eq "TRUE"', true],
    ['active ne true', false],
    ['vip eq false', true],
    [`${TEST_URN}:level eq 3`, true],
    [`${TEST_URN}:level eq 3.0`, true],
    ['level gt 2.5', true],
    ['level ge 4', false],
    ['score lt 2.51', true],
    ['score le 2.4', false],
    ['score eq 25e-1', true],
    ['hired eq "2010-01-23T04:56:22.123Z"', true],
    ['hired eq "2010-01-23T04:56:22.1234Z"', true],
    ['hired eq "2010-01-23T04:56:22Z"', false],
    ['hired gt "2010-01-23T04:56:22.122Z"', true],
    ['hired lt "2010-01-23T05:56:22.124+01:00"', true],
    ['hired gt "2010-01-23T05:56:22.123+01:00"', false],
    ['meta.created eq "2010-01-23T04:56:22Z"', true],
    ['meta.created eq "2010-01-23T04:56:22"', true],
    ['meta.created eq "2010-01-22T23:56:22-05:00"', true],
  ])('%s -> %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });
});

describe('extensions and value filters on complex attributes', () => {
  it.each<[string, boolean]>([
    [`${URN.enterpriseUser}:department eq "tour operations"`, true],
    ['department eq "Tour Operations"', true],
    [`${URN.enterpriseUser}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true],
    ['manager.displayName sw "john"', true],
    ['manager pr', true],
    ['name[givenName eq "barbara" and familyName pr]', true],
    ['name[givenName eq "barbara" and familyName eq "Smith"]', false],
  ])('%s -> %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('is false for a value filter on an absent complex attribute, even if negated inside', () => {
    expect(matches('name[not (givenName eq "x")]', variant({ name: undefined }))).toBe(false);
  });

  it('reads names in the catalogue spelling, whatever the filter spelling', () => {
    expect(matches('NAME.GIVENNAME eq "Barbara"')).toBe(true);
    expect(matches(`${URN.enterpriseUser.toLowerCase()}:DEPARTMENT pr`)).toBe(true);
  });

  it('raises InvalidFilterError for unknown attributes and bad values', () => {
    expect(() => matches('nosuch eq "x"')).toThrow(InvalidFilterError);
    expect(() => matches('active eq "maybe"')).toThrow(InvalidFilterError);
  });
});

describe('matchesElement (RFC 7644 §3.5.2 PATCH value filters)', () => {
  const emails = findAttr(userSchema.attributes, 'emails')!;
  const work = { value: 'bjensen@example.com', type: 'work', primary: true };
  const element = (filter: string, el: unknown = work) => matchesElement(parseFilter(filter), el, emails);

  it.each<[string, boolean]>([
    ['type eq "work"', true],
    ['TYPE eq "Work"', true],
    ['type eq "home"', false],
    ['type eq "work" and primary eq true', true],
    ['type eq "work" and primary eq false', false],
    ['type eq "home" or value ew "@example.com"', true],
    ['not (type eq "home")', true],
    ['display pr', false],
    ['display eq null', true],
    ['value co "@"', true],
  ])('%s -> %s', (filter, expected) => {
    expect(element(filter)).toBe(expected);
  });

  it('is false for elements that are not objects', () => {
    expect(element('type eq "work"', 'work')).toBe(false);
    expect(element('type eq "work"', null)).toBe(false);
  });

  it('compares the element itself for a simple multi-valued attribute', () => {
    const tags = attr('tags', 'string', { multiValued: true });
    expect(matchesElement(parseFilter('value eq "BLUE"'), 'blue', tags)).toBe(true);
    expect(matchesElement(parseFilter('value eq "red"'), 'blue', tags)).toBe(false);
  });

  it('rejects names that are not sub-attributes, and type errors', () => {
    expect(() => element('nosuch eq "x"')).toThrow(/unknown attribute "emails\.nosuch"/);
    expect(() => element('emails.type eq "x"')).toThrow(/must be a plain sub-attribute name/);
    expect(() => element('primary eq "x"')).toThrow(/"primary" is boolean/);
    expect(() => element('ims[type eq "x"]')).toThrow(/cannot be nested/);
  });
});
