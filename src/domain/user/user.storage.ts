import type { ResourceStorage } from '../query/storage';

/** Where the filter compiler finds User attributes in the scim_user table (alias r). */
export const userStorage: ResourceStorage = {
  alias: 'r',
  documentColumn: 'attributes',
  columns: {
    id: 'r.id::text',
    username: 'r.user_name',
    externalid: 'r.external_id',
    displayname: 'r.display_name',
    active: 'r.active',
    'meta.created': 'r.created_at',
    'meta.lastmodified': 'r.updated_at',
    'meta.resourcetype': "'User'",
  },
  relations: {
    // User.groups (RFC 7643 §4.1.2) are group_member rows, so `groups[value eq "<group id>"]` is a join
    groups: {
      table: 'group_member',
      alias: 'ug',
      join: 'ug.member_id = r.id',
      subColumns: { value: 'ug.group_id::text', type: "'direct'" },
    },
  },
  uuidColumns: { id: 'r.id' },
  // expression indexes of migration Migration20261124101009 (query indexes)
  indexedArrays: ['emails'],
  // scim_user_pkey, scim_user_tenant_username_uq, scim_user_tenant_external_id_idx
  lookups: ['id', 'username', 'externalid'],
  // userName eq compares RFC 8265 keys (src/domain/user/username.ts), index scim_user_tenant_username_key_idx
  comparisonKeyColumns: { username: 'r.user_name_key' },
};
