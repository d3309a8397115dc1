import { InvalidFilterError, InvalidPathError } from '../../../src/domain/errors';
import type { CompValue, Filter } from '../../../src/domain/query/ast';
import { parseAttrPath, parseFilter, parsePatchPath } from '../../../src/domain/query/filter-parser';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const eq = (name: string, value: CompValue, sub?: string): Filter => ({
  kind: 'compare',
  path: sub ? { name, sub } : { name },
  op: 'eq',
  value,
});

/** The failure of `fn`, which must throw. */
function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('RFC 7644 §3.4.2.2 Figure 2 example filters', () => {
  it.each<[string, Filter]>([
    ['userName eq "bjensen"', eq('userName', 'bjensen')],
    [`name.familyName co "O'Malley"`, { kind: 'compare', path: { name: 'name', sub: 'familyName' }, op: 'co', value: "O'Malley" }],
    ['userName sw "J"', { kind: 'compare', path: { name: 'userName' }, op: 'sw', value: 'J' }],
    [`${CORE}:userName sw "J"`, { kind: 'compare', path: { uri: CORE, name: 'userName' }, op: 'sw', value: 'J' }],
    ['title pr', { kind: 'present', path: { name: 'title' } }],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', { kind: 'compare', path: { name: 'meta', sub: 'lastModified' }, op: 'gt', value: '2011-05-13T04:42:34Z' }],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', { kind: 'compare', path: { name: 'meta', sub: 'lastModified' }, op: 'ge', value: '2011-05-13T04:42:34Z' }],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', { kind: 'compare', path: { name: 'meta', sub: 'lastModified' }, op: 'lt', value: '2011-05-13T04:42:34Z' }],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', { kind: 'compare', path: { name: 'meta', sub: 'lastModified' }, op: 'le', value: '2011-05-13T04:42:34Z' }],
    ['title pr and userType eq "Employee"', { kind: 'and', left: { kind: 'present', path: { name: 'title' } }, right: eq('userType', 'Employee') }],
    ['title pr or userType eq "Intern"', { kind: 'or', left: { kind: 'present', path: { name: 'title' } }, right: eq('userType', 'Intern') }],
    [`schemas eq "${ENTERPRISE}"`, eq('schemas', ENTERPRISE)],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      {
        kind: 'and',
        left: eq('userType', 'Employee'),
        right: {
          kind: 'or',
          left: { kind: 'compare', path: { name: 'emails' }, op: 'co', value: 'example.com' },
          right: { kind: 'compare', path: { name: 'emails', sub: 'value' }, op: 'co', value: 'example.org' },
        },
      },
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      {
        kind: 'and',
        left: { kind: 'compare', path: { name: 'userType' }, op: 'ne', value: 'Employee' },
        right: {
          kind: 'not',
          filter: {
            kind: 'or',
            left: { kind: 'compare', path: { name: 'emails' }, op: 'co', value: 'example.com' },
            right: { kind: 'compare', path: { name: 'emails', sub: 'value' }, op: 'co', value: 'example.org' },
          },
        },
      },
    ],
    ['userType eq "Employee" and (emails.type eq "work")', { kind: 'and', left: eq('userType', 'Employee'), right: eq('emails', 'work', 'type') }],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      {
        kind: 'and',
        left: eq('userType', 'Employee'),
        right: {
          kind: 'valuePath',
          path: { name: 'emails' },
          filter: { kind: 'and', left: eq('type', 'work'), right: { kind: 'compare', path: { name: 'value' }, op: 'co', value: '@example.com' } },
        },
      },
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      {
        kind: 'or',
        left: {
          kind: 'valuePath',
          path: { name: 'emails' },
          filter: { kind: 'and', left: eq('type', 'work'), right: { kind: 'compare', path: { name: 'value' }, op: 'co', value: '@example.com' } },
        },
        right: {
          kind: 'valuePath',
          path: { name: 'ims' },
          filter: { kind: 'and', left: eq('type', 'xmpp'), right: { kind: 'compare', path: { name: 'value' }, op: 'co', value: '@foo.com' } },
        },
      },
    ],
  ])('%s', (text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });
});

describe('operators and logical precedence', () => {
  it.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])('parses %s in any case', (op) => {
    expect(parseFilter(`title ${op.toUpperCase()} "x"`)).toEqual({ kind: 'compare', path: { name: 'title' }, op, value: 'x' });
  });

  it('parses pr, and, or, not in any case', () => {
    expect(parseFilter('title PR AND NOT (userType Eq "a") Or nickName pR')).toEqual({
      kind: 'or',
      left: { kind: 'and', left: { kind: 'present', path: { name: 'title' } }, right: { kind: 'not', filter: eq('userType', 'a') } },
      right: { kind: 'present', path: { name: 'nickName' } },
    });
  });

  it('binds and tighter than or', () => {
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual({ kind: 'or', left: eq('a', 1), right: { kind: 'and', left: eq('b', 2), right: eq('c', 3) } });
    expect(parseFilter('a eq 1 and b eq 2 or c eq 3')).toEqual({ kind: 'or', left: { kind: 'and', left: eq('a', 1), right: eq('b', 2) }, right: eq('c', 3) });
  });

  it('lets parentheses override precedence', () => {
    expect(parseFilter('(a eq 1 or b eq 2) and c eq 3')).toEqual({ kind: 'and', left: { kind: 'or', left: eq('a', 1), right: eq('b', 2) }, right: eq('c', 3) });
  });

  it('associates chains to the left', () => {
    expect(parseFilter('a eq 1 and b eq 2 and c eq 3')).toEqual({ kind: 'and', left: { kind: 'and', left: eq('a', 1), right: eq('b', 2) }, right: eq('c', 3) });
  });

  it('binds not to its parenthesised operand only', () => {
    expect(parseFilter('not(a eq 1) and b eq 2')).toEqual({ kind: 'and', left: { kind: 'not', filter: eq('a', 1) }, right: eq('b', 2) });
  });

  it('parses value paths with parentheses and not inside', () => {
    expect(parseFilter('emails[not (type eq "work") and (value ew ".org" or primary eq true)]')).toEqual({
      kind: 'valuePath',
      path: { name: 'emails' },
      filter: {
        kind: 'and',
        left: { kind: 'not', filter: eq('type', 'work') },
        right: { kind: 'or', left: { kind: 'compare', path: { name: 'value' }, op: 'ew', value: '.org' }, right: eq('primary', true) },
      },
    });
  });

  it('accepts extra whitespace and none around brackets and parentheses', () => {
    expect(parseFilter('  ( userName eq"x" )  ')).toEqual(eq('userName', 'x'));
    expect(parseFilter('emails[type eq "work"]')).toEqual(parseFilter('emails[ type eq "work" ]'));
  });
});

describe('attribute paths', () => {
  it.each([
    [`${CORE}:name.familyName`, { uri: CORE, name: 'name', sub: 'familyName' }],
    [`${ENTERPRISE}:manager`, { uri: ENTERPRISE, name: 'manager' }],
    [`${ENTERPRISE}:manager.$ref`, { uri: ENTERPRISE, name: 'manager', sub: '$ref' }],
    ['members.$ref', { name: 'members', sub: '$ref' }],
    ['x509Certificates.value', { name: 'x509Certificates', sub: 'value' }],
    ['urn:x:y_z-1', { uri: 'urn:x', name: 'y_z-1' }],
  ])('%s', (text, expected) => {
    expect(parseAttrPath(text)).toEqual(expected);
    expect(parseFilter(`${text} pr`)).toEqual({ kind: 'present', path: expected });
  });

  it('parses URN-qualified value paths', () => {
    expect(parseFilter(`${CORE}:emails[type eq "work"]`)).toEqual({ kind: 'valuePath', path: { uri: CORE, name: 'emails' }, filter: eq('type', 'work') });
  });

  it.each(['a.b.c', '1abc', 'a$b', ':name', 'na me', 'urn:x:', 'name.'])('rejects "%s"', (text) => {
    expect(() => parseAttrPath(text)).toThrow(InvalidPathError);
  });
});

describe('values', () => {
  it.each<[string, unknown]>([
    ['"plain"', 'plain'],
    [String.raw`"say \"hi\""`, 'say "hi"'],
    [String.raw`"back\\slash \/ \b\f\n\r\t"`, 'back\\slash / \b\f\n\r\t'],
    [String.raw`"caf\u00e9 \u00C9"`, 'café É'],
    [String.raw`"\ud83d\ude00"`, '😀'],
    ['"Zoë Ñandú 日本"', 'Zoë Ñandú 日本'],
    ['"a) or (b eq 1"', 'a) or (b eq 1'],
    ['"x]y[z"', 'x]y[z'],
    ['""', ''],
    ['42', 42],
    ['-7', -7],
    ['0', 0],
    ['3.25', 3.25],
    ['-1.5e3', -1500],
    ['2E-2', 0.02],
    ['true', true],
    ['FALSE', false],
    ['Null', null],
    ['jyoung', 'jyoung'],
    ['alice@example.com', 'alice@example.com'],
    ['007', '007'],
    ['1.2.3', '1.2.3'],
  ])('%s', (literal, value) => {
    expect(parseFilter(`externalId eq ${literal}`)).toEqual({ kind: 'compare', path: { name: 'externalId' }, op: 'eq', value });
  });

  it('ends an unquoted value at a closing parenthesis or bracket', () => {
    expect(parseFilter('(externalId eq jyoung)')).toEqual(eq('externalId', 'jyoung'));
    expect(parseFilter('emails[value eq a@b.c]')).toEqual({ kind: 'valuePath', path: { name: 'emails' }, filter: eq('value', 'a@b.c') });
  });
});

describe('syntax errors', () => {
  it.each<[string, RegExp]>([
    ['', /empty/],
    ['   ', /empty/],
    ['userName', /expected an operator .* at position 9, found the end of the input/],
    ['userName eq', /expected a value .* at position 12, found the end of the input/],
    ['userName eq )', /expected a value .* at position 13, found "\)"/],
    ['userName eq and', /expected a value .* found "and"/],
    ['userName xx "a"', /expected an operator .* at position 10, found "xx"/],
    ['userName eq "a" "b"', /expected "and", "or" or the end of the input at position 17, found the string "b"/],
    ['userName eq "a" userType eq "b"', /expected "and", "or" or the end of the input at position 17, found "userType"/],
    ['userName eq "a")', /position 16, found "\)"/],
    ['(userName eq "a"', /expected "and", "or" or "\)" at position 17, found the end of the input/],
    ['()', /expected an attribute name at position 2, found "\)"/],
    ['"bjensen" eq userName', /expected an attribute name at position 1, found the string "bjensen"/],
    ['userName eq "a" and', /expected an attribute name at position 20, found the end/],
    ['not userName eq "x"', /expected an operator .* found "userName"/],
    ['emails[type eq "work"', /expected "and", "or" or "\]" at position 22/],
    ['emails[type eq "work"] eq "x"', /found "eq"/],
    ['emails[type eq "work" and addresses[type eq "home"]]', /value filters cannot be nested/],
    ['emails.value[type eq "work"]', /a value filter follows an attribute, not a sub-attribute/],
    ['a.b.c eq "x"', /"a\.b\.c" is not an attribute path .* at position 1/],
    ['userName eq "abc', /unterminated string starting at position 13/],
    [String.raw`userName eq "a\x"`, /invalid escape "\\x" at position 15/],
    [String.raw`userName eq "a\u12"`, /invalid escape "\\u12"/],
    ['userName eq "a\\', /unterminated string/],
  ])('%j', (text, message) => {
    const error = failure(() => parseFilter(text));
    expect(error).toBeInstanceOf(InvalidFilterError);
    expect((error as InvalidFilterError).code).toBe('invalidFilter');
    expect(error.message).toMatch(message);
  });
});

describe('caps', () => {
  const nested = (n: number) => `${'('.repeat(n)}a eq 1${')'.repeat(n)}`;
  const clauses = (n: number) => Array.from({ length: n }, (_, i) => `a${i} eq ${i}`).join(' or ');

  it('refuses filters longer than maxLength (default 4096)', () => {
    const long = `title eq "${'x'.repeat(4096)}"`;
    expect(() => parseFilter(long)).toThrow(/longer than 4096 characters/);
    expect(() => parseFilter('title eq "abc"', { maxLength: 10 })).toThrow(/longer than 10/);
    expect(parseFilter('title pr', { maxLength: 8 })).toEqual({ kind: 'present', path: { name: 'title' } });
  });

  it('refuses nesting deeper than maxDepth (default 16)', () => {
    expect(parseFilter(nested(16))).toEqual(eq('a', 1));
    expect(() => parseFilter(nested(17))).toThrow(/nests deeper than 16 levels/);
    expect(() => parseFilter('not (not (a eq 1))', { maxDepth: 1 })).toThrow(InvalidFilterError);
    expect(() => parseFilter('emails[(type eq "x")]', { maxDepth: 1 })).toThrow(/deeper than 1/);
    expect(() => parseFilter(nested(2000))).toThrow(InvalidFilterError);
  });

  it('refuses more than maxClauses attribute expressions (default 64)', () => {
    expect(() => parseFilter(clauses(64))).not.toThrow();
    expect(() => parseFilter(clauses(65))).toThrow(/more than 64 attribute expressions/);
    expect(() => parseFilter('emails[type eq "a" and value pr] and title pr', { maxClauses: 2 })).toThrow(/more than 2/);
  });
});

describe('RFC 7644 §3.5.2 PATCH paths', () => {
  it.each<[string, unknown]>([
    ['name.familyName', { path: { name: 'name', sub: 'familyName' } }],
    ['userName', { path: { name: 'userName' } }],
    [`${ENTERPRISE}:manager`, { path: { uri: ENTERPRISE, name: 'manager' } }],
    [`${ENTERPRISE}:manager.value`, { path: { uri: ENTERPRISE, name: 'manager', sub: 'value' } }],
    ['members[value eq "2819c223-7f76-453a-919d-413861904646"]', { path: { name: 'members' }, filter: eq('value', '2819c223-7f76-453a-919d-413861904646') }],
    ['emails[type eq "work"].value', { path: { name: 'emails' }, filter: eq('type', 'work'), subAfterFilter: 'value' }],
    [
      'addresses[type eq "work" and primary eq true].streetAddress',
      { path: { name: 'addresses' }, filter: { kind: 'and', left: eq('type', 'work'), right: eq('primary', true) }, subAfterFilter: 'streetAddress' },
    ],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text)).toEqual(expected);
  });

  it.each<[string, RegExp]>([
    ['', /empty/],
    ['emails[type eq "work"', /expected "and", "or" or "\]"/],
    ['emails[type eq "work"]value', /expected ".subAttribute" or the end of the path/],
    ['emails[type eq "work"].value.display', /expected ".subAttribute"/],
    ['emails[type eq "work"].value extra', /expected the end of the path at position 30, found "extra"/],
    ['userName extra', /expected the end of the path at position 10/],
    ['emails[type eq "work" and ims[type eq "x"]]', /cannot be nested/],
    ['emails.value[type eq "work"]', /not a sub-attribute/],
    ['name.familyName eq "x"', /found "eq"/],
    ['a.b.c', /not an attribute path/],
  ])('rejects %j with InvalidPathError', (text, message) => {
    const error = failure(() => parsePatchPath(text));
    expect(error).toBeInstanceOf(InvalidPathError);
    expect(error.message).toMatch(message);
  });
});

describe('a value filter followed by a sub-attribute comparison (Entra)', () => {
  it('reads attr[filter].sub op value as attr[filter and sub op value]', () => {
    expect(parseFilter('emails[type eq "work"].value eq "a@b.c"')).toEqual({
      kind: 'valuePath',
      path: { name: 'emails' },
      filter: {
        kind: 'and',
        left: { kind: 'compare', path: { name: 'type' }, op: 'eq', value: 'work' },
        right: { kind: 'compare', path: { name: 'value' }, op: 'eq', value: 'a@b.c' },
      },
    });
    expect(parseFilter('emails[type eq "work"].value pr')).toMatchObject({ filter: { right: { kind: 'present', path: { name: 'value' } } } });
  });

  it('refuses a sub-attribute without an operator, or a bad name', () => {
    expect(() => parseFilter('emails[type eq "work"].value')).toThrow(/expected an operator/);
    expect(() => parseFilter('emails[type eq "work"].9x eq "a"')).toThrow(/expected ".subAttribute"/);
  });
});
