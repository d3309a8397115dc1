import { attr, ResourceTypeDef } from '../../../src/domain/schema/attribute';
import { URN, userResourceType } from '../../../src/domain/schema/core-schemas';
import { applyProjection, parseProjection } from '../../../src/scim/projection';

/** RFC 7644 §3.4.2.5 with the RFC 7643 §2.2 `returned` characteristic, on a type with every kind. */
const X = 'urn:example:params:scim:schemas:extension:projection:2.0:User';
const rt: ResourceTypeDef = {
  ...userResourceType,
  extensions: [
    ...userResourceType.extensions,
    {
      required: false,
      schema: {
        id: X,
        name: 'Projection',
        description: 'returned characteristics',
        attributes: [
          attr('badge', 'string', { returned: 'always' }),
          attr('secretHint', 'string', { returned: 'never' }),
          attr('costCentre', 'string', { returned: 'request' }),
          attr('plain', 'string'),
        ],
      },
    },
  ],
};

const resource = () => ({
  schemas: [URN.user, X],
  id: 'u1',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [{ value: 'a@b.c', type: 'work' }, { value: 'd@e.f', type: 'home' }],
  [X]: { badge: 'B1', secretHint: 'never shown', costCentre: 'CC-9', plain: 'p' },
});

const project = (query: Record<string, string>) => applyProjection(resource(), rt, parseProjection(query));

describe('projection and returned', () => {
  it('without a projection drops "never" and "request" attributes, keeps the rest', () => {
    expect(project({})).toEqual({ ...resource(), [X]: { badge: 'B1', plain: 'p' } });
  });

  it('attributes keeps the listed paths plus id, schemas and "always" attributes', () => {
    expect(project({ attributes: 'name.givenName,emails.value' })).toEqual({
      schemas: [URN.user, X],
      id: 'u1',
      name: { givenName: 'Barbara' },
      emails: [{ value: 'a@b.c' }, { value: 'd@e.f' }],
      [X]: { badge: 'B1' },
    });
  });

  it('a "request" attribute is returned only when named; "never" not even then', () => {
    expect(project({ attributes: `${X}:costCentre,${X}:secretHint` })).toEqual({ schemas: [URN.user, X], id: 'u1', [X]: { badge: 'B1', costCentre: 'CC-9' } });
    expect(project({ attributes: X })[X]).toEqual({ badge: 'B1', plain: 'p' });
  });

  it('excludedAttributes cannot remove id, schemas or "always" attributes', () => {
    const out = project({ excludedAttributes: `id,schemas,userName,${X}:badge,${X}:plain,emails.type` });
    expect(out).toEqual({ schemas: [URN.user, X], id: 'u1', name: resource().name, emails: [{ value: 'a@b.c' }, { value: 'd@e.f' }], [X]: { badge: 'B1' } });
  });

  it('names are case-insensitive, URN-qualified core names work, unknown names are ignored', () => {
    expect(project({ attributes: `USERNAME,${URN.user}:name.FamilyName,nosuch` })).toEqual({
      schemas: [URN.user, X],
      id: 'u1',
      userName: 'bjensen',
      name: { familyName: 'Jensen' },
      [X]: { badge: 'B1' },
    });
  });
});
