/**
 * The directory's repository and rules, written once and run against every driver (see the
 * `directory.*.test.ts` files): users, groups, out-of-office, and the resolution of approver specs
 * with delegation at a given time. Each test uses its own id prefix, so tests share one database
 * per file without cleaning up.
 */
import { rejectsWithCode } from '../../support/expect-weft-error';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Principal } from '../../../src/auth/tokens';
import { executeRows, getUser, listAudit, listUsers, updateUser, type Database, type WeftDb } from '../../../src/db';
import type { ResolvedApprover } from '../../../src/domain/approver-resolution';
import { DirectoryService } from '../../../src/domain/directory';

/** Opens the database under test (migrated) and says how to dispose of it. */
export type OpenForDirectorySuite = () => Promise<{ database: Database; dispose: () => Promise<void> }>;

const NOW = new Date('2030-01-01T00:00:00Z');
const day = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
const admin: Principal = { sub: 'root', roles: ['admin'] };

/** `[id, onBehalfOf…]` of each resolved approver, for compact expectations. */
function who(approvers: ResolvedApprover[]): string[][] {
  return approvers.map((a) => [a.user.id + (a.direct ? '' : '*'), ...a.onBehalfOf]);
}

/** Registers the directory suite under `describe(label)`. */
export function describeDirectorySuite(label: string, open: OpenForDirectorySuite): void {
  describe(label, () => {
    let dispose: () => Promise<void>;
    let db: WeftDb;
    let directory: DirectoryService;
    /** A fresh prefix per test keeps ids apart in the shared database. */
    let p: string;

    beforeAll(async () => {
      const opened = await open();
      db = opened.database.db;
      dispose = opened.dispose;
      directory = new DirectoryService(db, () => NOW);
    });

    afterAll(async () => {
      await dispose?.();
    });

    beforeEach(() => {
      p = `t${randomBytes(4).toString('hex')}-`;
    });

    async function user(id: string, extra: { roles?: ('approver' | 'manager' | 'viewer')[]; active?: boolean } = {}) {
      return directory.createUser({ id: p + id, name: id, email: `${p}${id}@example.test`, roles: extra.roles ?? ['approver'], active: extra.active }, { actor: 'root' });
    }

    /** Sets out-of-office directly (any dates, bypassing the "in the future" rule of the service). */
    async function away(id: string, until: Date, delegateTo: string | null) {
      await updateUser(db, p + id, { awayUntil: until, delegateTo: delegateTo === null ? null : p + delegateTo });
    }

    const strip = (rows: string[][]) => rows.map((r) => r.map((id) => id.replace(p, '')));

    describe('users', () => {
      it('creates, reads, updates and deactivates a user, auditing each write', async () => {
        const created = await user('alice', { roles: ['approver', 'manager'] });
        expect(created).toMatchObject({ id: p + 'alice', active: true, roles: ['approver', 'manager'], delegateTo: null, awayUntil: null, away: false });
        const updated = await directory.updateUser(p + 'alice', { name: 'Alice A.', roles: ['viewer'] }, { actor: 'root' });
        expect(updated).toMatchObject({ name: 'Alice A.', roles: ['viewer'], email: `${p}alice@example.test` });
        const deactivated = await directory.deactivateUser(p + 'alice', { actor: 'root' });
        expect(deactivated.active).toBe(false);
        // Deactivated, never deleted: still readable.
        expect((await directory.getUser(p + 'alice')).name).toBe('Alice A.');
        const actions = (await listAudit(db, { resourceType: 'user', resourceId: p + 'alice', limit: 10 })).map((e) => [e.actor, e.action]);
        expect(actions).toEqual([
          ['root', 'user.deactivated'],
          ['root', 'user.updated'],
          ['root', 'user.created'],
        ]);
      });

      it('refuses a taken id and a taken email (case-insensitively), also on update', async () => {
        await user('alice');
        await user('bob');
        await rejectsWithCode(user('alice'), 'USER_CONFLICT');
        await rejectsWithCode(directory.createUser({ id: p + 'carol', name: 'c', email: `${p}ALICE@example.test` }, { actor: 'root' }), 'USER_CONFLICT');
        await rejectsWithCode(directory.updateUser(p + 'bob', { email: `${p}Alice@Example.test` }, { actor: 'root' }), 'USER_CONFLICT');
        // Keeping one's own email is no conflict.
        await expect(directory.updateUser(p + 'bob', { email: `${p}bob@example.test` }, { actor: 'root' })).resolves.toMatchObject({ id: p + 'bob' });
        expect(await getUser(db, p + 'carol')).toBeUndefined();
      });

      it('two concurrent updates to the same new email: exactly one wins, the other is USER_CONFLICT', async () => {
        for (let round = 0; round < 5; round++) {
          await user(`racer${round}a`);
          await user(`racer${round}b`);
          const email = `${p}taken${round}@example.test`;
          const results = await Promise.allSettled([
            directory.updateUser(`${p}racer${round}a`, { email }, { actor: 'root' }),
            directory.updateUser(`${p}racer${round}b`, { email }, { actor: 'root' }),
          ]);
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
          const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
          expect((lost.reason as { code?: string }).code).toBe('USER_CONFLICT');
        }
      });

      it('answers USER_NOT_FOUND for unknown users', async () => {
        await rejectsWithCode(directory.getUser(p + 'nobody'), 'USER_NOT_FOUND');
        await rejectsWithCode(directory.updateUser(p + 'nobody', { name: 'x' }, { actor: 'root' }), 'USER_NOT_FOUND');
        await rejectsWithCode(directory.deactivateUser(p + 'nobody', { actor: 'root' }), 'USER_NOT_FOUND');
      });

      it('the database refuses roles outside the known set and self-delegation', async () => {
        await user('alice');
        await expect(db.execute(sql`update users set roles = array['approver', 'king']::text[] where id = ${p + 'alice'}`)).rejects.toThrow();
        await expect(db.execute(sql`update users set delegate_to = id where id = ${p + 'alice'}`)).rejects.toThrow();
      });

      it('lists by role, group and active flag', async () => {
        await user('a', { roles: ['manager'] });
        await user('b', { roles: ['approver', 'manager'] });
        await user('c', { roles: ['manager'], active: false });
        await user('d', { roles: ['viewer'] });
        await directory.createGroup({ id: p + 'g', name: 'G' }, { actor: 'root' });
        await directory.changeMembers(p + 'g', { add: [p + 'b', p + 'c', p + 'd'], remove: [] }, { actor: 'root' });
        const ids = async (q: Parameters<typeof listUsers>[1]) =>
          (await listUsers(db, q)).items.map((u) => u.id.replace(p, '')).filter((id) => id.length === 1);
        const page = { limit: 200, offset: 0 };
        expect(await ids({ ...page, role: 'manager', group: p + 'g' })).toEqual(['b', 'c']);
        expect(await ids({ ...page, role: 'manager', group: p + 'g', active: true })).toEqual(['b']);
        expect(await ids({ ...page, group: p + 'g', active: false })).toEqual(['c']);
        const viaService = await directory.listUsers({ ...page, group: p + 'g' });
        expect(viaService.total).toBe(3);
      });
    });

    describe('out of office', () => {
      it('the user themself or an admin may set it; anyone else may not', async () => {
        await user('alice');
        await user('bob');
        const self: Principal = { sub: p + 'alice', roles: ['approver'] };
        const set = await directory.setOutOfOffice(p + 'alice', { delegateTo: p + 'bob', awayUntil: day(7) }, self);
        expect(set).toMatchObject({ delegateTo: p + 'bob', awayUntil: day(7), away: true });
        await rejectsWithCode(
          directory.setOutOfOffice(p + 'alice', { delegateTo: null, awayUntil: day(3) }, { sub: p + 'bob', roles: ['manager'] }),
          'PERMISSION_DENIED',
        );
        await rejectsWithCode(directory.clearOutOfOffice(p + 'alice', { sub: p + 'bob', roles: ['approver'] }), 'PERMISSION_DENIED');
        const cleared = await directory.clearOutOfOffice(p + 'alice', admin);
        expect(cleared).toMatchObject({ delegateTo: null, awayUntil: null, away: false });
        const entries = await listAudit(db, { resourceId: p + 'alice', action: 'user.out_of_office_set', limit: 5 });
        expect(entries[0]).toMatchObject({ actor: p + 'alice', details: { delegateTo: p + 'bob', awayUntil: day(7).toISOString() } });
      });

      it('refuses a past awayUntil, self-delegation, and an unknown or inactive delegate, with paths', async () => {
        await user('alice');
        await user('gone', { active: false });
        expect(
          (await rejectsWithCode(directory.setOutOfOffice(p + 'alice', { delegateTo: null, awayUntil: NOW }, admin), 'INVALID_REQUEST')).issues[0]?.path,
        ).toBe('/awayUntil');
        expect(
          (await rejectsWithCode(directory.setOutOfOffice(p + 'alice', { delegateTo: p + 'alice', awayUntil: day(1) }, admin), 'INVALID_REQUEST')).issues[0]
            ?.path,
        ).toBe('/delegateTo');
        expect(
          (await rejectsWithCode(directory.setOutOfOffice(p + 'alice', { delegateTo: p + 'ghost', awayUntil: day(1) }, admin), 'VALIDATION_ERROR')).issues[0]
            ?.path,
        ).toBe('/delegateTo');
        await rejectsWithCode(directory.setOutOfOffice(p + 'alice', { delegateTo: p + 'gone', awayUntil: day(1) }, admin), 'VALIDATION_ERROR');
        await rejectsWithCode(directory.setOutOfOffice(p + 'ghost', { delegateTo: null, awayUntil: day(1) }, admin), 'USER_NOT_FOUND');
        expect((await directory.getUser(p + 'alice')).awayUntil).toBeNull();
      });
    });

    describe('groups', () => {
      it('creates a group, changes members idempotently, refuses unknown users by path, deletes it', async () => {
        await user('a');
        await user('b');
        const g = p + 'team';
        expect(await directory.createGroup({ id: g, name: 'Team', description: 'd' }, { actor: 'root' })).toMatchObject({ id: g, memberCount: 0 });
        await rejectsWithCode(directory.createGroup({ id: g, name: 'again' }, { actor: 'root' }), 'GROUP_CONFLICT');
        await directory.changeMembers(g, { add: [p + 'a', p + 'b', p + 'a'], remove: [] }, { actor: 'root' });
        const twice = await directory.changeMembers(g, { add: [p + 'a'], remove: [p + 'b', p + 'zed'] }, { actor: 'root' });
        expect(twice.members?.map((m) => m.id)).toEqual([p + 'a']);
        const err = await rejectsWithCode(directory.changeMembers(g, { add: [p + 'b', p + 'ghost'], remove: [] }, { actor: 'root' }), 'VALIDATION_ERROR');
        expect(err.issues.map((i) => i.path)).toEqual(['/add/1']);
        // Refused as a whole: b was not added either.
        expect((await directory.getGroup(g)).memberCount).toBe(1);
        expect((await directory.listGroups()).items.find((x) => x.id === g)).toMatchObject({ memberCount: 1 });
        await directory.deleteGroup(g, { actor: 'root' });
        await rejectsWithCode(directory.getGroup(g), 'GROUP_NOT_FOUND');
        await rejectsWithCode(directory.deleteGroup(g, { actor: 'root' }), 'GROUP_NOT_FOUND');
        await rejectsWithCode(directory.changeMembers(g, { add: [], remove: [p + 'a'] }, { actor: 'root' }), 'GROUP_NOT_FOUND');
        const rows = await executeRows(db, sql`select 1 from group_members where group_id = ${g}`);
        expect(rows).toHaveLength(0);
        expect((await directory.getUser(p + 'a')).active).toBe(true);
      });
    });

    describe('resolveApprovers', () => {
      const resolve = async (type: 'user' | 'group', identifier: string, at: Date) =>
        strip(who(await directory.resolveApprovers({ type, identifier: p + identifier }, at)));

      it('a user resolves to themself when present, and never when inactive or unknown', async () => {
        await user('alice');
        await user('gone', { active: false });
        expect(await resolve('user', 'alice', NOW)).toEqual([['alice']]);
        expect(await resolve('user', 'gone', NOW)).toEqual([]);
        expect(await resolve('user', 'ghost', NOW)).toEqual([]);
      });

      it('delegation applies before awayUntil and not from awayUntil on', async () => {
        await user('alice');
        await user('bob');
        await away('alice', day(10), 'bob');
        expect(await resolve('user', 'alice', day(9))).toEqual([['bob*', 'alice']]);
        expect(await resolve('user', 'alice', day(10))).toEqual([['alice']]);
        expect(await resolve('user', 'alice', day(11))).toEqual([['alice']]);
        expect(await directory.eligibleFor(p + 'bob', { type: 'user', identifier: p + 'alice' }, day(9))).toEqual({ eligible: true, onBehalfOf: p + 'alice' });
        expect(await directory.eligibleFor(p + 'alice', { type: 'user', identifier: p + 'alice' }, day(9))).toEqual({ eligible: false });
        expect(await directory.eligibleFor(p + 'alice', { type: 'user', identifier: p + 'alice' }, day(10))).toEqual({ eligible: true });
        expect(await directory.eligibleFor(p + 'bob', { type: 'user', identifier: p + 'alice' }, day(10))).toEqual({ eligible: false });
      });

      it('an away user without a usable delegate keeps deciding; an inactive delegate is skipped', async () => {
        await user('alice');
        await user('bob');
        await user('carol');
        await away('alice', day(10), null);
        expect(await resolve('user', 'alice', day(1))).toEqual([['alice']]);
        await away('bob', day(10), 'carol');
        await directory.deactivateUser(p + 'carol', { actor: 'root' });
        expect(await resolve('user', 'bob', day(1))).toEqual([['bob']]);
      });

      it('follows a chain at most 3 hops', async () => {
        for (const id of ['a', 'b', 'c', 'd', 'e']) await user(id);
        await away('a', day(5), 'b');
        await away('b', day(5), 'c');
        await away('c', day(5), 'd');
        await away('d', day(5), 'e');
        expect(await resolve('user', 'a', day(1))).toEqual([['d*', 'a']]);
        expect(await resolve('user', 'b', day(1))).toEqual([['e*', 'b']]);
        // c is back on day 3 while the others are still away: the chain stops at c.
        await away('c', day(3), 'd');
        expect(await resolve('user', 'a', day(4))).toEqual([['c*', 'a']]);
      });

      it('never loops on a cycle', async () => {
        await user('x');
        await user('y');
        await user('z');
        await away('x', day(5), 'y');
        await away('y', day(5), 'z');
        await away('z', day(5), 'x');
        expect(await resolve('user', 'x', day(1))).toEqual([['z*', 'x']]);
        await directory.createGroup({ id: p + 'ring', name: 'ring' }, { actor: 'root' });
        await directory.changeMembers(p + 'ring', { add: [p + 'x', p + 'y'], remove: [] }, { actor: 'root' });
        // x → y → z; y → z → x: each stands in for someone, nobody twice.
        expect(await resolve('group', 'ring', day(1))).toEqual([
          ['x*', 'y'],
          ['z*', 'x'],
        ]);
      });

      it('a role resolves to its active holders, with delegates for the away ones, one entry per person', async () => {
        await user('m1', { roles: ['manager'] });
        await user('m2', { roles: ['manager', 'approver'] });
        await user('m3', { roles: ['manager'], active: false });
        await user('v', { roles: ['viewer'] });
        await away('m1', day(2), 'm2');
        const managers = async (at: Date) =>
          strip(who(await directory.resolveApprovers({ type: 'role', identifier: 'manager' }, at))).filter(
            (r) => r.every((id) => /^m\d\*?$/.test(id)) && r.length > 0,
          );
        expect(await managers(day(1))).toEqual([['m2', 'm1']]);
        expect(await managers(day(3))).toEqual([['m1'], ['m2']]);
        const resolved = await directory.resolveApprovers({ type: 'role', identifier: 'manager' }, day(1));
        expect(resolved.find((r) => r.user.id === p + 'm2')).toMatchObject({ direct: true, onBehalfOf: [p + 'm1'] });
        expect(await directory.eligibleFor(p + 'm2', { type: 'role', identifier: 'manager' }, day(1))).toEqual({ eligible: true });
        expect(await directory.eligibleFor(p + 'm3', { type: 'role', identifier: 'manager' }, day(1))).toEqual({ eligible: false });
        expect(await directory.eligibleFor(p + 'v', { type: 'role', identifier: 'manager' }, day(1))).toEqual({ eligible: false });
        expect(await directory.resolveApprovers({ type: 'role', identifier: 'emperor' }, day(1))).toEqual([]);
      });

      it('a group resolves to its active members; a delegate outside the group stands in; unknown groups to nobody', async () => {
        await user('g1');
        await user('g2');
        await user('g3', { active: false });
        await user('out', { roles: ['viewer'] });
        await directory.createGroup({ id: p + 'fin', name: 'Finance' }, { actor: 'root' });
        await directory.changeMembers(p + 'fin', { add: [p + 'g1', p + 'g2', p + 'g3'], remove: [] }, { actor: 'root' });
        expect(await resolve('group', 'fin', NOW)).toEqual([['g1'], ['g2']]);
        await away('g2', day(2), 'out');
        expect(await resolve('group', 'fin', day(1))).toEqual([['g1'], ['out*', 'g2']]);
        expect(await directory.eligibleFor(p + 'out', { type: 'group', identifier: p + 'fin' }, day(1))).toEqual({ eligible: true, onBehalfOf: p + 'g2' });
        expect(await resolve('group', 'nothing', NOW)).toEqual([]);
      });
    });
  });
}
