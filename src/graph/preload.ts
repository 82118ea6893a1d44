/**
 * The last module the worker preloads into its shared workflow context (SHARED_WORKFLOW_MODULES in
 * src/temporal/worker.ts), so that the definition language is evaluated once per worker instead of once per
 * workflow.
 *
 * The SDK deep-freezes every module of that context before the first workflow runs, skipping what
 * is frozen already. zod cannot run frozen: it builds a schema's methods and internals lazily, on
 * first use, as properties of the schema ("Cannot define property safeParse, object is not
 * extensible"). So this freezes the module *records* of the definition language and its libraries,
 * which the bundle's loader never writes to after evaluation, and the SDK leaves their exports
 * alone. Sharing them is safe because they hold no per-workflow state: pure functions, schemas
 * whose lazy parts are deterministic, and caches of pure results.
 */

/** Module ids (paths in the bundle) exempted from the SDK's freeze. */
const EXEMPT_PREFIXES = ['./src/graph/', './node_modules/zod/', './node_modules/jsonata/', './node_modules/@cfworker/json-schema/'];

declare const __webpack_modules__: Record<string, unknown>;

/** The bundle's module ids; none outside a webpack bundle (e.g. when a unit test imports this). */
function bundleModuleIds(): string[] {
  try {
    return Object.keys(__webpack_modules__);
  } catch {
    return [];
  }
}

const moduleCache = (globalThis as { __webpack_module_cache__?: Record<string, object | undefined> }).__webpack_module_cache__;
for (const id of bundleModuleIds()) {
  if (!EXEMPT_PREFIXES.some((prefix) => id.startsWith(prefix))) continue;
  const record = moduleCache?.[id];
  if (record) Object.freeze(record);
}

export {};
