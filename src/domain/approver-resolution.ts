/**
 * Approver resolution: from an approver spec (a user, a role, a group) to the people who may
 * decide at a given moment, following out-of-office delegation (the rules are in ./delegation;
 * this module loads the users they need). DirectoryService offers these to its callers.
 */
import type { Role } from '../auth/tokens';
import type { WeftDb } from '../db/client';
import { getUser, getUsers, listActiveUsers } from '../db/repositories/directory';
import type { User } from '../db/schema';
import { decider, isAway, MAX_DELEGATION_HOPS } from './delegation';
import { userView, type UserView } from './directory-views';

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

/**
 * The active users who may decide for `spec` at `at`: each named user (the user, the holders
 * of the role, the members of the group) who is active, or — while they are away with an
 * active delegate — whoever the delegation chain leads to (see `decider` in ./delegation).
 * Inactive users are never approvers. Unknown users, roles and groups resolve to nobody; the
 * caller decides about fallbacks. One entry per person, by id.
 *
 * @param clock "now" for the views (whether each user is away right now)
 */
export async function resolveApprovers(db: WeftDb, spec: ApproverSpec, at: Date, clock: () => Date): Promise<ResolvedApprover[]> {
  const named = await loadNamed(db, spec);
  const known = await withDelegates(db, named, at);
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
  const now = clock();
  return [...byId.values()]
    .sort((a, b) => (a.user.id < b.user.id ? -1 : a.user.id > b.user.id ? 1 : 0))
    .map((e) => ({ user: userView(e.user, now), direct: e.direct, onBehalfOf: [...e.onBehalfOf].sort() }));
}

/**
 * The users `spec` names, without delegation: the user (active or not, so the caller can say
 * why nobody was told), the active holders of the role, the active members of the group. For
 * notifications, which inform rather than ask for a decision. Unknown ids resolve to nobody.
 */
export async function namedUsers(db: WeftDb, spec: ApproverSpec, now: Date): Promise<UserView[]> {
  return (await loadNamed(db, spec)).map((u) => userView(u, now));
}

/**
 * Whether `userId` is among the `resolved` approvers: directly, or as the delegate of a named
 * approver who is away (then `onBehalfOf` names the first such approver by id).
 */
export function eligibility(resolved: ResolvedApprover[], userId: string): Eligibility {
  const entry = resolved.find((a) => a.user.id === userId);
  if (!entry) return { eligible: false };
  return entry.direct ? { eligible: true } : { eligible: true, onBehalfOf: entry.onBehalfOf[0] };
}

async function loadNamed(db: WeftDb, spec: ApproverSpec): Promise<User[]> {
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
async function withDelegates(db: WeftDb, named: User[], at: Date): Promise<Map<string, User>> {
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
