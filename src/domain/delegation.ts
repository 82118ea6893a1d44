/**
 * The rules of out-of-office delegation, pure: who decides in a named approver's place at a given
 * moment. approver-resolution.ts loads the users; approval code reaches these rules through
 * `DirectoryService.resolveApprovers` and `eligibleFor`.
 */

/**
 * How many delegation hops are followed from a named approver: A away → B away → C away → D
 * stops at D even if D is away too. Bounds the work and makes a long chain visible instead of
 * sending a decision ever further from the person it was meant for.
 */
export const MAX_DELEGATION_HOPS = 3;

/** The part of a user the delegation rules look at. */
export interface DelegationPerson {
  id: string;
  active: boolean;
  delegateTo: string | null;
  awayUntil: Date | null;
}

/** True while the user is out of office at `at` (`awayUntil` is exclusive: at that instant they are back). */
export function isAway(person: Pick<DelegationPerson, 'awayUntil'>, at: Date): boolean {
  return person.awayUntil !== null && person.awayUntil.getTime() > at.getTime();
}

/**
 * The delegate `person` hands over to at `at`: set only while they are away, and only to an
 * active user. An away user without a usable delegate keeps deciding themself (the decision
 * waits for them rather than going nowhere).
 */
export function delegateOf(person: DelegationPerson, at: Date, lookup: (id: string) => DelegationPerson | undefined): DelegationPerson | undefined {
  if (!isAway(person, at) || person.delegateTo === null) return undefined;
  const next = lookup(person.delegateTo);
  return next?.active ? next : undefined;
}

/**
 * Who decides for `named` at `at`: nobody when `named` is inactive; otherwise the end of the
 * delegation chain from `named`, followed at most {@link MAX_DELEGATION_HOPS} hops and never
 * back to someone already on it (A → B → A stops at B).
 *
 * @param lookup every user the chain may reach; a missing one ends the chain
 */
export function decider<P extends DelegationPerson>(named: P, at: Date, lookup: (id: string) => P | undefined): P | undefined {
  if (!named.active) return undefined;
  const seen = new Set([named.id]);
  let current = named;
  for (let hop = 0; hop < MAX_DELEGATION_HOPS; hop++) {
    const next = delegateOf(current, at, lookup) as P | undefined;
    if (!next || seen.has(next.id)) break;
    seen.add(next.id);
    current = next;
  }
  return current;
}
