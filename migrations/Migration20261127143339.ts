import { Migration } from '@mikro-orm/migrations';

export class Migration20261127143339 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "audit_entry" add column "bulk_id" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit_entry" drop column "bulk_id";`);
  }

}
