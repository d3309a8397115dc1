import { Entity, OptionalProps, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { newId } from '../ids';
import { ScimConnection } from './scim-connection.entity';
import { Tenant } from '../tenant/tenant.entity';

/**
 * A bearer token (RFC 6750) of a SCIM connection. Only its SHA-256 is stored: the secret has 256
 * random bits, so a slow password hash adds nothing but latency to every request.
 */
@Entity({ tableName: 'scim_token' })
@Index({ name: 'scim_token_connection_idx', properties: ['connection'] })
export class ScimToken {
  [OptionalProps]?: 'createdAt' | 'lastUsedAt' | 'revokedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => ScimConnection, { deleteRule: 'cascade' })
  connection!: ScimConnection;

  /** Denormalised from the connection so that authentication is one indexed lookup. */
  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;

  /** The first characters of the token, shown in listings to recognise it. */
  @Property({ type: 'text' })
  prefix!: string;

  /** hex SHA-256 of the whole token. */
  @Property({ type: 'text' })
  @Unique({ name: 'scim_token_hash_uq' })
  hash!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;
}
