/** `weft what-if`: a version run in simulation over recorded executions before it reaches a site (docs/what-if.md). */
import type { Command } from 'commander';
import { seg, type WeftClient } from '../client';
import { act, seconds, type Ctx } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { jsonArgument } from '../json-file';
import { resolveWorkflow } from './definitions';

interface WhatIfReport {
  id: string;
  status: 'running' | 'completed' | 'failed';
  error?: string | null;
  progress: { processed: number; total: number; percentage: number };
  summary: {
    counts: Record<string, number>;
    changedPercentage: number;
    topNodes: Array<{ nodeId: string; executions: number }>;
  };
  executions: { total: number; items: Array<{ executionId: string; category: string; nodes?: string[] }> };
}

interface WhatIfOptions {
  fromVersion?: string;
  site?: string;
  since?: string;
  until?: string;
  status?: string;
  limit?: string;
  stubs?: string;
  wait: boolean;
  interval?: number;
}

const CATEGORIES = ['same', 'output_changed', 'path_changed', 'now_fails', 'now_succeeds', 'unanswered'];

function reportLines(r: WhatIfReport): string[] {
  const lines = [`${r.id}: ${r.status}, ${r.progress.processed} of ${r.progress.total} executions (${r.summary.changedPercentage}% changed)`];
  if (r.error) lines.push(`  error: ${r.error}`);
  for (const c of CATEGORIES) if (r.summary.counts[c]) lines.push(`  ${c}: ${r.summary.counts[c]}`);
  if (r.summary.topNodes.length > 0) lines.push(`  most differences at: ${r.summary.topNodes.map((n) => `${n.nodeId} (${n.executions})`).join(', ')}`);
  for (const e of r.executions.items.filter((i) => i.category !== 'same').slice(0, 20)) {
    lines.push(`  ${e.executionId}: ${e.category}${e.nodes?.length ? ` at ${e.nodes.join(', ')}` : ''}`);
  }
  return lines;
}

export function registerWhatIfCommands(program: Command): void {
  program
    .command('what-if')
    .description('run a version in simulation over recorded executions (nothing is sent out) and report what would change')
    .argument('<workflow>', 'workflow id or name')
    .argument('<version>', 'the candidate version (any status)')
    .option('--from-version <semver>', 'only executions recorded from this version')
    .option('--site <id>', 'only executions at this site')
    .option('--since <iso>', 'only executions started at or after this instant')
    .option('--until <iso>', 'only executions started before this instant')
    .option('--status <status>', 'only executions that ended so (completed or failed)')
    .option('--limit <n>', 'at most this many executions, newest first (≤ 5,000)')
    .option('--stubs <file|json>', 'answers for side-effecting nodes with no recorded answer: { nodeId: output }')
    .option('--no-wait', 'start it and print its id without waiting for the report')
    .option('--interval <seconds>', 'how often to ask for progress', seconds)
    .action(
      act<WhatIfOptions>(async (ctx, [ref, version], opts) => {
        const client = ctx.client();
        const limit = opts.limit === undefined ? undefined : Number(opts.limit);
        if (limit !== undefined && !Number.isInteger(limit))
          throw new CliError(EXIT.BAD_INPUT, `--limit: not a whole number: ${opts.limit}`, { code: 'INVALID_OPTION' });
        const sample = {
          ...(opts.fromVersion ? { fromVersion: opts.fromVersion } : {}),
          ...(opts.site ? { site: opts.site } : {}),
          ...(opts.since ? { since: opts.since } : {}),
          ...(opts.until ? { until: opts.until } : {}),
          ...(opts.status ? { status: opts.status } : {}),
          ...(limit !== undefined ? { limit } : {}),
        };
        const stubs = opts.stubs === undefined ? undefined : jsonArgument(opts.stubs, '--stubs');
        const id = await resolveWorkflow(client, ref!);
        const started = (
          await client.post<{ id: string }>(`/workflows/${seg(id)}/versions/${seg(version!)}/what-if`, { sample, ...(stubs !== undefined ? { stubs } : {}) })
        ).body;
        if (!opts.wait) {
          ctx.out.result(started, () => `started what-if ${started.id}; its report: weft what-if-report ${started.id}`);
          return;
        }
        const report = await follow(ctx, client, started.id, Math.round((opts.interval ?? 1) * 1000));
        ctx.out.result(report, () => reportLines(report));
        return report.status === 'completed' ? EXIT.OK : EXIT.ENDED_BADLY;
      }),
    );

  program
    .command('what-if-report')
    .description('the report of a what-if (its progress while it runs)')
    .argument('<id>', 'what-if id')
    .action(
      act(async (ctx, [id]) => {
        const report = (await ctx.client().get<WhatIfReport>(`/what-if/${seg(id!)}?limit=200`)).body;
        ctx.out.result(report, () => reportLines(report));
      }),
    );
}

async function follow(ctx: Ctx, client: WeftClient, id: string, intervalMs: number): Promise<WhatIfReport> {
  let shown = -1;
  for (;;) {
    const report = (await client.get<WhatIfReport>(`/what-if/${seg(id)}?limit=200`)).body;
    if (report.progress.processed !== shown) {
      shown = report.progress.processed;
      ctx.out.note(`${id}: ${report.progress.processed} of ${report.progress.total} executions`);
    }
    if (report.status !== 'running') return report;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
