import { patchAnswersNoContent, resolveIdpProfile } from '../../src/scim/idp-profile';

/** One rule decides 204 vs 200 for PATCH, inside and outside /Bulk (review finding 14). */
describe('RFC 7644 §3.5.2 PATCH answer: 204 or 200', () => {
  const users = { rt: { name: 'User' }, patchNoContent: false };
  const groups = { rt: { name: 'Group' }, patchNoContent: true };

  it("follows the request's IdP profile when there is one, over the endpoint's default", () => {
    const entra = resolveIdpProfile('entra', {});
    expect([patchAnswersNoContent(entra, groups), patchAnswersNoContent(entra, users)]).toEqual([true, false]);
    const custom = { ...resolveIdpProfile('okta', {}), patchNoContent: ['User'] };
    expect([patchAnswersNoContent(custom, groups), patchAnswersNoContent(custom, users)]).toEqual([false, true]);
  });

  it("falls back to the endpoint's default without a profile", () => {
    expect([patchAnswersNoContent(undefined, groups), patchAnswersNoContent(undefined, users)]).toEqual([true, false]);
  });
});
