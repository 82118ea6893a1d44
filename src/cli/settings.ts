/**
 * Where the CLI finds the API and its token: WEFT_URL / WEFT_TOKEN first, then the file `weft
 * login` wrote (`$WEFT_CONFIG`, else `$XDG_CONFIG_HOME/weft/config.json`, else
 * `~/.config/weft/config.json`; `%APPDATA%\weft\config.json` on Windows). The file holds a bearer
 * token, so it is written readable by its owner only.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, EXIT } from './exit-codes';

export interface Credentials {
  url: string;
  token: string;
}

/** The config file's path. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WEFT_CONFIG) return env.WEFT_CONFIG;
  const base = env.XDG_CONFIG_HOME || (process.platform === 'win32' && env.APPDATA ? env.APPDATA : join(homedir(), '.config'));
  return join(base, 'weft', 'config.json');
}

/** `http://host:3000`, `http://host:3000/` and `http://host:3000/api/v1` all name the same API. */
export function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(EXIT.BAD_INPUT, `not a URL: ${url}`, { code: 'INVALID_URL' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError(EXIT.BAD_INPUT, `not an http(s) URL: ${url}`, { code: 'INVALID_URL' });
  return parsed.href.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

function readStored(file: string): Partial<Credentials> {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Credentials>;
    return { ...(typeof raw.url === 'string' ? { url: raw.url } : {}), ...(typeof raw.token === 'string' ? { token: raw.token } : {}) };
  } catch {
    return {};
  }
}

/** The API and token to use. @throws CliError UNREACHABLE when either is missing */
export function loadCredentials(env: NodeJS.ProcessEnv = process.env): Credentials {
  const stored = readStored(configPath(env));
  const url = env.WEFT_URL || stored.url;
  const token = env.WEFT_TOKEN || stored.token;
  if (!url || !token) {
    throw new CliError(EXIT.UNREACHABLE, `no ${!url ? 'API URL' : 'token'}: run \`weft login --url <api> --token <jwt>\` or set WEFT_URL and WEFT_TOKEN`, {
      code: 'NOT_LOGGED_IN',
    });
  }
  return { url: normaliseUrl(url), token };
}

/** Stores the credentials for later commands, mode 0600 (its folder 0700). Returns the file's path. */
export function storeCredentials(credentials: Credentials, env: NodeJS.ProcessEnv = process.env): string {
  const file = configPath(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync keeps the mode of a file that existed already.
  chmodSync(file, 0o600);
  return file;
}
