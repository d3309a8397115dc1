import { attr, ResourceTypeDef } from '../../../src/domain/schema/attribute';
import { URN, userResourceType } from '../../../src/domain/schema/core-schemas';

/** A test extension with the types the core schemas lack: integer, decimal, dateTime, multi-valued simple. */
export const TEST_URN = 'urn:example:params:scim:schemas:extension:test:2.0:User';

/** The User resource type plus the test extension. */
export const testUserType: ResourceTypeDef = {
  ...userResourceType,
  extensions: [
    ...userResourceType.extensions,
    {
      required: false,
      schema: {
        id: TEST_URN,
        name: 'Test',
        description: 'test extension',
        attributes: [
          attr('level', 'integer'),
          attr('score', 'decimal'),
          attr('hired', 'dateTime'),
          attr('vip', 'boolean'),
          attr('tags', 'string', { multiValued: true }),
          attr('badge', 'string', { caseExact: true }),
        ],
      },
    },
  ],
};

/** RFC 7643 §8.2-like full User in wire form. */
export function bjensen(): Record<string, unknown> {
  return {
    schemas: [URN.user, URN.enterpriseUser],
    id: '2819c223-7f76-453a-919d-413861904646',
    externalId: 'Bjensen-01',
    userName: 'bjensen@example.com',
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: "O'Malley-Jensen", givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    title: 'Tour Guide',
    userType: 'Employee',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    ims: [{ value: 'someaimhandle', type: 'aim' }],
    [URN.enterpriseUser]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' } },
    [TEST_URN]: { level: 3, score: 2.5, hired: '2010-01-23T04:56:22.123Z', vip: false, tags: ['blue', 'Green'], badge: 'AbC' },
    meta: {
      resourceType: 'User',
      created: '2010-01-23T04:56:22.000Z',
      lastModified: '2011-05-13T04:42:34.000Z',
      location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
    },
  };
}
