/** How the directory shows users and groups, and the shapes its callers pass and get back. */
import type { Role } from '../auth/tokens';
import type { Group, User } from '../db/schema';
import { WeftError } from '../graph/errors';
import { isAway } from './delegation';

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

export function userView(row: User, now: Date): UserView {
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

export function groupView(row: Group, memberCount: number): GroupView {
  return { id: row.id, name: row.name, description: row.description, memberCount, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

export function userNotFound(id: string): WeftError {
  return new WeftError('USER_NOT_FOUND', `user ${id} does not exist`, { details: { userId: id } });
}

export function groupNotFound(id: string): WeftError {
  return new WeftError('GROUP_NOT_FOUND', `group ${id} does not exist`, { details: { groupId: id } });
}

