/** Request schemas shared by the directory routers (`/users`, `/groups`, `/me`). */
import { z } from 'zod';
import { ROLES } from '../../auth/roles';
import { legacyOffset, pageParams } from '../pagination';

/** A user id is a token subject: letters, digits and `._@-`, starting with a letter or digit. */
export const userId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/, 'must be 1–128 letters, digits or ._@- starting with a letter or digit');

/** A group id is a lower-case slug such as `finance-approvers`. */
export const groupId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case slug of 1–64 characters (a-z, 0-9, _ and -)');

const name = z.string().trim().min(1).max(200);
const email = z.email().max(320);
/** Directory roles; repeats are dropped. */
const roles = z
  .array(z.enum(ROLES))
  .max(20)
  .transform((r) => [...new Set(r)]);

export const createUserBody = z.strictObject({
  id: userId,
  name,
  email: email.nullable().optional(),
  roles: roles.default([]),
  active: z.boolean().optional(),
});

export const updateUserBody = z
  .strictObject({ name: name.optional(), email: email.nullable().optional(), roles: roles.optional(), active: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, 'give at least one of name, email, roles, active');

export const listUsersQuery = z.object({
  ...pageParams(200, 50),
  ...legacyOffset,
  role: z.enum(ROLES).optional(),
  group: groupId.optional(),
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

/** The out-of-office of the user in the path; the body never names who is asking. */
export const outOfOfficeBody = z.strictObject({
  delegateTo: userId.nullable().default(null),
  awayUntil: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
});

export const createGroupBody = z.strictObject({
  id: groupId,
  name,
  description: z.string().max(2_000).nullable().optional(),
});

export const membersBody = z
  .strictObject({ add: z.array(userId).max(1_000).default([]), remove: z.array(userId).max(1_000).default([]) })
  .refine((b) => b.add.length + b.remove.length > 0, 'give at least one user to add or remove');
