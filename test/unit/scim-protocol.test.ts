import { InvalidFilterError, NotFoundError, UniquenessError } from '../../src/domain/errors';
import { displayPrefix, digestsEqual, generateToken, hashToken } from '../../src/domain/connection/token-secret';
import { slugify } from '../../src/domain/tenant/tenant.service';
import { pagingParams } from '../../src/scim/list';
import { toScimError } from '../../src/scim/scim-error';
import { patchOperations } from '../../src/scim/resource.routes';

describe('RFC 7644 §3.4.2.4 paging parameters', () => {
  it.each([
    [{}, { startIndex: 1, count: 100 }],
    [{ startIndex: '0', count: '10' }, { startIndex: 1, count: 10 }],
    [{ startIndex: '-4', count: '-1' }, { startIndex: 1, count: 0 }],
    [{ startIndex: '5', count: '5000' }, { startIndex: 5, count: 100 }],
    [{ startIndex: 'abc', count: 'x' }, { startIndex: 1, count: 100 }],
    [{ startIndex: '2.7', count: '3.2' }, { startIndex: 2, count: 3 }],
  ])('%j -> %j', (query, expected) => {
    expect(pagingParams(query, 100)).toEqual(expected);
  });
});

describe('RFC 7644 §3.12 error mapping', () => {
  it('maps domain errors to status strings and scimTypes', () => {
    expect(toScimError(new UniquenessError('taken'))).toEqual({
      status: 409,
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness', detail: 'taken' },
    });
    expect(toScimError(new InvalidFilterError('bad'))?.body.scimType).toBe('invalidFilter');
    expect(toScimError(new NotFoundError())?.body).not.toHaveProperty('scimType');
    expect(toScimError(new Error('boom'))).toBeUndefined();
  });
});

describe('tokens', () => {
  it('carry 256 random bits behind a recognisable prefix', () => {
    const a = generateToken();
    expect(a).toMatch(/^prv_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(4), 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(a);
    expect(displayPrefix(a)).toBe(a.slice(0, 12));
  });
  it('compare digests in constant time and only equal ones match', () => {
    expect(digestsEqual(hashToken('x'), hashToken('x'))).toBe(true);
    expect(digestsEqual(hashToken('x'), hashToken('y'))).toBe(false);
    expect(digestsEqual(hashToken('x'), 'abcd')).toBe(false);
  });
});

describe('slugify', () => {
  it.each([
    ['Acme', 'acme'],
    ['Société Générale', 'societe-generale'],
    ['  --Hello,   World!-- ', 'hello-world'],
    ['日本', 'tenant'],
  ])('%s -> %s', (name, slug) => expect(slugify(name)).toBe(slug));
});

describe('PatchOp body', () => {
  it('finds Operations case-insensitively and passes anything else through for validation', () => {
    expect(patchOperations({ operations: [1] })).toEqual([1]);
    expect(patchOperations({ Operations: [2] })).toEqual([2]);
    expect(patchOperations({ schemas: [] })).toBeUndefined();
    expect(patchOperations([3])).toEqual([3]);
  });
});
