/**
 * The web console in a real headless Chromium (playwright-core) against the real API, worker,
 * Temporal dev server and database: an approver decides from a phone-sized screen, an operator
 * retries a failed execution, and the API reference renders — all under helmet's CSP.
 */
import { networkInterfaces } from 'node:os';
import type { Page } from 'playwright-core';
import { json, type FakeService } from '../support/fake-service';
import { browserTest, launchBrowser, type BrowserSession } from '../support/browser';
import { publishGraph, requestApproval, startInstance, startWeftWithService, waitForInstance, type TestWeft } from '../support/harness';
import { purchaseApprovalGraph } from '../support/approval-graph';

const it = browserTest();
// A browser, a worker and the API share two cores with the other test files: pages get time.
jest.setTimeout(180_000);

let t: TestWeft;
let svc: FakeService;
let stop: (() => Promise<void>) | undefined;
let browser: BrowserSession | undefined;

beforeAll(async () => {
  if (it === test.skip) return;
  ({ t, svc, stop } = await startWeftWithService());
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

/** What went wrong in the pages, less the browser's own line for each refused API call. */
const pageErrors = () => (browser?.errors ?? []).filter((e) => !e.includes('Failed to load resource'));

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function signInByPaste(page: Page, token: string): Promise<void> {
  await page.goto(`${t.url}/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

it('an approver signs in from a phone, sees the request with its data and chain, approves with a comment, and the execution completes', async () => {
  const graph = purchaseApprovalGraph();
  // Role-based steps reach the directory's holders of the role.
  expect((await t.api('POST', '/api/v1/users', { id: 'lead', name: 'Lea Lead', roles: ['manager'] })).status).toBe(201);
  const rita = t.token(['operator'], 'rita');
  const started = await t.api('POST', `/api/v1/workflows/${await publishGraph(t, graph)}/instances`, { input: { item: 'lathe' } }, { token: rita });
  const exec = started.body.id as string;
  const requestId = `${exec}:approval:approve:0`;
  // A second request for the same approvers, withdrawn while it is on the screen: its refusal shows.
  const withdrawn = await requestApproval(t, 'rita', {
    type: 'purchase',
    title: 'Buy a forklift',
    data: { amount: 18000 },
    chain: { steps: [{ id: 'lead', approvers: [{ type: 'role', identifier: 'manager' }] }] },
  });
  const lead = t.token(['manager'], 'lead');
  await until(async () => (await t.api('GET', '/api/v1/me/approvals', undefined, { token: lead })).body.items.some((r: any) => r.id === requestId));

  const page = await browser!.page({ width: 390, height: 844 });
  await page.goto(`${t.url}/?token=${encodeURIComponent(lead)}`);
  // The token is kept for the tab and taken out of the address.
  await page.getByRole('heading', { name: 'Waiting for my decision' }).waitFor();
  expect(new URL(page.url()).search).toBe('');
  expect(await page.evaluate("sessionStorage.getItem('weft.token')")).toBe(lead);

  const card = page.locator(`[data-request-id="${requestId}"]`);
  await card.getByRole('heading', { name: 'Buy lathe' }).waitFor();
  await expect(card.textContent()).resolves.toContain('asked by rita');
  await expect(card.locator('.chain').textContent()).resolves.toContain('role manager');
  // Usable on a phone: nothing wider than the screen.
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

  // The withdrawn request: the API's refusal is shown with its code, and nothing changes.
  const other = page.locator(`[data-request-id="${withdrawn}"]`);
  await other.getByText('"amount": 18000').waitFor();
  expect((await t.api('POST', `/api/v1/approval-requests/${withdrawn}/cancel`, {}, { token: rita })).status).toBe(200);
  await other.getByRole('button', { name: 'Approve' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await dialog.getByRole('alert').getByText('APPROVAL_NOT_PENDING').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await card.getByRole('button', { name: 'Approve' }).click();
  await dialog.getByLabel('Comment (optional)').fill('fine by me');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('status').getByText('Approve: Buy lathe — recorded.').waitFor();
  await card.waitFor({ state: 'detached' });

  const done = await waitForInstance(t, exec);
  expect(done).toMatchObject({ status: 'completed', output: { status: 'approved' } });
  const decided = (await t.api('GET', `/api/v1/approval-requests/${encodeURIComponent(requestId)}`)).body;
  expect(decided.decisions).toEqual([expect.objectContaining({ approverId: 'lead', action: 'approve', comments: 'fine by me' })]);
  expect(pageErrors()).toEqual([]);
});

it('an operator opens a failed execution, sees the failing node and its error, retries it after the peer recovers, and watches it complete', async () => {
  let healthy = false;
  svc.handle((_req, res) => (healthy ? json(res, 200, { booked: true }) : json(res, 503, { error: 'down for maintenance' })));
  const graph = {
    name: 'booking',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'prepare', type: 'DATA_TRANSFORMATION', properties: { assign: { ref: 'input.ref' } } },
      { id: 'book', type: 'API_CALL', properties: { url: `${svc.url}/book`, retry: { maxAttempts: 1 } } },
      { id: 'end', type: 'END', properties: { output: { ref: 'vars.ref', booked: 'nodes.book.output.body.booked' } } },
    ],
    edges: [
      { source: 'start', target: 'prepare' },
      { source: 'prepare', target: 'book' },
      { source: 'book', target: 'end' },
    ],
  };
  const failedId = await startInstance(t, await publishGraph(t, graph), { ref: 'B-7' });
  const failed = await waitForInstance(t, failedId);
  expect(failed.status).toBe('failed');
  const failedRun = (await t.api('GET', `/api/v1/workflow-instances/${failedId}/history`)).body.nodes.find((n: any) => n.nodeId === 'book');

  const page = await browser!.page();
  await signInByPaste(page, t.token(['operator'], 'olga'));
  await page.getByRole('link', { name: 'Executions' }).click();
  await page.getByLabel('Status').selectOption('failed');
  await page.getByRole('link', { name: failedId }).click();

  // The graph is drawn with every node, the failing one marked failed, the ones before completed.
  const node = (id: string) => page.locator(`.graph [data-node-id="${id}"]`);
  await node('book').waitFor();
  expect(await page.locator('.graph [data-node-id]').count()).toBe(4);
  const inState = (id: string, state: string) => page.locator(`.graph [data-node-id="${id}"][data-state="${state}"]`).waitFor();
  await inState('book', 'failed');
  await inState('prepare', 'completed');
  await inState('end', 'not-run');
  // Laid out, not stacked: each node has a place of its own.
  const places = await page.locator('.graph [data-node-id]').evaluateAll((els) => els.map((e) => e.getAttribute('transform')));
  expect(new Set(places).size).toBe(4);
  // The failing node is shown at once, with its error as the API recorded it.
  const details = page.locator('[data-node-run="book"]');
  await details.waitFor();
  await expect(details.textContent()).resolves.toContain(failedRun.error.code);
  await expect(details.textContent()).resolves.toContain('attempts 1');
  // Nodes answer the keyboard too.
  await node('prepare').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-node-run="prepare"]').waitFor();
  // The live timeline has the execution's whole story, ending with its failure.
  await page.locator('.timeline').getByText('execution.failed').waitFor();

  healthy = true;
  await page.getByRole('button', { name: 'Retry from failed node' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Retry' }).click();
  await page.waitForURL((url) => url.hash.startsWith('#/executions/') && !url.hash.endsWith(failedId));
  const retriedId = decodeURIComponent(new URL(page.url()).hash.replace('#/executions/', ''));
  await page.locator('.facts .status', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
  await page.locator('.timeline').getByText('execution.completed').waitFor();
  // The page re-reads the nodes on each event: the graph catches up with the status.
  await inState('book', 'completed');

  const retried = await t.api('GET', `/api/v1/workflow-instances/${retriedId}`);
  expect(retried.body).toMatchObject({ status: 'completed', output: { ref: 'B-7', booked: true } });
  expect(pageErrors()).toEqual([]);
});

it('a technical lead sees a version as a graph, compares two side by side with the added node marked, and opens the charts and rollouts', async () => {
  const v1 = {
    name: 'greeter',
    nodes: [
      { id: 'start', type: 'START' },
      { id: 'greet', type: 'DATA_TRANSFORMATION', properties: { assign: { text: "'hello'" } } },
      { id: 'end', type: 'END', properties: { output: { text: 'vars.text' } } },
    ],
    edges: [
      { source: 'start', target: 'greet' },
      { source: 'greet', target: 'end' },
    ],
  };
  const id = await publishGraph(t, v1);
  const v2 = {
    ...v1,
    nodes: [...v1.nodes, { id: 'shout', type: 'DATA_TRANSFORMATION', properties: { assign: { text: '$uppercase(vars.text)' } } }],
    edges: [v1.edges[0], { source: 'greet', target: 'shout' }, { source: 'shout', target: 'end' }],
  };
  expect((await t.api('POST', `/api/v1/workflows/${id}/versions`, { graph: v2 })).status).toBe(201);

  const page = await browser!.page();
  await signInByPaste(page, t.token(['technical_lead'], 'tess'));
  await page.getByRole('link', { name: 'Workflows' }).click();
  await page.getByRole('link', { name: 'greeter' }).click();
  // The active version's graph first.
  await page.getByRole('img', { name: /^greet \(DATA_TRANSFORMATION\)/ }).waitFor();
  await page.getByRole('button', { name: 'Compare' }).click();
  await page.getByRole('heading', { name: '1.0.0 → 1.1.0', exact: false }).waitFor();
  const after = page.getByRole('group', { name: 'Graph of version 1.1.0' });
  await after.locator('[data-node-id="shout"].mark-added').waitFor();
  expect(await page.getByRole('group', { name: 'Graph of version 1.0.0' }).locator('[data-node-id="shout"]').count()).toBe(0);
  await page.getByRole('listitem').filter({ hasText: '/nodes/shout' }).first().waitFor();

  await page.goto(`${t.url}/#/analytics/${id}`);
  await page.getByText('Success rate per day').waitFor();
  await page.getByRole('link', { name: 'Rollouts' }).click();
  await page.getByRole('heading', { name: 'Rollouts' }).waitFor();
  expect(pageErrors()).toEqual([]);
});

it('the API reference at /docs renders the operations from the installed swagger-ui-dist', async () => {
  const page = await browser!.page();
  await page.goto(`${t.url}/docs`);
  await page.getByRole('heading', { name: /Weft API/ }).waitFor();
  // The first area's operations are drawn (Swagger UI draws only what is on screen: a long list is virtualised).
  await page.locator('#operations-Workflows-postApiV1Workflows').waitFor();
  expect(await page.locator('.opblock').count()).toBeGreaterThan(5);
  // A deep link scrolls to an operation far down the list and opens it, with its parameters.
  const deep = await browser!.page();
  await deep.goto(`${t.url}/docs#/Instances/postApiV1WorkflowInstancesIdRetry`);
  const retry = deep.locator('#operations-Instances-postApiV1WorkflowInstancesIdRetry');
  await retry.waitFor();
  await expect(retry.textContent()).resolves.toMatch(/workflow-instances\W+\{id\}\W+retry/);
  await retry.locator('.parameters').waitFor();
  expect(pageErrors()).toEqual([]);
});

/** This machine's first IPv4 address that is not loopback: how a colleague on the network reaches Weft. */
function networkAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
}

it('the console works over plain HTTP at a network address, not only on localhost (no upgrade of its files to https)', async () => {
  const host = networkAddress();
  if (!host) {
    console.warn('skipped part of the console tests: this machine has no non-loopback IPv4 address');
    return;
  }
  const page = await browser!.page();
  const url = t.url.replace(/\/\/[^/:]+/, `//${host}`);
  await page.goto(`${url}/`);
  await page.getByLabel('Token').fill(t.token(['operator'], 'nora'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  expect(pageErrors()).toEqual([]);
});
