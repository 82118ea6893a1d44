/**
 * The directory over real HTTP on a real database: users, groups, `/me`, out-of-office, and the
 * API's rules (admin-only writes, validation paths, 404s, nobody else's out-of-office).
 */
import { listAudit } from '../../src/db';
import { startTestWeft, type TestWeft } from '../support/harness';

let t: TestWeft;
let vera: string;
let alice: string;

beforeAll(async () => {
  t = await startTestWeft({ worker: false });
  vera = t.token(['viewer'], 'vera');
  alice = t.token(['approver'], 'alice');
});

afterAll(async () => {
  await t?.stop();
});

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
const paths = (body: any) => (body.errors ?? []).map((e: { path: string }) => e.path);

test('an admin creates, reads, lists, updates and deactivates users; every write is audited', async () => {
  const created = await t.api('POST', '/api/v1/users', { id: 'alice', name: 'Alice', email: 'alice@example.test', roles: ['approver', 'manager'] });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe('/api/v1/users/alice');
  expect(created.body).toMatchObject({ id: 'alice', name: 'Alice', roles: ['approver', 'manager'], active: true, away: false, delegateTo: null });
  expect((await t.api('POST', '/api/v1/users', { id: 'bob', name: 'Bob', roles: ['manager'] })).status).toBe(201);
  expect((await t.api('POST', '/api/v1/users', { id: 'vera', name: 'Vera', roles: ['viewer'] })).status).toBe(201);

  expect((await t.api('GET', '/api/v1/users/alice', undefined, { token: vera })).body).toMatchObject({ id: 'alice', email: 'alice@example.test' });
  const managers = await t.api('GET', '/api/v1/users?role=manager', undefined, { token: vera });
  expect(managers.status).toBe(200);
  expect(managers.body.items.map((u: any) => u.id)).toEqual(['alice', 'bob']);
  expect(managers.body.total).toBe(2);

  const updated = await t.api('PUT', '/api/v1/users/bob', { name: 'Robert', roles: ['manager', 'approver'] });
  expect(updated.status).toBe(200);
  expect(updated.body).toMatchObject({ name: 'Robert', roles: ['manager', 'approver'] });

  const deleted = await t.api('DELETE', '/api/v1/users/bob');
  expect(deleted.status).toBe(200);
  expect(deleted.body.active).toBe(false);
  expect((await t.api('GET', '/api/v1/users/bob')).body.active).toBe(false);
  expect((await t.api('GET', '/api/v1/users?role=manager&active=true')).body.items.map((u: any) => u.id)).toEqual(['alice']);
  expect((await t.api('GET', '/api/v1/users?active=false')).body.items.map((u: any) => u.id)).toEqual(['bob']);
  // Reactivating goes through PUT.
  expect((await t.api('PUT', '/api/v1/users/bob', { active: true })).body.active).toBe(true);

  const audit = await listAudit(t.weft.database.db, { resourceType: 'user', resourceId: 'bob', limit: 10 });
  expect(audit.map((e) => [e.actor, e.action])).toEqual([
    ['admin-user', 'user.updated'],
    ['admin-user', 'user.deactivated'],
    ['admin-user', 'user.updated'],
    ['admin-user', 'user.created'],
  ]);
});

test('conflicts are 409 USER_CONFLICT', async () => {
  const again = await t.api('POST', '/api/v1/users', { id: 'alice', name: 'Another Alice' });
  expect(again.status).toBe(409);
  expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(again.body.code).toBe('USER_CONFLICT');
  const sameEmail = await t.api('POST', '/api/v1/users', { id: 'alice2', name: 'A2', email: 'ALICE@example.test' });
  expect(sameEmail.status).toBe(409);
  expect(sameEmail.body.code).toBe('USER_CONFLICT');
});

test('bad bodies and queries are 400 INVALID_REQUEST with every JSON path', async () => {
  const bad = await t.api('POST', '/api/v1/users', { id: 'has space', name: '', email: 'not-an-email', roles: ['approver', 'king'], extra: 1 });
  expect(bad.status).toBe(400);
  expect(bad.body.code).toBe('INVALID_REQUEST');
  expect(paths(bad.body)).toEqual(expect.arrayContaining(['/id', '/name', '/email', '/roles/1', '/extra']));
  const emptyPut = await t.api('PUT', '/api/v1/users/alice', {});
  expect(emptyPut.status).toBe(400);
  const badQuery = await t.api('GET', '/api/v1/users?role=king&active=maybe');
  expect(badQuery.status).toBe(400);
  expect(paths(badQuery.body)).toEqual(expect.arrayContaining(['/role', '/active']));
  const badOoo = await t.api('PUT', '/api/v1/users/alice/out-of-office', { delegateTo: 'bob', awayUntil: 'tomorrow' });
  expect(badOoo.status).toBe(400);
  expect(paths(badOoo.body)).toEqual(['/awayUntil']);
  const badMembers = await t.api('PUT', '/api/v1/groups/nope/members', { add: 'alice' });
  expect(badMembers.status).toBe(400);
  expect(paths(badMembers.body)).toEqual(['/add']);
});

test('writes need admin: 403 PERMISSION_DENIED for other roles, reads are open to any role', async () => {
  const attempts: [string, string, unknown][] = [
    ['POST', '/api/v1/users', { id: 'mallory', name: 'M' }],
    ['PUT', '/api/v1/users/alice', { roles: ['admin'] }],
    ['DELETE', '/api/v1/users/alice', undefined],
    ['POST', '/api/v1/groups', { id: 'g', name: 'G' }],
    ['PUT', '/api/v1/groups/g/members', { add: ['vera'] }],
    ['DELETE', '/api/v1/groups/g', undefined],
  ];
  for (const [method, path, body] of attempts) {
    const res = await t.api(method, path, body, { token: t.token(['manager', 'approver', 'technical_lead', 'operator'], 'vera') });
    expect([method, path, res.status, res.body.code]).toEqual([method, path, 403, 'PERMISSION_DENIED']);
  }
  expect((await t.api('GET', '/api/v1/users', undefined, { token: vera })).status).toBe(200);
  expect((await t.api('GET', '/api/v1/groups', undefined, { token: vera })).status).toBe(200);
  expect((await t.api('GET', '/api/v1/users', undefined, { token: null })).status).toBe(401);
});

test('GET /me is the caller, 404 USER_NOT_FOUND when the subject is not in the directory', async () => {
  const me = await t.api('GET', '/api/v1/me', undefined, { token: vera });
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({ id: 'vera', name: 'Vera', roles: ['viewer'] });
  const stranger = await t.api('GET', '/api/v1/me', undefined, { token: t.token(['viewer'], 'stranger') });
  expect(stranger.status).toBe(404);
  expect(stranger.body.code).toBe('USER_NOT_FOUND');
});

test('a user sets and clears their own out-of-office, not someone else’s; an admin may set anyone’s', async () => {
  const awayUntil = inDays(7);
  const set = await t.api('PUT', '/api/v1/users/alice/out-of-office', { delegateTo: 'vera', awayUntil }, { token: alice });
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({ id: 'alice', delegateTo: 'vera', awayUntil, away: true });
  expect((await t.api('GET', '/api/v1/me', undefined, { token: alice })).body).toMatchObject({ away: true, delegateTo: 'vera' });

  const others = await t.api('PUT', '/api/v1/users/alice/out-of-office', { delegateTo: 'vera', awayUntil }, { token: vera });
  expect(others.status).toBe(403);
  expect(others.body.code).toBe('PERMISSION_DENIED');
  expect((await t.api('DELETE', '/api/v1/users/alice/out-of-office', undefined, { token: vera })).status).toBe(403);
  // The body cannot name the caller or anyone else.
  const smuggled = await t.api('PUT', '/api/v1/users/alice/out-of-office', { delegateTo: 'vera', awayUntil, userId: 'vera' }, { token: alice });
  expect(smuggled.status).toBe(400);

  const self = await t.api('PUT', '/api/v1/users/alice/out-of-office', { delegateTo: 'alice', awayUntil }, { token: alice });
  expect([self.status, paths(self.body)]).toEqual([400, ['/delegateTo']]);
  const past = await t.api('PUT', '/api/v1/users/alice/out-of-office', { awayUntil: inDays(-1) }, { token: alice });
  expect([past.status, paths(past.body)]).toEqual([400, ['/awayUntil']]);
  const ghost = await t.api('PUT', '/api/v1/users/alice/out-of-office', { delegateTo: 'ghost', awayUntil }, { token: alice });
  expect([ghost.status, ghost.body.code, paths(ghost.body)]).toEqual([422, 'VALIDATION_ERROR', ['/delegateTo']]);

  const cleared = await t.api('DELETE', '/api/v1/users/alice/out-of-office', undefined, { token: alice });
  expect(cleared.status).toBe(200);
  expect(cleared.body).toMatchObject({ delegateTo: null, awayUntil: null, away: false });

  const byAdmin = await t.api('PUT', '/api/v1/users/vera/out-of-office', { awayUntil });
  expect(byAdmin.status).toBe(200);
  expect(byAdmin.body).toMatchObject({ delegateTo: null, away: true });
  expect((await t.api('PUT', '/api/v1/users/ghost/out-of-office', { awayUntil })).status).toBe(404);
});

test('groups: create, list, read with members, change members, filter users by group, delete', async () => {
  const created = await t.api('POST', '/api/v1/groups', { id: 'finance', name: 'Finance', description: 'pays' });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe('/api/v1/groups/finance');
  expect((await t.api('POST', '/api/v1/groups', { id: 'finance', name: 'again' })).body.code).toBe('GROUP_CONFLICT');
  const badId = await t.api('POST', '/api/v1/groups', { id: 'Finance Team', name: 'x' });
  expect([badId.status, paths(badId.body)]).toEqual([400, ['/id']]);

  const changed = await t.api('PUT', '/api/v1/groups/finance/members', { add: ['alice', 'bob'] });
  expect(changed.status).toBe(200);
  expect(changed.body.members.map((m: any) => m.id)).toEqual(['alice', 'bob']);
  const unknown = await t.api('PUT', '/api/v1/groups/finance/members', { add: ['vera', 'ghost'] });
  expect([unknown.status, unknown.body.code, paths(unknown.body)]).toEqual([422, 'VALIDATION_ERROR', ['/add/1']]);
  expect((await t.api('PUT', '/api/v1/groups/finance/members', { remove: ['bob'] })).body.members.map((m: any) => m.id)).toEqual(['alice']);

  expect((await t.api('GET', '/api/v1/groups', undefined, { token: vera })).body.items).toEqual([expect.objectContaining({ id: 'finance', memberCount: 1 })]);
  expect((await t.api('GET', '/api/v1/groups/finance', undefined, { token: vera })).body).toMatchObject({
    name: 'Finance',
    description: 'pays',
    memberCount: 1,
  });
  expect((await t.api('GET', '/api/v1/users?group=finance', undefined, { token: vera })).body.items.map((u: any) => u.id)).toEqual(['alice']);

  expect((await t.api('DELETE', '/api/v1/groups/finance')).status).toBe(204);
  expect((await t.api('GET', '/api/v1/groups/finance')).body.code).toBe('GROUP_NOT_FOUND');
  expect((await t.api('GET', '/api/v1/users/alice')).status).toBe(200);
});

test('unknown users and groups are 404', async () => {
  const cases: [string, string, unknown, string][] = [
    ['GET', '/api/v1/users/ghost', undefined, 'USER_NOT_FOUND'],
    ['PUT', '/api/v1/users/ghost', { name: 'G' }, 'USER_NOT_FOUND'],
    ['DELETE', '/api/v1/users/ghost', undefined, 'USER_NOT_FOUND'],
    ['DELETE', '/api/v1/users/ghost/out-of-office', undefined, 'USER_NOT_FOUND'],
    ['GET', '/api/v1/groups/ghost', undefined, 'GROUP_NOT_FOUND'],
    ['PUT', '/api/v1/groups/ghost/members', { add: ['alice'] }, 'GROUP_NOT_FOUND'],
    ['DELETE', '/api/v1/groups/ghost', undefined, 'GROUP_NOT_FOUND'],
  ];
  for (const [method, path, body, code] of cases) {
    const res = await t.api(method, path, body);
    expect([method, path, res.status, res.body.code]).toEqual([method, path, 404, code]);
  }
});
