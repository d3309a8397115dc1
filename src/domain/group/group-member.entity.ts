import { Entity, Index, ManyToOne, OptionalProps, PrimaryKeyProp, Property } from '@mikro-orm/core';
import { ScimUser } from '../user/user.entity';
import { ScimGroup } from './group.entity';

/** One membership: a user (of the group's tenant) in a group. */
@Entity({ tableName: 'group_member' })
@Index({ name: 'group_member_member_idx', properties: ['member'] })
export class GroupMember {
  [PrimaryKeyProp]?: ['group', 'member'];
  [OptionalProps]?: 'createdAt';

  @ManyToOne(() => ScimGroup, { primary: true, deleteRule: 'cascade' })
  group!: ScimGroup;

  @ManyToOne(() => ScimUser, { primary: true, deleteRule: 'cascade' })
  member!: ScimUser;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
