import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, printSchema, lexicographicSortSchema } from 'graphql';
import { adminSdl } from '../../src/graphql/schema';

const COMMITTED = path.join(__dirname, '../../schema/admin.graphql');

describe('schema/admin.graphql', () => {
  it('is exactly the SDL the code builds (run `npm run schema:emit` after changing the schema)', () => {
    const committed = fs.readFileSync(COMMITTED, 'utf8');
    expect(committed).toBe(adminSdl());
  });

  it('is valid SDL and names every root field of the admin API', () => {
    const schema = buildSchema(fs.readFileSync(COMMITTED, 'utf8'));
    expect(printSchema(lexicographicSortSchema(schema)) + '\n').toBe(adminSdl());
    expect(Object.keys(schema.getQueryType()!.getFields()).sort()).toEqual(['adminKeys', 'events', 'setupLink', 'stats', 'tenant', 'tenants', 'viewer']);
    expect(Object.keys(schema.getMutationType()!.getFields()).sort()).toEqual(
      [
        'completeSetupLink', 'createAdminKey', 'createScimConnection', 'createSetupLink', 'createTenant', 'defineAttribute', 'deleteScimConnection', 'deleteTenant',
        'disableScimConnection', 'discardHold', 'enableScimConnection', 'purgeUser', 'releaseHold', 'removeAttribute', 'restoreUser', 'revokeAdminKey',
        'revokeSetupLink', 'revokeToken', 'rotateToken', 'setTenantPhoneRegion', 'updateScimConnection', 'updateTenant',
      ],
    );
    for (const scalar of ['DateTime', 'JSON']) expect(schema.getType(scalar)).toBeDefined();
  });
});
