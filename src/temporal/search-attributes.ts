import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { StartupError } from '../config/settings';
import { WEFT_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/** Temporal lacks a search attribute Weft needs and would not take it: starting would fail every execution. */
export class SearchAttributesError extends StartupError {
  override readonly name = 'SearchAttributesError';
}

/** gRPC ALREADY_EXISTS: another Weft process registered the attribute a moment earlier. */
const ALREADY_EXISTS = 6;

/**
 * Makes sure the namespace has Weft's search attributes (without them every start fails with
 * "no mapping defined for search attribute"): registers the missing ones through the operator
 * service, which is idempotent and safe when several processes start at once.
 * @returns the names it registered (empty when all were there)
 * @throws SearchAttributesError when the server refuses (no permission, a managed cloud, no free
 *   slot), with the exact `temporal operator search-attribute create` commands to run instead;
 *   or when the namespace does not exist
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string, address: string): Promise<string[]> {
  const missing = await missingAttributes(connection, namespace, address);
  for (const key of missing) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        // Weft's keys are typed constants, so the encoding always exists.
        searchAttributes: { [key.name]: encodeSearchAttributeIndexedValueType(key.type)! },
      });
    } catch (err) {
      if ((err as { code?: unknown }).code === ALREADY_EXISTS) continue;
      const commands = missing
        .map((k) => `  temporal operator search-attribute create --address ${address} --namespace ${namespace} --name ${k.name} --type ${titleCase(k.type)}`)
        .join('\n');
      throw new SearchAttributesError(
        `Temporal namespace "${namespace}" at ${address} lacks Weft's search attributes and refused to register them ` +
          `(${(err as Error).message}). Ask its operator to run:\n${commands}`,
        { cause: err },
      );
    }
  }
  return missing.map((k) => k.name);
}

/** gRPC NOT_FOUND: the namespace does not exist on that server. */
const NOT_FOUND = 5;

async function missingAttributes(connection: Connection, namespace: string, address: string) {
  let listed;
  try {
    listed = await connection.operatorService.listSearchAttributes({ namespace });
  } catch (err) {
    if ((err as { code?: unknown }).code !== NOT_FOUND) throw err;
    // Weft does not create namespaces on a server it does not own: a typo must not become a new one.
    throw new SearchAttributesError(
      `Temporal at ${address} has no namespace "${namespace}". Set TEMPORAL_NAMESPACE to an existing one, or create it:\n` +
        `  temporal operator namespace create --address ${address} --namespace ${namespace}`,
      { cause: err },
    );
  }
  const present = new Set(Object.keys(listed.customAttributes ?? {}));
  return WEFT_SEARCH_ATTRIBUTES.filter((k) => !present.has(k.name));
}

/** KEYWORD → Keyword, as the CLI spells types. */
function titleCase(type: string): string {
  return type
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
