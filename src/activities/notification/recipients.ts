import type { DirectoryService } from '../../domain/directory';
import type { SkippedRecipient } from './types';

/** A recipient as the node names it: a user, role or group of the directory, or a literal address. */
export interface RecipientSpec {
  type: 'user' | 'role' | 'group' | 'email';
  identifier: string;
}

/** The addresses email goes to, and the recipients that yield none. */
export interface ResolvedRecipients {
  /** Distinct addresses (case-insensitively), in the order the recipients name them. */
  addresses: string[];
  skipped: SkippedRecipient[];
}

// One address, nothing a header could be smuggled through (no spaces, commas, angle brackets).
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/** True when `text` is a single plain email address. */
export function isEmailAddress(text: string): boolean {
  return ADDRESS.test(text);
}

/**
 * Resolves recipients to email addresses through the directory. Notifications inform, they do
 * not ask for a decision, so delegation does not apply: an away user is told themself. Inactive
 * users are never told; users without an email, unknown ids and empty roles or groups are
 * reported as skipped.
 */
export async function resolveEmailRecipients(directory: DirectoryService, recipients: RecipientSpec[]): Promise<ResolvedRecipients> {
  const addresses = new Map<string, string>();
  const skipped: SkippedRecipient[] = [];
  const skip = (r: RecipientSpec, reason: string) => skipped.push({ channel: 'email', recipient: { type: r.type, identifier: r.identifier }, reason });
  const add = (address: string) => {
    const key = address.toLowerCase();
    if (!addresses.has(key)) addresses.set(key, address);
  };
  for (const r of recipients) {
    const identifier = r.identifier.trim();
    if (identifier === '') {
      skip(r, 'empty identifier');
      continue;
    }
    if (r.type === 'email') {
      if (isEmailAddress(identifier)) add(identifier);
      else skip(r, 'not an email address');
      continue;
    }
    const users = await directory.namedUsers({ type: r.type, identifier });
    if (users.length === 0) {
      skip(r, r.type === 'user' ? 'unknown user' : `no active users in ${r.type} ${identifier}`);
      continue;
    }
    for (const user of users) {
      if (!user.active) skip(r, `user ${user.id} is inactive`);
      else if (!user.email || !isEmailAddress(user.email)) skip({ type: 'user', identifier: user.id }, `user ${user.id} has no email address`);
      else add(user.email);
    }
  }
  return { addresses: [...addresses.values()], skipped };
}
