import { isUniqueViolation } from '../db/errors';
import type { Principal, Role } from '../auth/tokens';
import type { WeftDb } from '../db/client';
import { appendAudit } from '../db/repositories/audit';
import {
  changeGroupMembers,
  deleteGroup,
  findUserByEmail,
  getGroup,
  getUser,
  getUsers,
  insertGroup,
  insertUser,
  listActiveUsers,
  listGroupMembers,
  listGroups,
  listUsers,
  updateUser,
  type CreateGroupInput,
  type CreateUserInput,
  type ListUsersQuery,
  type UserPatch,
} from '../db/repositories/directory';
import type { Group, User } from '../db/schema';
import { WeftError } from '../graph/errors';
import { decider, isAway, MAX_DELEGATION_HOPS } from './delegation';

/** A user as the API shows it. */
export interface UserView {
  id: string;
  name: string;
  email: string | null;
  roles: Role[];
  active: boolean;
  /** Who decides in this user's place while away; null when nobody. */
  delegateTo: string | null;
  /** Out of office until then (exclusive); null when present. */
  awayUntil: Date | null;
  /** Whether `awayUntil` lies in the future right now. */
  away: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A group as the API shows it; `members` only on a single group's read. */
export interface GroupView {
  id: string;
  name: string;
  description: string | null;
  memberCount: number;
  members?: UserView[];
  createdAt: Date;
  updatedAt: Date;
}

/** Who may decide an approval step, as `001_*.txt` ApproverDefinition names them (without `dynamic`, which the approval code evaluates). */
export interface ApproverSpec {
  type: 'user' | 'role' | 'group';
  /** A user id, a role name or a group id. */
  identifier: string;
}

/** One person who may decide, and for whom they stand in. */
export interface ResolvedApprover {
  user: UserView;
  /** Named by the spec themself (they may also stand in for others). */
  direct: boolean;
  /** The named approvers, away at the time, whose decision this user makes; sorted. */
  onBehalfOf: string[];
}

/** Whether a user may decide for a spec, and for whom when only as a delegate. */
export interface Eligibility {
  eligible: boolean;
  /** Set when the user is eligible only as the delegate of this named approver. */
  onBehalfOf?: string;
}

/** The out-of-office a user declares: away until `awayUntil`, `delegateTo` deciding meanwhile (or nobody). */
export interface OutOfOffice {
  delegateTo: string | null;
  awayUntil: Date;
}

function userView(row: User, now: Date): UserView {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    roles: row.roles,
    active: row.active,
    delegateTo: row.delegateTo,
    awayUntil: row.awayUntil,
    away: isAway(row, now),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function groupView(row: Group, memberCount: number): GroupView {
  return { id: row.id, name: row.name, description: row.description, memberCount, createdAt: row.createdAt, updatedAt: row.updatedAt };
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
 * resolution of an approver spec to the people who may decide at a given moment.
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
  async createUser(input: CreateUserInput, actor: string): Promise<UserView> {
    return this.db.transaction(async (tx) => {
      const row = await insertUser(tx, input);
      if (!row) {
        const byId = await getUser(tx, input.id);
        throw new WeftError('USER_CONFLICT', byId ? `user ${input.id} exists already` : `email ${input.email ?? ''} belongs to another user`, {
          details: { userId: input.id },
        });
      }
      await appendAudit(tx, { actor, action: 'user.created', resourceType: 'user', resourceId: row.id, details: { roles: row.roles } });
      return userView(row, this.clock());
    });
  }

  /** Users matching the filter, by id. */
  async listUsers(query: ListUsersQuery): Promise<{ items: UserView[]; total: number }> {
    const page = await listUsers(this.db, query);
    const now = this.clock();
    return { total: page.total, items: page.items.map((u) => userView(u, now)) };
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
  async updateUser(id: string, patch: Pick<UserPatch, 'name' | 'email' | 'roles' | 'active'>, actor: string): Promise<UserView> {
    try {
      return await this.updateUserOnce(id, patch, actor);
    } catch (err) {
      // The check below reads before it writes: a concurrent update can take the email in between.
      if (isUniqueViolation(err)) throw new WeftError('USER_CONFLICT', `email ${patch.email ?? ''} belongs to another user`, { details: { userId: id } });
      throw err;
    }
  }

  private updateUserOnce(id: string, patch: Pick<UserPatch, 'name' | 'email' | 'roles' | 'active'>, actor: string): Promise<UserView> {
    return this.db.transaction(async (tx) => {
      if (!(await getUser(tx, id))) throw userNotFound(id);
      if (patch.email) {
        const owner = await findUserByEmail(tx, patch.email);
        if (owner && owner.id !== id) throw new WeftError('USER_CONFLICT', `email ${patch.email} belongs to another user`, { details: { userId: id } });
      }
      const now = this.clock();
      const row = await updateUser(tx, id, { name: patch.name, email: patch.email, roles: patch.roles, active: patch.active }, now);
      if (!row) throw userNotFound(id);
      await appendAudit(tx, { actor, action: 'user.updated', resourceType: 'user', resourceId: id, details: { fields: Object.keys(patch) } });
      return userView(row, now);
    });
  }

  /**
   * Deactivates a user (never deletes: approvals and audit keep referring to them). An inactive
   * user is no approver and no delegate. Audited as `user.deactivated`.
   * @throws WeftError USER_NOT_FOUND
   */
  async deactivateUser(id: string, actor: string): Promise<UserView> {
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      const row = await updateUser(tx, id, { active: false }, now);
      if (!row) throw userNotFound(id);
      await appendAudit(tx, { actor, action: 'user.deactivated', resourceType: 'user', resourceId: id });
      return userView(row, now);
    });
  }

  /**
   * Declares `userId` out of office. Only the user themself or an admin may; the delegate must
   * be another, active user. Audited as `user.out_of_office_set`.
   * @throws WeftError PERMISSION_DENIED, USER_NOT_FOUND, INVALID_REQUEST (`/awayUntil` not in the
   *   future, `/delegateTo` the user themself), VALIDATION_ERROR (`/delegateTo` unknown or inactive)
   */
  async setOutOfOffice(userId: string, ooo: OutOfOffice, principal: Principal): Promise<UserView> {
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
      const row = await updateUser(tx, userId, { delegateTo: ooo.delegateTo, awayUntil: ooo.awayUntil }, now);
      if (!row) throw userNotFound(userId);
      await appendAudit(tx, {
        actor: principal.sub,
        action: 'user.out_of_office_set',
        resourceType: 'user',
        resourceId: userId,
        details: { delegateTo: ooo.delegateTo, awayUntil: ooo.awayUntil.toISOString() },
      });
      return userView(row, now);
    });
  }

  /**
   * Ends `userId`'s out-of-office now (the user themself or an admin); audited as
   * `user.out_of_office_cleared`.
   * @throws WeftError PERMISSION_DENIED, USER_NOT_FOUND
   */
  async clearOutOfOffice(userId: string, principal: Principal): Promise<UserView> {
    this.requireSelfOrAdmin(userId, principal);
    return this.db.transaction(async (tx) => {
      const now = this.clock();
      const row = await updateUser(tx, userId, { delegateTo: null, awayUntil: null }, now);
      if (!row) throw userNotFound(userId);
      await appendAudit(tx, { actor: principal.sub, action: 'user.out_of_office_cleared', resourceType: 'user', resourceId: userId });
      return userView(row, now);
    });
  }

  /**
   * Adds a group; audited as `group.created`.
   * @throws WeftError GROUP_CONFLICT when the id is taken
   */
  async createGroup(input: CreateGroupInput, actor: string): Promise<GroupView> {
    return this.db.transaction(async (tx) => {
      const row = await insertGroup(tx, input);
      if (!row) throw new WeftError('GROUP_CONFLICT', `group ${input.id} exists already`, { details: { groupId: input.id } });
      await appendAudit(tx, { actor, action: 'group.created', resourceType: 'group', resourceId: row.id });
      return groupView(row, 0);
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
  async changeMembers(groupId: string, change: { add: string[]; remove: string[] }, actor: string): Promise<GroupView> {
    await this.db.transaction(async (tx) => {
      if (!(await getGroup(tx, groupId))) throw groupNotFound(groupId);
      const known = new Set((await getUsers(tx, change.add)).map((u) => u.id));
      const issues = change.add.flatMap((id, i) => (known.has(id) ? [] : [{ path: `/add/${i}`, code: 'unknown_user', message: `user ${id} does not exist` }]));
      if (issues.length > 0) throw new WeftError('VALIDATION_ERROR', 'some users to add do not exist', { issues });
      await changeGroupMembers(tx, groupId, change, this.clock());
      await appendAudit(tx, { actor, action: 'group.members_changed', resourceType: 'group', resourceId: groupId, details: { ...change } });
    });
    return this.getGroup(groupId);
  }

  /**
   * Deletes a group and its memberships (the users stay); audited as `group.deleted`. Approver
   * specs naming the group then resolve to nobody.
   * @throws WeftError GROUP_NOT_FOUND
   */
  async deleteGroup(id: string, actor: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await deleteGroup(tx, id))) throw groupNotFound(id);
      await appendAudit(tx, { actor, action: 'group.deleted', resourceType: 'group', resourceId: id });
    });
  }

  /**
   * The active users who may decide for `spec` at `at`: each named user (the user, the holders
   * of the role, the members of the group) who is active, or — while they are away with an
   * active delegate — whoever the delegation chain leads to (see `decider` in ./delegation).
   * Inactive users are never approvers. Unknown users, roles and groups resolve to nobody; the
   * caller decides about fallbacks. One entry per person, by id.
   *
   * @param db a transaction of the caller's, to resolve consistently with its other reads
   */
  async resolveApprovers(spec: ApproverSpec, at: Date, db: WeftDb = this.db): Promise<ResolvedApprover[]> {
    const named = await this.loadNamed(db, spec);
    const known = await this.withDelegates(db, named, at);
    const lookup = (id: string) => known.get(id);
    const byId = new Map<string, { user: User; direct: boolean; onBehalfOf: Set<string> }>();
    for (const person of named) {
      const who = decider(person, at, lookup);
      if (!who) continue;
      const entry = byId.get(who.id) ?? { user: who, direct: false, onBehalfOf: new Set<string>() };
      if (who.id === person.id) entry.direct = true;
      else entry.onBehalfOf.add(person.id);
      byId.set(who.id, entry);
    }
    const now = this.clock();
    return [...byId.values()]
      .sort((a, b) => (a.user.id < b.user.id ? -1 : a.user.id > b.user.id ? 1 : 0))
      .map((e) => ({ user: userView(e.user, now), direct: e.direct, onBehalfOf: [...e.onBehalfOf].sort() }));
  }

  /**
   * The users `spec` names, without delegation: the user (active or not, so the caller can say
   * why nobody was told), the active holders of the role, the active members of the group. For
   * notifications, which inform rather than ask for a decision. Unknown ids resolve to nobody.
   */
  async namedUsers(spec: ApproverSpec): Promise<UserView[]> {
    const now = this.clock();
    return (await this.loadNamed(this.db, spec)).map((u) => userView(u, now));
  }

  /**
   * Whether `userId` may decide for `spec` at `at`: directly, or as the delegate of a named
   * approver who is away (then `onBehalfOf` names the first such approver by id).
   */
  async eligibleFor(userId: string, spec: ApproverSpec, at: Date, db: WeftDb = this.db): Promise<Eligibility> {
    const entry = (await this.resolveApprovers(spec, at, db)).find((a) => a.user.id === userId);
    if (!entry) return { eligible: false };
    return entry.direct ? { eligible: true } : { eligible: true, onBehalfOf: entry.onBehalfOf[0] };
  }

  private async loadNamed(db: WeftDb, spec: ApproverSpec): Promise<User[]> {
    switch (spec.type) {
      case 'user': {
        const user = await getUser(db, spec.identifier);
        return user ? [user] : [];
      }
      case 'role':
        return listActiveUsers(db, { role: spec.identifier as Role });
      case 'group':
        return listActiveUsers(db, { group: spec.identifier });
    }
  }

  /**
   * The named users plus everyone their delegation chains may reach at `at`, loaded one hop per
   * query (so at most {@link MAX_DELEGATION_HOPS} queries, whatever the number of users).
   */
  private async withDelegates(db: WeftDb, named: User[], at: Date): Promise<Map<string, User>> {
    const known = new Map(named.map((u) => [u.id, u]));
    let frontier = named;
    for (let hop = 0; hop < MAX_DELEGATION_HOPS && frontier.length > 0; hop++) {
      const wanted = [...new Set(frontier.filter((u) => isAway(u, at) && u.delegateTo !== null).map((u) => u.delegateTo as string))].filter(
        (id) => !known.has(id),
      );
      frontier = await getUsers(db, wanted);
      for (const u of frontier) known.set(u.id, u);
    }
    return known;
  }

  private requireSelfOrAdmin(userId: string, principal: Principal): void {
    if (principal.sub !== userId && !isAdmin(principal)) {
      throw new WeftError('PERMISSION_DENIED', 'only the user themself or an admin may change their out-of-office');
    }
  }
}
