/**
 * Connector secrets that live in a site's configuration: a stored connector's secret written
 * `$config:<key>` takes the value of configuration parameter `<key>` (usually a `secret` one) at
 * the site the execution runs at, read in the activity for that call only, so plants sharing one
 * connector each use their own credentials and no credential reaches workflow history.
 */
import { WeftError } from '../../graph/errors';
import type { LoadedConnector } from './runtime';

const CONFIG_REF = /^\$config:([A-Za-z0-9_.-]{1,200})$/;

/** A site's effective values of `keys` (secret ones opened; unset ones absent) and the configuration revision they were read at. */
export type SiteValueLookup = (siteId: string, keys: string[]) => Promise<{ values: Record<string, unknown>; revision: number }>;

/** The configuration keys a connector's secrets name. */
export function configRefsOf(secrets: Record<string, unknown>): Array<[secret: string, key: string]> {
  return Object.entries(secrets).flatMap(([name, v]) => {
    const m = typeof v === 'string' ? CONFIG_REF.exec(v) : null;
    return m ? [[name, m[1] as string] as [string, string]] : [];
  });
}

/**
 * The connector with its `$config:` secrets replaced by the site's values.
 * @throws WeftError CONFIG_INVALID when it names configuration but the execution runs at no site, or the site has no such value
 */
export async function withSiteSecrets(
  connector: LoadedConnector,
  name: string,
  siteId: string | undefined,
  lookup: SiteValueLookup | undefined,
): Promise<LoadedConnector> {
  const refs = configRefsOf(connector.secrets);
  if (refs.length === 0) return connector;
  if (!siteId || !lookup) {
    throw new WeftError(
      'CONFIG_INVALID',
      `connector ${name} takes ${refs.map(([, k]) => k).join(', ')} from the site's configuration, but this call runs at no site (start the execution with a site)`,
    );
  }
  const { values, revision } = await lookup(
    siteId,
    refs.map(([, key]) => key),
  );
  const secrets = { ...connector.secrets };
  for (const [secret, key] of refs) {
    const value = values[key];
    if (value === null || value === undefined) {
      throw new WeftError('CONFIG_INVALID', `connector ${name} takes its ${secret} from configuration ${key}, which site ${siteId} does not set`);
    }
    secrets[secret] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { ...connector, secrets, fromSite: { siteId, revision } };
}
