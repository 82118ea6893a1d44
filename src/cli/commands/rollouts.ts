/** `weft rollout …`: moving a version onto sites (docs/rollouts.md). */
import type { Command } from 'commander';
import { seg } from '../client';
import { act, list, positiveCount } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { jsonArgument, readJsonFile, withFileLines } from '../json-file';
import { resolveWorkflow } from './definitions';

interface Deployment {
  siteId: string;
  status: string;
  attempt: number;
  fromVersion: string | null;
  duration: number | null;
  error: string | null;
}

interface RolloutDetail {
  id: string;
  workflowId: string;
  version: string;
  strategy: string;
  status: string;
  waitingFor: string | null;
  failureReason: string | null;
  targetSites: string[];
  progressPercentage?: number;
  deployments?: Deployment[];
}

const ACTIONS = ['start', 'pause', 'resume', 'promote', 'abort', 'rollback'] as const;

function rolloutLines(r: RolloutDetail): string[] {
  const waiting = r.waitingFor ? `, waiting for ${r.waitingFor}` : '';
  const progress = r.progressPercentage !== undefined ? ` ${r.progressPercentage}%` : '';
  const lines = [`${r.id}: ${r.workflowId} ${r.version} (${r.strategy}) ${r.status}${waiting}${progress}`];
  if (r.failureReason) lines.push(`  failure: ${r.failureReason}`);
  for (const d of r.deployments ?? []) {
    const from = d.fromVersion ? ` from ${d.fromVersion}` : '';
    const attempt = d.attempt > 1 ? ` attempt ${d.attempt}` : '';
    lines.push(`  ${d.siteId}: ${d.status}${from}${attempt}${d.duration !== null ? ` ${d.duration}ms` : ''}${d.error ? ` — ${d.error}` : ''}`);
  }
  return lines;
}

interface CreateOptions {
  file?: string;
  workflow?: string;
  version?: string;
  strategy: string;
  sites?: string[];
  regions?: string[];
  config?: string;
  approvalRequest?: string;
}

export function registerRolloutCommands(program: Command): void {
  const rollout = program.command('rollout').description('move a version of a workflow onto sites, a few at a time');

  rollout
    .command('create')
    .description('plan a rollout (it waits for `weft rollout start`); the body from --file, or from the options')
    .option('-f, --file <file>', 'the whole POST /rollouts body as a JSON file')
    .option('--workflow <id>', 'workflow id or name')
    .option('--version <semver>', 'a published version')
    .option('--strategy <name>', 'immediate, staged, canary or scheduled', 'immediate')
    .option('--sites <ids>', 'target sites, comma-separated (default: every active production site)', list)
    .option('--regions <names>', 'target the active production sites of these regions', list)
    .option('--config <file|json>', 'the strategy’s config (stages, canary, schedule, maxParallelSites, autoRollback)')
    .option('--approval-request <id>', 'an approved request of type rollout')
    .action(
      act<CreateOptions>(async (ctx, _args, opts) => {
        const client = ctx.client();
        const doc = opts.file ? readJsonFile(opts.file) : undefined;
        if (!doc && (!opts.workflow || !opts.version)) throw new CliError(EXIT.BAD_INPUT, 'give --file, or --workflow and --version', { code: 'USAGE' });
        const targetSites = opts.sites ?? (opts.regions ? { regions: opts.regions } : undefined);
        const body = doc
          ? doc.value
          : {
              workflowId: await resolveWorkflow(client, opts.workflow!),
              version: opts.version,
              strategy: opts.strategy,
              ...(targetSites ? { targetSites } : {}),
              ...(opts.config ? { config: jsonArgument(opts.config, '--config') } : {}),
              ...(opts.approvalRequest ? { approvalRequestId: opts.approvalRequest } : {}),
            };
        const created = (await withFileLines(doc, () => client.post<RolloutDetail>('/rollouts', body))).body;
        ctx.out.result(created, () => [...rolloutLines(created), `start it with: weft rollout start ${created.id}`]);
      }),
    );

  rollout
    .command('list')
    .description('rollouts, newest first')
    .option('--workflow <id>', 'of this workflow')
    .option('--status <status>', 'pending, in_progress, paused, completed, rolled_back or failed')
    .option('--site <id>', 'touching this site')
    .option('--limit <n>', 'at most n rollouts (default: all of them)', positiveCount)
    .action(
      act<{ workflow?: string; status?: string; site?: string; limit?: number }>(async (ctx, _args, opts) => {
        const q = new URLSearchParams({
          limit: '200',
          ...(opts.workflow ? { workflowId: opts.workflow } : {}),
          ...(opts.status ? { status: opts.status } : {}),
          ...(opts.site ? { site: opts.site } : {}),
        });
        const page = { items: await ctx.client().list<RolloutDetail>(`/rollouts?${q.toString()}`, opts.limit) };
        ctx.out.result(page, () => (page.items.length ? page.items.map((r) => rolloutLines(r)[0]!) : ['no rollouts']));
      }),
    );

  rollout
    .command('status')
    .description('a rollout: status, what it waits for, progress and each site’s deployment')
    .argument('<id>', 'rollout id')
    .action(
      act(async (ctx, [id]) => {
        const r = (await ctx.client().get<RolloutDetail>(`/rollouts/${seg(id!)}`)).body;
        ctx.out.result(r, () => rolloutLines(r));
      }),
    );

  for (const action of ACTIONS) {
    rollout
      .command(action)
      .description(`${action} a rollout (refused with 409 and a code when its state does not allow it)`)
      .argument('<id>', 'rollout id')
      .option('--reason <text>', 'why, kept in the audit trail')
      .action(
        act<{ reason?: string }>(async (ctx, [id], opts) => {
          const r = (await ctx.client().post<RolloutDetail>(`/rollouts/${seg(id!)}/${action}`, opts.reason ? { reason: opts.reason } : {})).body;
          ctx.out.result(r, () => rolloutLines(r));
        }),
      );
  }

  rollout
    .command('retry')
    .description('deploy the failed sites of a running rollout again, as a new attempt')
    .argument('<id>', 'rollout id')
    .option('--sites <ids>', 'only these failed sites, comma-separated', list)
    .option('--reason <text>', 'why, kept in the audit trail')
    .action(
      act<{ sites?: string[]; reason?: string }>(async (ctx, [id], opts) => {
        const body = { ...(opts.reason ? { reason: opts.reason } : {}), ...(opts.sites ? { sites: opts.sites } : {}) };
        const r = (await ctx.client().post<RolloutDetail>(`/rollouts/${seg(id!)}/retry`, body)).body;
        ctx.out.result(r, () => rolloutLines(r));
      }),
    );
}
