/** `weft run` and `weft watch`: starting executions and following them node by node. */
import type { Command } from 'commander';
import { seg } from '../client';
import { act, seconds } from '../context';
import { jsonArgument } from '../json-file';
import { exitForStatus, followInstance, summaryLines } from '../watch';
import { resolveWorkflow } from './definitions';

const interval = (opts: { interval?: number }) => Math.round((opts.interval ?? 0.5) * 1000);

export function registerExecutionCommands(program: Command): void {
  program
    .command('run')
    .description('start an execution of a workflow’s active version (or --version), optionally at a site')
    .argument('<workflow>', 'workflow id or name')
    .option('-i, --input <file|json>', 'the input: a JSON file or JSON text')
    .option('--site <id>', 'run at this site, with its configuration (and the version rolled out there)')
    .option('--version <semver>', 'run this published version instead of the active one')
    .option('--idempotency-key <key>', 'a repeat with the same key returns the same execution')
    .option('-w, --wait', 'follow it node by node until it ends; exit 4 unless it completes')
    .option('--interval <seconds>', 'how often --wait asks', seconds)
    .action(
      act<{ input?: string; site?: string; version?: string; idempotencyKey?: string; wait?: boolean; interval?: number }>(async (ctx, [ref], opts) => {
        const client = ctx.client();
        const input = opts.input === undefined ? undefined : jsonArgument(opts.input, '--input');
        const id = await resolveWorkflow(client, ref!);
        const body = {
          ...(input !== undefined ? { input } : {}),
          ...(opts.site ? { site: opts.site } : {}),
          ...(opts.version ? { version: opts.version } : {}),
        };
        const headers = opts.idempotencyKey ? { 'Idempotency-Key': opts.idempotencyKey } : undefined;
        const started = (await client.post<{ id: string; status: string }>(`/workflows/${seg(id)}/instances`, body, headers)).body;
        if (!opts.wait) {
          ctx.out.result(started, () => `started ${started.id} (${started.status}); follow it with: weft watch ${started.id}`);
          return;
        }
        ctx.out.note(`started ${started.id}`);
        // With --json only the final instance is printed: one document a script can parse.
        const ended = await followInstance(client, ctx.out, started.id, { intervalMs: interval(opts), events: !ctx.out.json });
        ctx.out.result(ended, () => summaryLines(ended));
        return exitForStatus(ended.status);
      }),
    );

  program
    .command('watch')
    .description('follow an execution node by node until it ends (--json: one JSON event per line)')
    .argument('<instance>', 'execution id')
    .option('--interval <seconds>', 'how often to ask', seconds)
    .action(
      act<{ interval?: number }>(async (ctx, [id], opts) => {
        const ended = await followInstance(ctx.client(), ctx.out, id!, { intervalMs: interval(opts), events: true });
        ctx.out.event({ type: 'end', ...ended }, () => summaryLines(ended));
        return exitForStatus(ended.status);
      }),
    );
}
