import { Migration } from '@mikro-orm/migrations';

/**
 * The GIN indexes that SCIM filters read (emails eq/co, userName/displayName co/sw/ew) keep a pending
 * list of at most 128 kB instead of PostgreSQL's default 4 MB (gin_pending_list_limit, in kB).
 *
 * A GIN index with fastupdate (the default) appends new entries to an unsorted pending list, merged
 * into the index only by VACUUM, by gin_clean_pending_list(), or by the writer that finds the list
 * over its limit. Every search of the index reads the whole pending list. Where nothing vacuums
 * (embedded PGlite has no autovacuum; a server may run with it off) the list grows to 4 MB, and every
 * user update adds to it (an update of `attributes` is never HOT: those indexes are on it). Measured
 * on 1M users: after 10,000 updated users the pending list of scim_user_emails_idx held 11,320 entries
 * and the work-email filter fell from 690-826 to 417-511 req/s; emptied, it went back to 821-826.
 * With a 128 kB limit, the same 10,000 updates left 751 entries and the filter ran at 714-845 req/s,
 * while POST /Users ran at 633-699 req/s against 537-692 with the default: the merges are small
 * enough to cost a writer nothing measurable.
 *
 * audit_entry's resource_ids index is left alone: a partitioned index takes no storage parameters,
 * and it is searched only by admin audit queries.
 */
const INDEXES = [
  'scim_user_emails_idx',
  'scim_user_emails_trgm_idx',
  'scim_user_username_trgm_idx',
  'scim_user_display_name_trgm_idx',
  'scim_group_display_name_trgm_idx',
];

export class Migration20261129090000 extends Migration {

  override async up(): Promise<void> {
    for (const index of INDEXES) this.addSql(`alter index "${index}" set (gin_pending_list_limit = 128);`);
  }

  override async down(): Promise<void> {
    for (const index of INDEXES) this.addSql(`alter index "${index}" reset (gin_pending_list_limit);`);
  }

}
