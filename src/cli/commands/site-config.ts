/** `weft config get | set`: a site's effective configuration and its own values (docs/sites.md). */
import type { Command } from 'commander';
import { seg } from '../client';
import { act } from '../context';

interface EffectiveItem {
  key: string;
  type?: string;
  secret?: boolean;
  isSet?: boolean;
  value?: unknown;
  scope?: string | null;
  source?: string | null;
  etag?: string | null;
}

function itemLine(i: EffectiveItem): string {
  const value = i.secret ? (i.isSet ? '(secret, set)' : '(secret, not set)') : i.isSet === false ? '(not set)' : JSON.stringify(i.value);
  return `${i.key} = ${value}${i.source ? `  from ${i.source}` : i.scope ? `  (${i.scope})` : ''}`;
}

/** A value from the command line: JSON when it parses (`42`, `true`, `{"a":1}`, `"x"`), else the text itself. */
function valueArg(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('a site’s configuration: effective values with where each comes from, and its own values');

  config
    .command('get')
    .description('the site’s effective configuration, or one key of it')
    .argument('<site>', 'site id')
    .argument('[key]', 'one parameter key')
    .action(
      act(async (ctx, [site, key]) => {
        const client = ctx.client();
        if (key) {
          const item = (await client.get<EffectiveItem>(`/sites/${seg(site!)}/config/${seg(key)}`)).body;
          ctx.out.result(item, () => itemLine(item));
          return;
        }
        const all = (await client.get<{ siteId: string; items: EffectiveItem[] }>(`/sites/${seg(site!)}/config`)).body;
        ctx.out.result(all, () => (all.items.length ? all.items.map(itemLine) : [`${site} has no configuration parameters`]));
      }),
    );

  config
    .command('set')
    .description('set the site’s own value of a key (a production site may need an approval first)')
    .argument('<site>', 'site id')
    .argument('<key>', 'parameter key')
    .argument('<value>', 'JSON (42, true, {"a":1}) or plain text')
    .requiredOption('--reason <text>', 'why, kept in the configuration history and the audit trail')
    .option('--if-match <etag>', 'only if the value is still this one (from `config get --json`); 412 otherwise')
    .action(
      act<{ reason: string; ifMatch?: string }>(async (ctx, [site, key, value], opts) => {
        const headers: Record<string, string> = opts.ifMatch ? { 'If-Match': `"${opts.ifMatch.replace(/^"|"$/g, '')}"` } : {};
        const written = await ctx.client().call('PUT', `/sites/${seg(site!)}/config/${seg(key!)}`, { value: valueArg(value!), reason: opts.reason }, headers);
        ctx.out.result(written.body, () =>
          written.status === 202
            ? `the change waits for approval request ${(written.body as { approvalRequestId: string }).approvalRequestId}`
            : `${site}: ${key} = ${JSON.stringify((written.body as { value: unknown }).value)}`,
        );
      }),
    );
}
