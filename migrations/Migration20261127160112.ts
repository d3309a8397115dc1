import { Migration } from '@mikro-orm/migrations';

/** User.events: a resource's own events, newest first, by index (one probe per daily partition). */
export class Migration20261127160112 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "event_outbox_subject_idx" on "event_outbox" ("tenant_id", "subject", "sequence") where "state" = 'ready';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "event_outbox_subject_idx";`);
  }

}
