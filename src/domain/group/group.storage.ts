import type { ResourceStorage } from '../query/storage';

/** Where the filter compiler finds Group attributes: scim_group (alias r) and group_member rows. */
export const groupStorage: ResourceStorage = {
  alias: 'r',
  documentColumn: 'attributes',
  columns: {
    id: 'r.id::text',
    displayname: 'r.display_name',
    externalid: 'r.external_id',
    'meta.created': 'r.created_at',
    'meta.lastmodified': 'r.updated_at',
    'meta.resourcetype': "'Group'",
  },
  uuidColumns: { id: 'r.id' },
  // scim_group_pkey, scim_group_tenant_display_name_uq, scim_group_tenant_external_id_idx
  lookups: ['id', 'displayname', 'externalid'],
  relations: {
    members: {
      table: 'group_member',
      alias: 'gm',
      join: 'gm.group_id = r.id',
      subColumns: { value: 'gm.member_id::text', type: "'User'" },
      uuidSubColumns: { value: 'gm.member_id' },
    },
  },
};
