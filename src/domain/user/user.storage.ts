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
  uuidColumns: { id: 'r.id' },
  // expression indexes of migration Migration20261124101009 (query indexes)
  indexedArrays: ['emails'],
};
