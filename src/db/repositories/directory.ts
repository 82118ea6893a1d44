/**
 * The directory: users, groups and memberships. Rows only; the rules (who may delegate to whom,
 * how approvers are resolved) live in src/domain/directory.ts. Every function works on the
 * handle it is given, so it joins the caller's transaction.
 */
import { and, arrayContains, asc, eq, exists, inArray, sql, type SQL } from 'drizzle-orm';
import type { Role } from '../../auth/tokens';
import type { WeftDb } from '../client';
import { groupMembers, groups, users, type Group, type User } from '../schema';
import { keysetAfter, keysetOrderBy, type KeysetOrder, type Page, type PageRequest } from './page';

/** A new user; `active` defaults to true, out-of-office to none. */
export interface CreateUserInput {
  id: string;
  name: string;
  email?: string | null;
  roles?: Role[];
  active?: boolean;
}

/**
 * Inserts a user unless its id or email (case-insensitively) is taken. Uses `ON CONFLICT DO
 * NOTHING` rather than catching the unique violation, which would abort a caller's transaction.
 * @returns the stored row, or undefined when the id or the email is taken
 */
export async function insertUser(db: WeftDb, input: CreateUserInput): Promise<User | undefined> {
  const [row] = await db
    .insert(users)
    .values({ id: input.id, name: input.name, email: input.email ?? null, roles: input.roles ?? [], active: input.active ?? true })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** The user, or undefined when no user has this id (inactive users included). */
export async function getUser(db: WeftDb, id: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

/** The users of these ids that exist, in no particular order. */
export async function getUsers(db: WeftDb, ids: readonly string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(users)
    .where(inArray(users.id, [...ids]));
}

/** The user whose email matches case-insensitively, or undefined. */
export async function findUserByEmail(db: WeftDb, email: string): Promise<User | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`);
  return row;
}

/** Filter for {@link listUsers}; omitted fields match everyone. */
export interface ListUsersQuery extends PageRequest {
  /** Users holding this directory role. */
  role?: Role;
  /** Members of this group. */
  group?: string;
  active?: boolean;
}

const USER_ORDER: KeysetOrder = { table: users, id: users.id, direction: 'asc' };

/** Users matching the filter, by id (keyset after `query.after`), with the total matching. */
export async function listUsers(db: WeftDb, query: ListUsersQuery): Promise<Page<User>> {
  const where = and(...userConditions(db, query));
  const [items, total] = await Promise.all([
    db
      .select()
      .from(users)
      .where(and(where, keysetAfter(USER_ORDER, query.after)))
      .orderBy(...keysetOrderBy(USER_ORDER))
      .limit(query.limit)
      .offset(query.offset ?? 0),
    db.$count(users, where),
  ]);
  return { items, total };
}

/**
 * Every active user with the role, or in the group (no paging: an approval step needs all of
 * them). Unknown roles and groups simply match nobody.
 */
export async function listActiveUsers(db: WeftDb, filter: { role: Role } | { group: string }): Promise<User[]> {
  const conditions = userConditions(db, { ...filter, active: true });
  return db
    .select()
    .from(users)
    .where(and(...conditions))
    .orderBy(asc(users.id));
}

function userConditions(db: WeftDb, query: { role?: Role; group?: string; active?: boolean }): SQL[] {
  const conditions: SQL[] = [];
  if (query.role !== undefined) conditions.push(arrayContains(users.roles, [query.role]));
  if (query.active !== undefined) conditions.push(eq(users.active, query.active));
  if (query.group !== undefined) {
    const member = db
      .select({ one: sql`1` })
      .from(groupMembers)
      .where(and(eq(groupMembers.groupId, query.group), eq(groupMembers.userId, users.id)));
    conditions.push(exists(member));
  }
  return conditions;
}

/** Changes to a user; omitted fields stay as they are. */
export interface UserPatch {
  name?: string;
  email?: string | null;
  roles?: Role[];
  active?: boolean;
  delegateTo?: string | null;
  awayUntil?: Date | null;
}

/**
 * Updates a user and bumps `updated_at`.
 * @returns the updated row, or undefined when the user does not exist
 * @throws the driver's unique-violation error when the new email is taken (callers check first)
 */
export async function updateUser(db: WeftDb, id: string, patch: UserPatch, at: Date = new Date()): Promise<User | undefined> {
  const [row] = await db
    .update(users)
    .set({
      // Picked one by one so that a caller's extra properties can never reach the row.
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.email !== undefined ? { email: patch.email } : {}),
      ...(patch.roles !== undefined ? { roles: patch.roles } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      ...(patch.delegateTo !== undefined ? { delegateTo: patch.delegateTo } : {}),
      ...(patch.awayUntil !== undefined ? { awayUntil: patch.awayUntil } : {}),
      updatedAt: at,
    })
    .where(eq(users.id, id))
    .returning();
  return row;
}

/** A new group. */
export interface CreateGroupInput {
  /** Slug, e.g. `finance-approvers`. */
  id: string;
  name: string;
  description?: string | null;
}

/** Inserts a group; undefined when the id is taken (`ON CONFLICT DO NOTHING`, see {@link insertUser}). */
export async function insertGroup(db: WeftDb, input: CreateGroupInput): Promise<Group | undefined> {
  const [row] = await db
    .insert(groups)
    .values({ id: input.id, name: input.name, description: input.description ?? null })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** The group, or undefined. */
export async function getGroup(db: WeftDb, id: string): Promise<Group | undefined> {
  const [row] = await db.select().from(groups).where(eq(groups.id, id));
  return row;
}

/** Every group with its member count, by id. Groups are few, so no paging. */
export async function listGroups(db: WeftDb): Promise<Array<Group & { memberCount: number }>> {
  const rows = await db
    .select({ group: groups, memberCount: sql<number>`count(${groupMembers.userId})::int` })
    .from(groups)
    .leftJoin(groupMembers, eq(groupMembers.groupId, groups.id))
    .groupBy(groups.id)
    .orderBy(asc(groups.id));
  return rows.map((r) => ({ ...r.group, memberCount: Number(r.memberCount) }));
}

/** The members of a group (inactive users included), by id. */
export async function listGroupMembers(db: WeftDb, groupId: string): Promise<User[]> {
  const rows = await db
    .select({ user: users })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(eq(groupMembers.groupId, groupId))
    .orderBy(asc(users.id));
  return rows.map((r) => r.user);
}

/**
 * Adds and removes members; adding a member twice or removing a non-member does nothing.
 * Bumps the group's `updated_at`.
 * @throws the driver's foreign-key error when a user to add does not exist (callers check first)
 */
export async function changeGroupMembers(
  db: WeftDb,
  groupId: string,
  change: { add: readonly string[]; remove: readonly string[] },
  at: Date = new Date(),
): Promise<void> {
  if (change.add.length > 0) {
    await db
      .insert(groupMembers)
      .values(change.add.map((userId) => ({ groupId, userId, addedAt: at })))
      .onConflictDoNothing();
  }
  if (change.remove.length > 0) {
    await db.delete(groupMembers).where(and(eq(groupMembers.groupId, groupId), inArray(groupMembers.userId, [...change.remove])));
  }
  await db.update(groups).set({ updatedAt: at }).where(eq(groups.id, groupId));
}

/**
 * Deletes a group and its memberships (users stay).
 * @returns false when the group did not exist
 */
export async function deleteGroup(db: WeftDb, id: string): Promise<boolean> {
  const rows = await db.delete(groups).where(eq(groups.id, id)).returning({ id: groups.id });
  return rows.length > 0;
}
