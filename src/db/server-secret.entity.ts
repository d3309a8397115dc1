import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A secret shared by every server process on one database (e.g. the key that signs paging cursors,
 * RFC 9865), generated once by whichever process needs it first. Keeping it in the database, not in
 * a process, lets a cursor issued by one instance be read by any other.
 */
@Entity({ tableName: 'server_secret' })
export class ServerSecret {
  @PrimaryKey({ type: 'text' })
  name!: string;

  /** base64 of 32 random bytes */
  @Property({ type: 'text' })
  secret!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
