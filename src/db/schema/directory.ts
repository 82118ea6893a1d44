/** The directory of approvers: users and groups. */
import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { ROLES, type Role } from '../../auth/roles';
import { tz, sqlList } from './columns';

/**
 * A person of the directory. `id` is the subject of their tokens (e.g. `alice`). Users are never
 * deleted, only deactivated: approvals and audit keep referring to them.
 */
export const users = pgTable(
  'users',
  {
    /** The JWT subject. */
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** Unique regardless of case when set. */
    email: text('email'),
    /** Directory roles (one of {@link ROLES} each), used to resolve approvers; token roles decide API permissions. */
    roles: text('roles')
      .array()
      .$type<Role[]>()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** An inactive user is never an approver, nor anyone's delegate. */
    active: boolean('active').notNull().default(true),
    /** Who decides in this user's place while they are away. */
    delegateTo: text('delegate_to').references((): AnyPgColumn => users.id),
    /** Out of office until this moment (exclusive); null when present. */
    awayUntil: timestamp('away_until', tz),
    createdAt: timestamp('created_at', tz).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_uq').on(sql`lower(${t.email})`),
    // GIN serves `roles @> array[…]`, the role filter and role resolution.
    index('users_roles_idx').using('gin', t.roles),
    check('users_roles_ck', sql`${t.roles} <@ array[${sqlList(ROLES)}]::text[]`),
    check('users_delegate_ck', sql`${t.delegateTo} <> ${t.id}`),
  ],
);

/** A named set of users, e.g. `finance-approvers`; `id` is a slug. */
export const groups = pgTable('groups', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description'),
  createdAt: timestamp('created_at', tz).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', tz).notNull().defaultNow(),
});

/** Membership of users in groups; deleting a group removes its memberships. */
export const groupMembers = pgTable(
  'group_members',
  {
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    addedAt: timestamp('added_at', tz).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('group_members_user_idx').on(t.userId)],
);

/** A stored directory user. */
export type User = typeof users.$inferSelect;
/** Values to insert a user. */
export type NewUser = typeof users.$inferInsert;
/** A stored group row (members are in `group_members`). */
export type Group = typeof groups.$inferSelect;
