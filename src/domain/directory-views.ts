/**
 * Users and groups as the API and the approval code see them: the rows without what only the
 * database needs, with whether a user is away right now.
 */
import type { Group, User } from '../db/schema';
import type { Role } from '../auth/tokens';
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

/** The view of a user row; `now` decides whether they are away. */
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

/** The view of a group row with its member count. */
export function groupView(row: Group, memberCount: number): GroupView {
  return { id: row.id, name: row.name, description: row.description, memberCount, createdAt: row.createdAt, updatedAt: row.updatedAt };
}
