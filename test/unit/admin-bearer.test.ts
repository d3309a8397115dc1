import { bearerToken } from '../../src/http/admin-bearer';

/** RFC 6750 §2.1: the one parser of admin-key headers, shared by /graphql and GET /events (review finding 8). */
describe('admin key Bearer header', () => {
  it.each([
    ['Bearer pra_abc', 'pra_abc'],
    ['bearer   pra_abc  ', 'pra_abc'],
    ['BEARER pra_abc', 'pra_abc'],
  ])('%j carries key %j', (header, key) => expect(bearerToken(header)).toBe(key));

  it.each([[''], ['Bearer'], ['Bearer '], ['Basic cHJhOng='], ['Bearer a b'], ['pra_abc']])('%j carries none', (header) => expect(bearerToken(header)).toBeUndefined());

  it('carries none without a header', () => expect(bearerToken(undefined)).toBeUndefined());
});
