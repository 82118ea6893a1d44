/**
 * The `weft` command line as a user runs it: the real bin in a child process (node bin/weft.js)
 * against a real Weft over HTTP. Offline validation with paths and lines, login, deploy and
 * publish, run --wait, an approval decided from the CLI completing an execution, --json output
 * parsed, and the exit codes of refusals, bad input and an unreachable API.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineGraph } from '../support/line-graph';
import { startTestWeft, type TestWeft } from '../support/harness';
import { rolloutHelpers } from '../support/rollouts';
import { purchaseApprovalGraph } from '../support/approval-graph';

jest.setTimeout(180_000);

const BIN = join(__dirname, '..', '..', 'bin', 'weft.js');

let t: TestWeft;
let home: string;

beforeAll(async () => {
  t = await startTestWeft();
  home = mkdtempSync(join(tmpdir(), 'weft-cli-'));
  for (const [id, roles] of [
    ['rita', ['operator']],
    ['lead', ['manager']],
  ] as const) {
    expect((await t.api('POST', '/api/v1/users', { id, name: id, roles })).status).toBe(201);
  }
});

afterAll(async () => {
  await t?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of a `weft` child: its config under the test's own folder; `env` adds to (or, undefined, removes from) it. */
function childEnv(env: Record<string, string | undefined>): Record<string, string> {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    XDG_CONFIG_HOME: join(home, 'config'),
    WEFT_URL: t.url,
    WEFT_TOKEN: t.token(),
    NODE_OPTIONS: undefined,
    ...env,
  };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Runs `weft args…` with its config under the test's own folder; `env` adds to (or, undefined, removes from) it. */
function weft(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: home }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const path = join(home, name);
  writeFileSync(path, text);
  return path;
}

/** The 1-based line of the first occurrence of `needle` in `text`. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

const BAD_GRAPH = `{
  "name": "broken",
  "nodes": [
    { "id": "start", "type": "START" },
    { "id": "end", "type": "END" }
  ],
  "edges": [
    { "source": "start", "target": "nowhere" }
  ]
}
`;

test('validate works offline: a bad file exits 2 naming each JSON path with its line; --json gives the same as data', async () => {
  const bad = file('bad.json', BAD_GRAPH);
  // No API at all: validation needs none.
  const offline = { WEFT_URL: undefined, WEFT_TOKEN: undefined };
  const human = await weft(['validate', bad], offline);
  expect(human.code).toBe(2);
  expect(human.stderr).toContain(`${bad}:${lineOf(BAD_GRAPH, '"target": "nowhere"')}:`);
  expect(human.stderr).toContain('/edges/0/target');
  expect(human.stderr).toContain('INVALID_WORKFLOW');

  const json = await weft(['validate', bad, '--json'], offline);
  expect(json.code).toBe(2);
  const report = JSON.parse(json.stdout);
  expect(report.valid).toBe(false);
  expect(report.issues).toEqual(
    expect.arrayContaining([expect.objectContaining({ path: '/edges/0/target', code: 'INVALID_WORKFLOW', line: lineOf(BAD_GRAPH, '"target": "nowhere"') })]),
  );

  const syntax = await weft(['validate', file('syntax.json', '{\n  "name": "x",\n  "nodes": [,]\n}\n')], offline);
  expect(syntax.code).toBe(2);
  expect(syntax.stderr).toMatch(/syntax\.json:3:\d+/);

  const good = await weft(['validate', file('good.json', JSON.stringify(lineGraph('fine', []), null, 2))], offline);
  expect(good.code).toBe(0);
  expect(good.stdout).toContain('valid');
});

test('login stores the URL and token readable by the owner only; later commands use them', async () => {
  const config = join(home, 'login-config');
  const login = await weft(['login', '--url', `${t.url}/api/v1`, '--token', t.token(['operator'], 'rita')], {
    XDG_CONFIG_HOME: config,
    WEFT_URL: undefined,
    WEFT_TOKEN: undefined,
  });
  expect(login.stderr).toBe('');
  expect(login.code).toBe(0);
  expect(login.stdout).toContain('as rita');
  const stored = join(config, 'weft', 'config.json');
  expect(statSync(stored).mode & 0o777).toBe(0o600);

  const inbox = await weft(['approvals', '--json'], { XDG_CONFIG_HOME: config, WEFT_URL: undefined, WEFT_TOKEN: undefined });
  expect(inbox.code).toBe(0);
  expect(JSON.parse(inbox.stdout)).toMatchObject({ items: [] });

  // A token the API does not accept is refused before anything is stored.
  const forged = await weft(['login', '--url', t.url, '--token', 'not.a.jwt'], {
    XDG_CONFIG_HOME: join(home, 'forged'),
    WEFT_URL: undefined,
    WEFT_TOKEN: undefined,
  });
  expect(forged.code).toBe(3);
  expect(forged.stderr).toContain('UNAUTHENTICATED');
  expect(() => statSync(join(home, 'forged', 'weft', 'config.json'))).toThrow();
});

test('deploy --publish stores and activates a file, a second deploy adds a version, run --wait prints the output', async () => {
  const graph = lineGraph('greeter', [], { greeting: "'hello ' & input.name" });
  const path = file('greeter.json', JSON.stringify(graph, null, 2));
  const deployed = await weft(['deploy', path, '--publish']);
  expect(deployed.stderr).toBe('');
  expect(deployed.code).toBe(0);
  expect(deployed.stdout).toMatch(/created workflow greeter \(.+\): version 1\.0\.0/);
  expect(deployed.stdout).toContain('published 1.0.0');
  const id = /\(([^)]+)\)/.exec(deployed.stdout)![1]!;
  expect((await t.api('GET', `/api/v1/workflows/${id}`)).body.activeVersion).toBe('1.0.0');

  // Same name: a new draft version of the same definition, the active one untouched.
  const again = await weft(['deploy', path, '--json']);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ created: false, definition: { id, latestVersion: '1.1.0', activeVersion: '1.0.0' } });

  const run = await weft(['run', 'greeter', '--input', '{"name":"Ada"}', '--wait']);
  expect(run.stderr).toMatch(/^started /);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('✓ start (START) completed');
  expect(run.stdout).toContain('✓ end (END) completed');
  expect(run.stdout).toMatch(/completed in [\d.]+s/);
  expect(run.stdout).toContain('output: {"greeting":"hello Ada"}');

  const input = file('input.json', '{ "name": "Grace" }');
  const json = await weft(['run', id, '--input', input, '--wait', '--json']);
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toMatchObject({ status: 'completed', workflowId: id, version: '1.0.0', output: { greeting: 'hello Grace' } });
});

test('what-if runs a draft over the recorded executions and prints what would change', async () => {
  const path = file('what-if.json', JSON.stringify(lineGraph('what-if-greeter', [], { greeting: "'hello ' & input.name" }), null, 2));
  expect((await weft(['deploy', path, '--publish'])).code).toBe(0);
  for (const name of ['Ada', 'Grace']) expect((await weft(['run', 'what-if-greeter', '--input', JSON.stringify({ name }), '--wait'])).code).toBe(0);
  // A draft that greets differently: both recorded executions would now answer otherwise.
  writeFileSync(path, JSON.stringify(lineGraph('what-if-greeter', [], { greeting: "'hi ' & input.name" }), null, 2));
  expect((await weft(['deploy', path])).code).toBe(0);

  const human = await weft(['what-if', 'what-if-greeter', '1.1.0']);
  expect(human.code).toBe(0);
  expect(human.stdout).toMatch(/completed, 2 of 2 executions \(100% changed\)/);
  expect(human.stdout).toContain('output_changed: 2');
  const same = await weft(['what-if', 'what-if-greeter', '1.0.0', '--json']);
  expect(same.code).toBe(0);
  expect(JSON.parse(same.stdout)).toMatchObject({ status: 'completed', summary: { counts: { same: 2 } } });
  const unknown = await weft(['what-if', 'what-if-greeter', '9.9.9']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('VERSION_NOT_FOUND');
});

test('an approval decided from the CLI completes the execution; refusals exit 1 with the API code', async () => {
  const graph = purchaseApprovalGraph();
  expect((await weft(['deploy', file('purchase.json', JSON.stringify(graph, null, 2)), '--publish'])).code).toBe(0);
  const rita = { WEFT_TOKEN: t.token(['operator'], 'rita') };
  const lead = { WEFT_TOKEN: t.token(['manager'], 'lead') };
  const started = await weft(['run', 'purchase', '--input', '{"item":"lathe"}', '--json'], rita);
  expect(started.code).toBe(0);
  const exec = JSON.parse(started.stdout).id as string;
  const requestId = `${exec}:approval:approve:0`;

  // The request reaches the approver's inbox once the workflow has opened its step.
  let inbox: Run | undefined;
  for (let i = 0; i < 100; i++) {
    inbox = await weft(['approvals'], lead);
    if (inbox.stdout.includes(requestId)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(inbox!.code).toBe(0);
  expect(inbox!.stdout).toContain(`${requestId}  [pending] workflow_node: Buy lathe`);

  // rita started it and is no approver: the API refuses, the CLI says why and exits 1.
  const refused = await weft(['approve', requestId], rita);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/error (NOT_AN_APPROVER|SELF_APPROVAL) \(HTTP 403\)/);
  const refusedJson = await weft(['approve', requestId, '--json'], rita);
  expect(refusedJson.code).toBe(1);
  expect(JSON.parse(refusedJson.stderr)).toMatchObject({ exitCode: 1, error: { status: 403 } });

  const approved = await weft(['approve', requestId, '--comment', 'fine by me'], lead);
  expect(approved.stderr).toBe('');
  expect(approved.code).toBe(0);
  expect(approved.stdout).toContain(`approved ${requestId}`);

  const watched = await weft(['watch', exec, '--json', '--interval', '0.2']);
  expect(watched.code).toBe(0);
  const events = watched.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(events.filter((e) => e.type === 'node' && e.status === 'completed').map((e) => e.nodeId)).toEqual(['start', 'approve', 'ok']);
  expect(events.at(-1)).toMatchObject({ type: 'end', id: exec, status: 'completed', output: { status: 'approved' } });

  // Rejecting needs a comment: a usage error, nothing sent.
  const noComment = await weft(['reject', requestId], lead);
  expect(noComment.code).toBe(2);
  expect(noComment.stderr).toContain('--comment');
});

test('the API refusing a deploy, an unknown workflow, a bad token and no API each exit with their code', async () => {
  const bad = file('refused.json', BAD_GRAPH);
  const deploy = await weft(['deploy', bad]);
  expect(deploy.code).toBe(1);
  // The API's issue paths, placed in the file.
  expect(deploy.stderr).toContain('error INVALID_WORKFLOW (HTTP 422)');
  expect(deploy.stderr).toContain(`${bad}:${lineOf(BAD_GRAPH, '"target": "nowhere"')}:`);

  const unknown = await weft(['run', 'no-such-workflow', '--json']);
  expect(unknown.code).toBe(1);
  expect(JSON.parse(unknown.stderr)).toMatchObject({ exitCode: 1, error: { code: 'WORKFLOW_NOT_FOUND', status: 404 } });

  // An execution that fails: --wait says where and why, and exits 4.
  const gated = {
    name: 'gated',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'end', type: 'END' },
    ],
    edges: [{ source: 'start', target: 'end', condition: 'input.go' }],
  };
  expect((await weft(['deploy', file('gated.json', JSON.stringify(gated)), '--publish'])).code).toBe(0);
  const failed = await weft(['run', 'gated', '--input', '{"go":false}', '--wait']);
  expect(failed.code).toBe(4);
  expect(failed.stdout).toContain('failed');
  expect(failed.stdout).toContain('error: NO_MATCHING_BRANCH');

  const badInput = await weft(['run', 'greeter', '--input', '{not json']);
  expect(badInput.code).toBe(2);

  const forged = await weft(['approvals'], { WEFT_TOKEN: 'forged' });
  expect(forged.code).toBe(3);

  const closed = await weft(['approvals'], { WEFT_URL: 'http://127.0.0.1:9' });
  expect(closed.code).toBe(3);
  expect(closed.stderr).toContain('cannot reach http://127.0.0.1:9');
});

test("watch shows a LOOP's progress, iteration by iteration, out of the items it runs over", async () => {
  const graph = {
    name: 'stepper',
    variables: { n: { type: 'number', value: 0 } },
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'each', type: 'LOOP', properties: { items: 'input.items' } },
      { id: 'step', type: 'DATA_TRANSFORMATION', properties: { assign: { n: 'loop.index' } } },
      { id: 'end', type: 'END', properties: { output: { n: 'vars.n' } } },
    ],
    edges: [
      { source: 'start', target: 'each' },
      { source: 'each', sourcePort: 'body', target: 'step' },
      // Each iteration ends only when the test says so, so the watcher sees every step.
      { source: 'step', target: 'each', trigger: 'next' },
      { source: 'each', sourcePort: 'done', target: 'end' },
    ],
  };
  expect((await weft(['deploy', file('stepper.json', JSON.stringify(graph)), '--publish'])).code).toBe(0);
  const started = await weft(['run', 'stepper', '--input', '{"items":["a","b","c"]}', '--json']);
  expect(started.code).toBe(0);
  const exec = JSON.parse(started.stdout).id as string;

  const child = spawn(process.execPath, [BIN, 'watch', exec, '--json', '--interval', '0.2'], { env: childEnv({}), cwd: home });
  const events: any[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const until = async (what: string, probe: () => boolean) => {
    for (let i = 0; i < 300 && !probe(); i++) await new Promise((r) => setTimeout(r, 100));
    if (!probe()) throw new Error(`watch never showed ${what}: ${JSON.stringify(events)}`);
  };
  try {
    for (let done = 1; done <= 3; done++) {
      await until(`${done}/3`, () => events.some((e) => e.type === 'loop' && e.nodeId === 'each' && e.done === done && e.total === 3));
      expect((await t.api('POST', `/api/v1/workflow-instances/${exec}/advance`, { trigger: 'next' })).status).toBe(200);
    }
    expect(await exited).toBe(0);
  } finally {
    child.kill();
  }
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed', output: { n: 2 } });

  // Watching an ended execution prints its node runs, each iteration numbered, and its output.
  const human = await weft(['watch', exec]);
  expect(human.code).toBe(0);
  expect(human.stdout).toContain('✓ step #3 (DATA_TRANSFORMATION) completed');
  expect(human.stdout).toContain('✓ each (LOOP) completed');
  expect(human.stdout).toContain('output: {"n":2}');
});

test('export and import a version, set and read a site value, create and run a rollout, its refusals', async () => {
  const deployed = await weft(['deploy', file('mover.json', JSON.stringify(lineGraph('mover', []))), '--publish', '--json']);
  expect(deployed.code).toBe(0);
  const moverId = JSON.parse(deployed.stdout).definition.id as string;
  const exported = file('mover-export.json', '');
  const exp = await weft(['export', 'mover', '-o', exported]);
  expect(exp.code).toBe(0);
  expect(exp.stdout).toContain('(mover 1.0.0)');
  const imported = await weft(['import', exported, '--json']);
  expect(imported.code).toBe(0);
  const copy = JSON.parse(imported.stdout);
  expect(copy).toMatchObject({ created: true, version: '1.0.0' });
  // Two workflows are named mover now: a name no longer says which.
  const ambiguous = await weft(['export', 'mover']);
  expect(ambiguous.code).toBe(2);
  expect(ambiguous.stderr).toContain('AMBIGUOUS_NAME');
  // An edited export is refused with the path of the checksum, in the file.
  const doc = JSON.parse((await weft(['export', copy.workflowId, '--version', '1.0.0'])).stdout);
  const tampered = file('tampered.json', JSON.stringify({ ...doc, graph: { ...doc.graph, description: 'changed' } }, null, 2));
  const refusedImport = await weft(['import', tampered]);
  expect(refusedImport.code).toBe(1);
  expect(refusedImport.stderr).toContain('IMPORT_CHECKSUM_MISMATCH');
  expect(refusedImport.stderr).toMatch(/tampered\.json:\d+:\d+ {2}\/checksum/);

  expect((await t.api('POST', '/api/v1/sites', { id: 'plant-a', name: 'Plant A', region: 'eu-west', environment: 'staging' })).status).toBe(201);
  expect((await t.api('POST', '/api/v1/config/parameters', { key: 'lineSpeed', name: 'Line speed', type: 'number' })).status).toBe(201);
  const set = await weft(['config', 'set', 'plant-a', 'lineSpeed', '40', '--reason', 'commissioning']);
  expect(set.code).toBe(0);
  expect(set.stdout).toContain('plant-a: lineSpeed = 40');
  const get = await weft(['config', 'get', 'plant-a', '--json']);
  expect(get.code).toBe(0);
  expect(JSON.parse(get.stdout).items).toEqual([expect.objectContaining({ key: 'lineSpeed', value: 40, source: 'site:plant-a' })]);
  const noReason = await weft(['config', 'set', 'plant-a', 'lineSpeed', '41']);
  expect(noReason.code).toBe(2);

  const created = await weft(['rollout', 'create', '--workflow', moverId, '--version', '1.0.0', '--sites', 'plant-a', '--json']);
  expect(created.code).toBe(0);
  const rolloutId = JSON.parse(created.stdout).id as string;
  expect((await weft(['rollout', 'start', rolloutId])).code).toBe(0);
  let status: any;
  for (let i = 0; i < 100; i++) {
    status = JSON.parse((await weft(['rollout', 'status', rolloutId, '--json'])).stdout);
    if (status.status === 'completed') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(status).toMatchObject({ status: 'completed', deployments: [expect.objectContaining({ siteId: 'plant-a', status: 'success' })] });
  const human = await weft(['rollout', 'status', rolloutId]);
  expect(human.stdout).toContain('plant-a: success');
  const again = await weft(['rollout', 'start', rolloutId]);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('error ROLLOUT_FINISHED (HTTP 409)');
});

const h = rolloutHelpers(() => t);

test('config get KEY and set --if-match from the CLI: a stale tag exits 1 with 412', async () => {
  await h.createSites(['cli-1', 'cli-2', 'cli-3'].map((id) => ({ id, region: 'cli' })));
  // Every site must set its feed rate (made required last, so the tests above deploy freely); cli-2 has none yet.
  await h.ok('POST', '/config/parameters', { key: 'feedRate', name: 'Feed rate', type: 'number', requiredAtLevel: 'site' }, 201);
  for (const s of ['cli-1', 'cli-3']) expect((await weft(['config', 'set', s, 'feedRate', '40', '--reason', 'commissioning'])).code).toBe(0);

  const one = await weft(['config', 'get', 'cli-1', 'feedRate']);
  expect([one.code, one.stdout.trim()]).toEqual([0, 'feedRate = 40  from site:cli-1']);
  const read = JSON.parse((await weft(['config', 'get', 'cli-1', 'feedRate', '--json'])).stdout);
  expect(read).toMatchObject({ key: 'feedRate', value: 40, etag: expect.any(String) });
  expect((await weft(['config', 'set', 'cli-1', 'feedRate', '41', '--reason', 'faster', '--if-match', read.etag])).code).toBe(0);
  // Someone else saved since `read`: the stale tag is refused, the value stays.
  const stale = await weft(['config', 'set', 'cli-1', 'feedRate', '42', '--reason', 'mine', '--if-match', read.etag]);
  expect(stale.code).toBe(1);
  expect(stale.stderr).toContain('PRECONDITION_FAILED (HTTP 412)');
  expect(JSON.parse((await weft(['config', 'get', 'cli-1', 'feedRate', '--json'])).stdout).value).toBe(41);
});

test('rollout pause, resume, a refused promote, abort and rollback from the CLI', async () => {
  const held = await h.twoVersions('cli-held');
  const heldBody = file(
    'held.json',
    JSON.stringify({
      workflowId: held,
      version: '2.0.0',
      strategy: 'staged',
      targetSites: ['cli-1', 'cli-3'],
      config: {
        stages: [
          { stageNumber: 1, sitesOrRegions: ['cli-1'], delay: '5m' },
          { stageNumber: 2, sitesOrRegions: ['cli-3'] },
        ],
      },
    }),
  );
  const created = await weft(['rollout', 'create', '--file', heldBody, '--json']);
  expect([created.code, created.stderr]).toEqual([0, '']);
  const heldId = JSON.parse(created.stdout).id as string;
  expect((await weft(['rollout', 'start', heldId])).code).toBe(0);
  await h.waitFor(heldId, (r) => r.waitingFor === 'delay');
  const promote = await weft(['rollout', 'promote', heldId]);
  expect(promote.code).toBe(1);
  expect(promote.stderr).toContain('ROLLOUT_NOT_WAITING (HTTP 409)');
  const paused = await weft(['rollout', 'pause', heldId, '--reason', 'line stop']);
  expect(paused.code).toBe(0);
  expect(paused.stdout).toContain(`${heldId}: ${held} 2.0.0 (staged) paused, waiting for resume`);
  const resumed = await weft(['rollout', 'resume', heldId, '--json']);
  expect(resumed.code).toBe(0);
  expect(JSON.parse(resumed.stdout)).toMatchObject({ id: heldId, status: 'in_progress' });
  expect((await weft(['rollout', 'abort', heldId, '--reason', 'wrong build'])).code).toBe(0);
  const aborted = await h.waitFor(heldId, h.ended);
  expect(aborted).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('wrong build') });
  expect((await weft(['rollout', 'status', heldId])).stdout).toContain('failure: aborted by');
  const rolledBack = await weft(['rollout', 'rollback', heldId, '--reason', 'customer complaint']);
  expect(rolledBack.code).toBe(0);
  expect((await h.waitFor(heldId, (r) => r.status === 'rolled_back')).status).toBe('rolled_back');
  expect(await h.versionAt(held, 'cli-1')).toBe('1.0.0');
  const twice = await weft(['rollout', 'rollback', heldId, '--reason', 'again']);
  expect([twice.code, twice.stderr]).toEqual([1, expect.stringContaining('ROLLOUT_FINISHED (HTTP 409)')]);
  expect(await h.audit(heldId)).toEqual(expect.arrayContaining(['rollout.pause', 'rollout.resume', 'rollout.abort', 'rollout.rollback']));
});

test('rollout retry of a failed site from the CLI during the bake', async () => {
  // cli-2 fails for want of its feed rate; set it from the CLI and retry that site.
  const retried = await h.twoVersions('cli-retried');
  const retryBody = file(
    'retried.json',
    JSON.stringify({
      workflowId: retried,
      version: '2.0.0',
      strategy: 'staged',
      targetSites: ['cli-1', 'cli-2', 'cli-3'],
      config: {
        stages: [
          { stageNumber: 1, sitesOrRegions: ['cli-1', 'cli-2'], delay: '5m', successCriteriaPercentage: 50 },
          { stageNumber: 2, sitesOrRegions: ['cli-3'] },
        ],
      },
    }),
  );
  const retriedId = JSON.parse((await weft(['rollout', 'create', '--file', retryBody, '--json'])).stdout).id as string;
  expect((await weft(['rollout', 'start', retriedId])).code).toBe(0);
  await h.waitFor(retriedId, (r) => r.waitingFor === 'delay' && r.deployments[1].status === 'failed');
  const failedLine = await weft(['rollout', 'status', retriedId]);
  expect(failedLine.stdout).toMatch(/cli-2: failed .*CONFIG_INVALID/);
  expect((await weft(['config', 'set', 'cli-2', 'feedRate', '35', '--reason', 'fixed'])).code).toBe(0);
  const retry = await weft(['rollout', 'retry', retriedId, '--sites', 'cli-2', '--reason', 'feed rate set']);
  expect([retry.code, retry.stderr]).toEqual([0, '']);
  // Deployed again at once, during the bake, not after it.
  const redeployed = await h.waitFor(retriedId, (r) => r.deployments[1].status === 'success');
  expect(redeployed.waitingFor).toBe('delay');
  expect(redeployed.deployments.map((d: any) => [d.siteId, d.status, d.attempt])).toEqual([
    ['cli-1', 'success', 1],
    ['cli-2', 'success', 2],
    ['cli-3', 'pending', 0],
  ]);
  expect((await weft(['rollout', 'status', retriedId])).stdout).toContain('cli-2: success from 1.0.0 attempt 2');
  expect((await h.act(retriedId, 'abort', 'enough')).status).toBe(200);
  await h.waitFor(retriedId, h.ended);
  const late = await weft(['rollout', 'retry', retriedId]);
  expect([late.code, late.stderr]).toEqual([1, expect.stringContaining('ROLLOUT_FINISHED (HTTP 409)')]);
});

test('rollout promote from the CLI and rollout list (every page, or --limit)', async () => {
  // A canary with nothing to judge waits for promotion; promote from the CLI finishes it.
  const canary = await h.twoVersions('cli-canary');
  const canaryConfig = { canaryPercentage: 30, canaryDuration: '2s', analysisInterval: '1s', minSampleSize: 4, autoPromoteIfSuccessful: true };
  const canaryBody = file(
    'canary.json',
    JSON.stringify({ workflowId: canary, version: '2.0.0', strategy: 'canary', targetSites: ['cli-1', 'cli-3'], config: canaryConfig }),
  );
  const canaryId = JSON.parse((await weft(['rollout', 'create', '--file', canaryBody, '--json'])).stdout).id as string;
  expect((await weft(['rollout', 'start', canaryId])).code).toBe(0);
  await h.waitFor(canaryId, (r) => r.waitingFor === 'promotion');
  const promoted = await weft(['rollout', 'promote', canaryId, '--reason', 'looked at the dashboards']);
  expect(promoted.code).toBe(0);
  expect((await h.waitFor(canaryId, h.ended)).status).toBe('completed');
  expect(await h.audit(canaryId)).toContain('rollout.promote');

  // `rollout list` reads every page, or the first --limit rollouts.
  const planned: string[] = [];
  for (const name of ['cli-listed-1', 'cli-listed-2']) {
    const created = await h.createRollout({
      workflowId: await h.twoVersions(name),
      version: '2.0.0',
      strategy: 'immediate',
      targetSites: ['cli-1'],
      config: {},
    });
    planned.push(created.body.id as string);
  }
  const all = JSON.parse((await weft(['rollout', 'list', '--json'])).stdout).items.map((r: { id: string }) => r.id);
  expect(all).toEqual(expect.arrayContaining([canaryId, ...planned]));
  expect(new Set(all).size).toBe(all.length);
  const limited = await weft(['rollout', 'list', '--limit', '2']);
  expect(limited.code).toBe(0);
  expect(limited.stdout.trim().split('\n')).toHaveLength(2);
  expect((await weft(['rollout', 'list', '--limit', '0'])).code).toBe(2);
});
