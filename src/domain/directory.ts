import { isUniqueViolation } from '../db/errors';
import type { Principal } from '../auth/tokens';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import {
  changeGroupMembers,
  deleteGroup,
  findUserByEmail,
  getGroup,
  getUser,
  getUsers,
  insertGroup,
  insertUser,
  listGroupMembers,
  listGroups,
  listUsers,
  updateUser,
  type CreateGroupInput,
  type CreateUserInput,
  type ListUsersQuery,
  type UserPatch,
} from '../db/repositories/directory';
import { WeftError } from '../graph/errors';
import { eligibility, namedUsers, resolveApprovers, type ApproverSpec, type Eligibility, type ResolvedApprover } from './approver-resolution';
import { groupView, userView, type GroupView, type UserView } from './directory-views';
import { idPosition, pageFromRows, type CursorPage } from './pages';

/** The out-of-office a user declares: away until `awayUntil`, `delegateTo` deciding meanwhile (or nobody). */
export interface OutOfOffice {
  delegateTo: string | null;
  awayUntil: Date;
}

function userNotFound(id: string): WeftError {
  return new WeftError('USER_NOT_FOUND', `user ${id} does not exist`, { details: { userId: id } });
}

function groupNotFound(id: string): WeftError {
  return new WeftError('GROUP_NOT_FOUND', `group ${id} does not exist`, { details: { groupId: id } });
}

function isAdmin(principal: Principal): boolean {
  return principal.roles.includes('admin');
}

/**
 * The directory of approvers: users with roles, groups, out-of-office delegation, and the
 * resolution of an approver spec to the people who may decide at a given moment (the rules of
 * that in approver-resolution.ts and delegation.ts; the views in directory-views.ts).
 */
export class DirectoryService {
  /** @param clock "now" for views and out-of-office checks (tests may pin it) */
  constructor(
    private readonly db: WeftDb,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Adds a user; audited as `user.created`.
   * @throws WeftError USER_CONFLICT when the id or the email (case-insensitively) is taken
   */
  async createUser(input: CreateUserInput, ctx: AuditContext): Promise<UserView> {
    return this.db.transaction(async (tx) => {
      const row = await insertUser(tx, input);
      if (!row) {
        const byId = await getUser(tx, input.id);
        throw new WeftError('USER_CONFLICT', byId ? `user ${input.id} exists already` : `email ${input.email ?? ''} belongs to another user`, {
          details: { userId: input.id },
        });
      }
      const view = userView(row, this.clock());
      await appendAudit(tx, { ...ctx, action: 'user.created', resourceType: 'user', resourceId: row.id, details: { roles: row.roles }, after: view });
      return view;
    });
  }

  /** Users matching the filter, by id. */
  /** Users by id, a cursor page (or at `offset`). @throws WeftError INVALID_REQUEST for a foreign cursor */
  async listUsers(query: Omit<ListUsersQuery, 'after'> & { cursor?: string }): Promise<CursorPage<UserView> & { total: number }> {
    const after = idPosition('users', query.cursor, 'string');
    const rows = await listUsers(this.db, { ...query, limit: query.limit + 1, ...(after ? { after } : {}) });
    const page = pageFromRows(rows.items, query.limit, 'users', (u) => [u.id]);
    const now = this.clock();
    return { items: page.items.map((u) => userView(u, now)), nextCursor: page.nextCursor, total: rows.total };
  }

  /**
   * The user, active or not.
   * @throws WeftError USER_NOT_FOUND
   */
  async getUser(id: string): Promise<UserView> {
    const row = await getUser(this.db, id);
    if (!row) throw userNotFound(id);
    return userView(row, this.clock());
  }

  /**
   * Changes name, email, roles or active; audited as `user.updated` with the fields changed.
   * @throws WeftError USER_NOT_FOUND, USER_CONFLICT when the email belongs to another user
   */
  async updateUser(id: string, patch: Pick<UserPatch, 'name' | 'email' | 'roles' | 'active'>, ctx: AuditContext): Promise<UserView> {
    try {
      return await this.updateUserOnce(id, patch, ctx);
    } catch (err) {
      // The check below reads before it writes: a concurrent update can take the email in between.
      if (isUniqueViolation(err)) throw new WeftError('USER_CONFLICT', `email ${patch.email ?? ''} belongs to another user`, { details: { userId: id } });
      throw err;
    }
  }

  private updateUserOnce(id: string, patch: Pick<UserPatch, 'name' | 'email' | 'roles' | 'active'>, ctx: AuditContext): Promise<UserView> {
    return this.db.transaction(async (tx) => {
      const before = await getUser(tx, id);
      if (!before) throw userNotFound(id);
      if (patch.email) {
        const owner = await findUserByEmail(tx, patch.email);
        if (owner && owner.id !== id) throw new WeftError('USER_CONFLICT', `email ${patch.email} belongs to another user`, { details: { userId: id } });
      }
      const now = this.clock();
      const row = await updateUser(tx, id, { name: patch.name, email: patch.email, roles: patch.roles, active: patch.active }, now);
      if (!row) throw userNotFound(id);
      const view = userView(row, now);
      await appendAudit(tx, {
        ...ctx,
        action: 'user.updated',
        resourceType: 'user',
        resourceId: id,
        details: { fields: Object.keys(patch) },
        before: userView(before, now),
        after: view,
      });
      return view;
    });
  }

  /**
   * Deactivates a user (never deletes: approvals and audit keep referring to them). An inactive
   * user is no approver and no delegate. Audited as `user.deactivated`.
   * @throws WeftError USER_NOT_FOUND
   */
  async deactivateUser(id: string, ctx: AuditContext): Promise<UserView> {
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      const before = await getUser(tx, id);
      const row = await updateUser(tx, id, { active: false }, now);
      if (!before || !row) throw userNotFound(id);
      const view = userView(row, now);
      await appendAudit(tx, { ...ctx, action: 'user.deactivated', resourceType: 'user', resourceId: id, before: userView(before, now), after: view });
      return view;
    });
  }

  /**
   * Declares `userId` out of office. Only the user themself or an admin may; the delegate must
   * be another, active user. Audited as `user.out_of_office_set`.
   * @throws WeftError PERMISSION_DENIED, USER_NOT_FOUND, INVALID_REQUEST (`/awayUntil` not in the
   *   future, `/delegateTo` the user themself), VALIDATION_ERROR (`/delegateTo` unknown or inactive)
   */
  async setOutOfOffice(userId: string, ooo: OutOfOffice, principal: Principal, ctx: AuditContext = { actor: principal.sub }): Promise<UserView> {
    this.requireSelfOrAdmin(userId, principal);
    const now = this.clock();
    if (ooo.awayUntil.getTime() <= now.getTime()) {
      throw new WeftError('INVALID_REQUEST', 'awayUntil must lie in the future', {
        issues: [{ path: '/awayUntil', code: 'not_in_future', message: 'must lie in the future' }],
      });
    }
    if (ooo.delegateTo === userId) {
      throw new WeftError('INVALID_REQUEST', 'a user cannot delegate to themself', {
        issues: [{ path: '/delegateTo', code: 'self_delegation', message: 'must be another user' }],
      });
    }
    return this.db.transaction(async (tx) => {
      if (!(await getUser(tx, userId))) throw userNotFound(userId);
      if (ooo.delegateTo !== null) {
        const delegate = await getUser(tx, ooo.delegateTo);
        if (!delegate?.active) {
          throw new WeftError('VALIDATION_ERROR', `delegate ${ooo.delegateTo} is not an active user`, {
            issues: [{ path: '/delegateTo', code: delegate ? 'inactive_user' : 'unknown_user', message: `${ooo.delegateTo} is not an active user` }],
          });
        }
      }
      const before = await getUser(tx, userId);
      const row = await updateUser(tx, userId, { delegateTo: ooo.delegateTo, awayUntil: ooo.awayUntil }, now);
      if (!before || !row) throw userNotFound(userId);
      await appendAudit(tx, {
        ...ctx,
        action: 'user.out_of_office_set',
        resourceType: 'user',
        resourceId: userId,
        details: { delegateTo: ooo.delegateTo, awayUntil: ooo.awayUntil.toISOString() },
        before: { delegateTo: before.delegateTo, awayUntil: before.awayUntil },
        after: { delegateTo: row.delegateTo, awayUntil: row.awayUntil },
      });
      return userView(row, now);
    });
  }

  /**
   * Ends `userId`'s out-of-office now (the user themself or an admin); audited as
   * `user.out_of_office_cleared`.
   * @throws WeftError PERMISSION_DENIED, USER_NOT_FOUND
   */
  async clearOutOfOffice(userId: string, principal: Principal, ctx: AuditContext = { actor: principal.sub }): Promise<UserView> {
    this.requireSelfOrAdmin(userId, principal);
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      const before = await getUser(tx, userId);
      const row = await updateUser(tx, userId, { delegateTo: null, awayUntil: null }, now);
      if (!before || !row) throw userNotFound(userId);
      await appendAudit(tx, {
        ...ctx,
        action: 'user.out_of_office_cleared',
        resourceType: 'user',
        resourceId: userId,
        before: { delegateTo: before.delegateTo, awayUntil: before.awayUntil },
      });
      return userView(row, now);
    });
  }

  /**
   * Adds a group; audited as `group.created`.
   * @throws WeftError GROUP_CONFLICT when the id is taken
   */
  async createGroup(input: CreateGroupInput, ctx: AuditContext): Promise<GroupView> {
    return this.db.transaction(async (tx) => {
      const row = await insertGroup(tx, input);
      if (!row) throw new WeftError('GROUP_CONFLICT', `group ${input.id} exists already`, { details: { groupId: input.id } });
      const view = groupView(row, 0);
      await appendAudit(tx, { ...ctx, action: 'group.created', resourceType: 'group', resourceId: row.id, after: view });
      return view;
    });
  }

  /** Every group with its member count, by id. */
  async listGroups(): Promise<{ items: GroupView[] }> {
    return { items: (await listGroups(this.db)).map((g) => groupView(g, g.memberCount)) };
  }

  /**
   * The group with its members (inactive ones included, marked so).
   * @throws WeftError GROUP_NOT_FOUND
   */
  async getGroup(id: string): Promise<GroupView> {
    const row = await getGroup(this.db, id);
    if (!row) throw groupNotFound(id);
    const members = await listGroupMembers(this.db, id);
    const now = this.clock();
    return { ...groupView(row, members.length), members: members.map((m) => userView(m, now)) };
  }

  /**
   * Adds and removes members in one transaction; adding a member twice or removing a
   * non-member changes nothing. Audited as `group.members_changed`.
   * @throws WeftError GROUP_NOT_FOUND, VALIDATION_ERROR naming each unknown user as `/add/<index>`
   */
  async changeMembers(groupId: string, change: { add: string[]; remove: string[] }, ctx: AuditContext): Promise<GroupView> {
    await this.db.transaction(async (tx) => {
      if (!(await getGroup(tx, groupId))) throw groupNotFound(groupId);
      const known = new Set((await getUsers(tx, change.add)).map((u) => u.id));
      const issues = change.add.flatMap((id, i) => (known.has(id) ? [] : [{ path: `/add/${i}`, code: 'unknown_user', message: `user ${id} does not exist` }]));
      if (issues.length > 0) throw new WeftError('VALIDATION_ERROR', 'some users to add do not exist', { issues });
      const before = (await listGroupMembers(tx, groupId)).map((m) => m.id);
      await changeGroupMembers(tx, groupId, change, this.clock());
      const after = (await listGroupMembers(tx, groupId)).map((m) => m.id);
      await appendAudit(tx, {
        ...ctx,
        action: 'group.members_changed',
        resourceType: 'group',
        resourceId: groupId,
        details: { ...change },
        before: { members: before },
        after: { members: after },
      });
    });
    return this.getGroup(groupId);
  }

  /**
   * Deletes a group and its memberships (the users stay); audited as `group.deleted`. Approver
   * specs naming the group then resolve to nobody.
   * @throws WeftError GROUP_NOT_FOUND
   */
  async deleteGroup(id: string, ctx: AuditContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      const before = await getGroup(tx, id);
      const members = before ? (await listGroupMembers(tx, id)).map((m) => m.id) : [];
      if (!before || !(await deleteGroup(tx, id))) throw groupNotFound(id);
      await appendAudit(tx, {
        ...ctx,
        action: 'group.deleted',
        resourceType: 'group',
        resourceId: id,
        before: { ...groupView(before, members.length), members },
      });
    });
  }

  /**
   * The active users who may decide for `spec` at `at`, delegation followed (see
   * approver-resolution.ts). One entry per person, by id.
   *
   * @param db a transaction of the caller's, to resolve consistently with its other reads
   */
  resolveApprovers(spec: ApproverSpec, at: Date, db: WeftDb = this.db): Promise<ResolvedApprover[]> {
    return resolveApprovers(db, spec, at, this.clock);
  }

  /** The users `spec` names, without delegation: for notifications (see approver-resolution.ts). */
  namedUsers(spec: ApproverSpec): Promise<UserView[]> {
    return namedUsers(this.db, spec, this.clock());
  }

  /**
   * Whether `userId` may decide for `spec` at `at`: directly, or as the delegate of a named
   * approver who is away (then `onBehalfOf` names the first such approver by id).
   */
  async eligibleFor(userId: string, spec: ApproverSpec, at: Date, db: WeftDb = this.db): Promise<Eligibility> {
    return eligibility(await this.resolveApprovers(spec, at, db), userId);
  }

  private requireSelfOrAdmin(userId: string, principal: Principal): void {
    if (principal.sub !== userId && !isAdmin(principal)) {
      throw new WeftError('PERMISSION_DENIED', 'only the user themself or an admin may change their out-of-office');
    }
  }
}
