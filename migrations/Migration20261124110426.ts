import { Migration } from '@mikro-orm/migrations';

export class Migration20261124110426 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "scim_user_tenant_live_idx" on "scim_user" ("tenant_id") where "deleted_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "scim_user_tenant_live_idx";`);
  }

}
