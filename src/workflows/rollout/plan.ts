/**
 * Pure planning helpers shared by the API (which resolves a rollout's plan once, at creation)
 * and the workflow: the canary choice and batches.
 */

/** FNV-1a, 32 bits: a stable hash with no dependency, the same in the API and the sandbox. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The canary sites: `percentage` of `sites` rounded up, at least one, chosen by a hash of the
 * rollout id and each site id, so the same rollout always picks the same sites (a retried or
 * resumed rollout keeps them) while different rollouts spread over different sites.
 */
export function chooseCanarySites(rolloutId: string, sites: string[], percentage: number): string[] {
  const count = Math.min(sites.length, Math.max(1, Math.ceil((sites.length * percentage) / 100)));
  return [...sites]
    .map((site) => ({ site, rank: fnv1a(`${rolloutId}\n${site}`) }))
    .sort((a, b) => a.rank - b.rank || (a.site < b.site ? -1 : 1))
    .slice(0, count)
    .map((s) => s.site)
    .sort();
}

/** `items` in consecutive groups of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const n = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}
