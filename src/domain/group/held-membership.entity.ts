import { Entity, Index, ManyToOne, OptionalProps, PrimaryKeyProp, Property } from '@mikro-orm/core';
import { ScimUser } from '../user/user.entity';
import { ScimGroup } from './group.entity';

/**
 * A membership held while its user is deactivated by a DELETE under the `deactivate` delete
 * policy: out of group_member (so no SCIM read, filter or group write sees it), back in it when
 * the user is reactivated. Goes with its group (deleted) or its user (purged).
 */
@Entity({ tableName: 'held_membership' })
@Index({ name: 'held_membership_member_idx', properties: ['member'] })
export class HeldMembership {
  [PrimaryKeyProp]?: ['group', 'member'];
  [OptionalProps]?: 'createdAt';

  @ManyToOne(() => ScimGroup, { primary: true, deleteRule: 'cascade' })
  group!: ScimGroup;

  @ManyToOne(() => ScimUser, { primary: true, deleteRule: 'cascade' })
  member!: ScimUser;

  /** when the membership began (kept from group_member, so a reactivated member keeps it) */
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
