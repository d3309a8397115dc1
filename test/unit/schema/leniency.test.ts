import { InvalidFilterError, InvalidPathError, InvalidSyntaxError, InvalidValueError, MutabilityError } from '../../../src/domain/errors';
import { applyPatch } from '../../../src/domain/patch/patch';
import { parseFilter } from '../../../src/domain/query/filter-parser';
import { groupResourceType, URN, userResourceType } from '../../../src/domain/schema/core-schemas';
import { LENIENT, STRICT } from '../../../src/domain/schema/leniency';
import { normalizeResource } from '../../../src/domain/schema/normalize';
import { resolveIdpProfile } from '../../../src/scim/idp-profile';
import { typeValue } from '../../../src/domain/query/filter-values';
import { applyProjection, parseProjection } from '../../../src/scim/projection';

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};
const body = (extra: Record<string, unknown>) => ({ schemas: [URN.user], userName: 'u', ...extra });
const strict = (b: unknown) => normalizeResource(b, userResourceType, { requireRequired: true, leniency: STRICT });
const lenient = (b: unknown) => normalizeResource(b, userResourceType, { requireRequired: true, leniency: LENIENT });
const doc = { userName: 'u', active: true, title: 'T', [URN.enterpriseUser]: { department: 'D' } };

describe('IdP profiles (docs/idp-guides.md)', () => {
  it.each([
    ['entra', {}, 'entra', 'connection'],
    ['okta', { userAgent: 'curl/8' }, 'okta', 'connection'],
    ['jumpcloud', {}, 'jumpcloud', 'connection'],
    ['generic', { querystring: 'aadOptscim062020' }, 'entra', 'url-flag'],
    ['generic', { querystring: 'aadOptscim062020&filter=x' }, 'entra', 'url-flag'],
    ['generic', { querystring: 'filter=x&AADOPTSCIM062020' }, 'entra', 'url-flag'],
    ['generic', { querystring: 'aadOptscim062020/Users' }, 'entra', 'url-flag'],
    ['generic', { querystring: 'xaadOptscim062020' }, 'generic', 'none'],
    ['generic', { userAgent: 'Azure AD SCIM client' }, 'entra', 'user-agent'],
    ['generic', { userAgent: 'Microsoft.Identity.Provisioning' }, 'entra', 'user-agent'],
    ['generic', { userAgent: 'Okta SCIM Client 1.0.0' }, 'okta', 'user-agent'],
    ['generic', { userAgent: 'JumpCloud SCIM' }, 'jumpcloud', 'user-agent'],
    ['generic', { userAgent: 'curl/8.5.0' }, 'generic', 'none'],
    ['generic', { userAgent: 'PostmanRuntime/7.39.0' }, 'generic', 'none'],
    ['generic', {}, 'generic', 'none'],
    ['strict', {}, 'strict', 'connection'],
    ['strict', { userAgent: 'Microsoft.Identity.Provisioning', querystring: 'aadOptscim062020' }, 'strict', 'connection'],
  ] as const)('%s connection with %j -> %s (%s)', (kind, req, name, source) => {
    const p = resolveIdpProfile(kind, req);
    expect(p).toMatchObject({ name, source });
    // lenient by default for every kind and every client; only a strict connection is strict
    expect(p.leniency).toBe(name === 'strict' ? STRICT : LENIENT);
    expect(p.patchNoContent).toEqual(['Group']);
  });
});

describe('normalisation: strict RFC vs lenient IdP dialects', () => {
  it('string booleans and numbers for strings: lenient only', () => {
    expect(lenient(body({ active: 'False' })).doc.active).toBe(false);
    expect(thrown(() => strict(body({ active: 'False' })))).toBeInstanceOf(InvalidValueError);
    expect(lenient(body({ title: 42 })).doc.title).toBe('42');
    expect(thrown(() => strict(body({ title: 42 })))).toBeInstanceOf(InvalidValueError);
  });

  it("shapes: Entra's manager forms, lone values for lists, one-element lists for single values: lenient only", () => {
    for (const manager of ['m1', { value: 'm1' }, [{ $ref: null, value: 'm1' }]]) {
      expect(lenient(body({ [URN.enterpriseUser]: { manager } })).doc[URN.enterpriseUser]).toEqual({ manager: { value: 'm1' } });
    }
    expect(strict(body({ [URN.enterpriseUser]: { manager: { value: 'm1' } } })).doc[URN.enterpriseUser]).toEqual({ manager: { value: 'm1' } });
    expect(thrown(() => strict(body({ [URN.enterpriseUser]: { manager: 'm1' } })))).toBeInstanceOf(InvalidValueError);
    expect(thrown(() => strict(body({ [URN.enterpriseUser]: { manager: [{ value: 'm1' }] } })))).toBeInstanceOf(InvalidValueError);
    expect(lenient(body({ emails: { value: 'a@x' } })).doc.emails).toEqual([{ value: 'a@x' }]);
    expect(thrown(() => strict(body({ emails: { value: 'a@x' } })))).toBeInstanceOf(InvalidValueError);
  });

  it('the misspelt enterprise URN is the enterprise extension only when lenient; strict ignores it as unknown', () => {
    const misspelt = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User';
    expect(lenient(body({ [misspelt]: { department: 'D' } })).doc[URN.enterpriseUser]).toEqual({ department: 'D' });
    expect(strict(body({ [misspelt]: { department: 'D' } })).doc).toEqual({ userName: 'u' });
  });

  it('null attributes in a body are absent in both (RFC 7643 §2.5)', () => {
    expect(strict(body({ title: null })).doc).toEqual({ userName: 'u' });
  });

  it('values are stored as sent: phone numbers and strings are never rewritten', () => {
    const phone = [{ value: '+1 (425) 555-0100', type: 'work' }];
    expect(strict(body({ phoneNumbers: phone })).doc.phoneNumbers).toEqual(phone);
    expect(lenient(body({ phoneNumbers: phone, displayName: '  Spaced  ' })).doc).toMatchObject({ phoneNumbers: phone, displayName: '  Spaced  ' });
  });
});

describe('PATCH: strict RFC vs lenient IdP dialects', () => {
  const patch = (ops: unknown[], leniency = STRICT) => applyPatch(doc, ops, userResourceType, { leniency });

  it('op must be lower-case for a strict client', () => {
    expect(thrown(() => patch([{ op: 'Replace', path: 'title', value: 'x' }]))).toBeInstanceOf(InvalidSyntaxError);
    expect(patch([{ op: 'Replace', path: 'title', value: 'x' }], LENIENT).doc.title).toBe('x');
  });

  it('null on add/replace: remove when lenient, invalidValue when strict', () => {
    expect(patch([{ op: 'replace', path: 'title', value: null }], LENIENT).doc.title).toBeUndefined();
    expect(thrown(() => patch([{ op: 'replace', path: 'title', value: null }]))).toBeInstanceOf(InvalidValueError);
  });

  it("path-less extra keys (Okta's id, unknown names) are ignored when lenient, errors when strict", () => {
    expect(patch([{ op: 'replace', value: { id: 'x', title: 'y', nope: 1 } }], LENIENT).doc.title).toBe('y');
    expect(thrown(() => patch([{ op: 'replace', value: { id: 'x', title: 'y' } }]))).toBeInstanceOf(MutabilityError);
    expect(thrown(() => patch([{ op: 'replace', value: { nope: 1 } }]))).toBeInstanceOf(InvalidPathError);
    expect(patch([{ op: 'replace', value: { schemas: [URN.user], title: 'y' } }]).doc.title).toBe('y');
    const okta = applyPatch({ displayName: 'G' }, [{ op: 'replace', value: { id: 'g1', displayName: 'H' } }], groupResourceType, { leniency: LENIENT, delegated: ['members'] });
    expect(okta.doc.displayName).toBe('H');
  });

  it("a bare extension attribute path (Entra's manager) resolves only when lenient", () => {
    expect(patch([{ op: 'add', path: 'manager', value: 'm2' }], LENIENT).doc[URN.enterpriseUser]).toEqual({ department: 'D', manager: { value: 'm2' } });
    expect(thrown(() => patch([{ op: 'add', path: 'manager', value: { value: 'm2' } }]))).toBeInstanceOf(InvalidPathError);
  });

  it('the misspelt enterprise URN as a PATCH path only when lenient', () => {
    const misspelt = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User:department';
    expect(patch([{ op: 'replace', path: misspelt, value: 'E' }], LENIENT).doc[URN.enterpriseUser]).toEqual({ department: 'E' });
    expect(thrown(() => patch([{ op: 'replace', path: misspelt, value: 'E' }]))).toBeInstanceOf(InvalidPathError);
  });
});

describe('LENIENT and STRICT are the two ends of one table', () => {
  it('every leniency flag is on in LENIENT and off in STRICT', () => {
    expect(Object.keys(LENIENT).sort()).toEqual(Object.keys(STRICT).sort());
    for (const [flag, on] of Object.entries(LENIENT)) expect({ flag, on, off: (STRICT as Record<string, boolean>)[flag] }).toEqual({ flag, on: true, off: false });
  });
});

describe('PATCH remove with a value (Entra)', () => {
  it('removes the listed values when lenient; strict names them in the path instead', () => {
    const d = { userName: 'u', emails: [{ value: 'a@x' }, { value: 'b@x' }] };
    const ops = [{ op: 'remove', path: 'emails', value: [{ value: 'a@x' }] }];
    expect(applyPatch(d, ops, userResourceType, { leniency: LENIENT }).doc.emails).toEqual([{ value: 'b@x' }]);
    expect(thrown(() => applyPatch(d, ops, userResourceType, { leniency: STRICT }))).toBeInstanceOf(InvalidSyntaxError);
    expect(applyPatch(d, [{ op: 'remove', path: 'emails[value eq "a@x"]' }], userResourceType, { leniency: STRICT }).doc.emails).toEqual([{ value: 'b@x' }]);
  });
});

describe('filters: unquoted values (older Entra)', () => {
  it('are strings by default and a syntax error for a strict client', () => {
    expect(parseFilter('externalId eq jyoung')).toMatchObject({ kind: 'compare', value: 'jyoung' });
    expect(thrown(() => parseFilter('externalId eq jyoung', { unquotedValues: false }))).toBeInstanceOf(InvalidFilterError);
    expect(parseFilter('level eq 3', { unquotedValues: false })).toMatchObject({ value: 3 });
    expect(parseFilter('active eq TRUE', { unquotedValues: false })).toMatchObject({ value: true });
  });
});

describe('filter values: coercions and date-only dates are lenient only', () => {
  const values = (leniency: typeof LENIENT) => ({
    bool: () => typeValue('eq', 'True', { name: 'active', type: 'boolean' }, leniency),
    num: () => typeValue('eq', 42, { name: 'title', type: 'string' }, leniency),
    day: () => typeValue('gt', '2024-05-30', { name: 'meta.created', type: 'dateTime' }, leniency),
    bare: () => typeValue('gt', '2024-05-30T00:00:00Z', { name: 'meta.created', type: 'dateTime' }, leniency),
  });
  it('lenient: "True" is true, 42 is "42", a date is midnight UTC that day', () => {
    const v = values(LENIENT);
    expect([v.bool(), v.num(), v.day(), v.bare()]).toEqual([true, '42', Date.UTC(2024, 4, 30), Date.UTC(2024, 4, 30)]);
  });
  it('strict: each is invalidFilter; a full date-time still reads', () => {
    const v = values(STRICT);
    for (const f of [v.bool, v.num, v.day]) expect(thrown(f)).toBeInstanceOf(InvalidFilterError);
    expect(v.bare()).toBe(Date.UTC(2024, 4, 30));
  });
});

describe('attributes with a value filter (projection)', () => {
  const user = { schemas: [URN.user], id: 'u1', userName: 'u', emails: [{ type: 'work', value: 'w@x' }, { type: 'home', value: 'h@x' }] };
  it('lenient: only the matching values, the filter judged on the whole value', () => {
    expect(applyProjection(user, userResourceType, parseProjection({ attributes: 'emails[type eq "work"]' }, LENIENT))).toEqual({ schemas: [URN.user], id: 'u1', emails: [{ type: 'work', value: 'w@x' }] });
    expect(applyProjection(user, userResourceType, parseProjection({ attributes: 'emails[type eq "home"].value,userName' }, LENIENT))).toEqual({ schemas: [URN.user], id: 'u1', userName: 'u', emails: [{ value: 'h@x' }] });
    expect(applyProjection(user, userResourceType, parseProjection({ attributes: 'emails[type eq "other"]' }, LENIENT))).toEqual({ schemas: [URN.user], id: 'u1' });
    expect(parseProjection({ attributes: 'emails[value co ","],userName' }, LENIENT).attributes).toEqual(['emails', 'username']);
  });
  it('strict: invalidFilter', () => {
    expect(thrown(() => parseProjection({ attributes: 'emails[type eq "work"]' }, STRICT))).toBeInstanceOf(InvalidFilterError);
    expect(parseProjection({ attributes: 'emails,userName' }, STRICT).attributes).toEqual(['emails', 'username']);
  });
});
