/** `weft login`: checks a URL and token against the API, then stores them for later commands. */
import type { Command } from 'commander';
import { WeftClient } from '../client';
import { act } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { normaliseUrl, storeCredentials } from '../settings';

/** The subject and roles a JWT claims, read without verifying it (only the API can), for display. */
function tokenClaims(token: string): { sub?: string; roles?: string[] } | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown; roles?: unknown };
    return {
      ...(typeof payload.sub === 'string' ? { sub: payload.sub } : {}),
      ...(Array.isArray(payload.roles) ? { roles: payload.roles.filter((r): r is string => typeof r === 'string') } : {}),
    };
  } catch {
    return undefined;
  }
}

export function registerSessionCommands(program: Command): void {
  program
    .command('login')
    .description('check an API URL and token (or WEFT_URL / WEFT_TOKEN) and store them, readable by you only')
    .option('--url <url>', 'the API, e.g. http://localhost:3000')
    .option('--token <jwt>', 'a bearer token (npm run token -- --sub you --roles operator)')
    .option('--no-check', 'store without asking the API first')
    .action(
      act<{ url?: string; token?: string; check: boolean }>(async ({ out }, _args, opts) => {
        const url = opts.url ?? process.env.WEFT_URL;
        const token = opts.token ?? process.env.WEFT_TOKEN;
        if (!url || !token) throw new CliError(EXIT.BAD_INPUT, 'give --url and --token (or set WEFT_URL and WEFT_TOKEN)', { code: 'USAGE' });
        const credentials = { url: normaliseUrl(url), token };
        // Any authenticated read proves the URL and the token; the subject need not be a directory user.
        if (opts.check) await new WeftClient(credentials).get('/workflows?limit=1');
        const me = tokenClaims(token);
        const file = storeCredentials(credentials);
        out.result({ url: credentials.url, user: me?.sub ?? null, roles: me?.roles ?? [], checked: opts.check, configFile: file }, () => [
          `logged in to ${credentials.url}${me?.sub ? ` as ${me.sub}${me.roles?.length ? ` (${me.roles.join(', ')})` : ''}` : ''}`,
          `credentials stored in ${file} (mode 600)`,
        ]);
      }),
    );
}
