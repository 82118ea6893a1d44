import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes Weft sets on every execution, so operators can filter in the
 * Temporal Web UI (e.g. `WeftDefinitionId = "…" AND WeftStatus = "waiting"`). The dev server
 * registers them at start; a production cluster needs `temporal operator search-attribute create`.
 */
export const definitionIdKey = defineSearchAttributeKey('WeftDefinitionId', SearchAttributeType.KEYWORD);
export const versionKey = defineSearchAttributeKey('WeftVersion', SearchAttributeType.KEYWORD);
export const statusKey = defineSearchAttributeKey('WeftStatus', SearchAttributeType.KEYWORD);
/** Set on executions started at a site (`WeftSite = "plant-a"`). */
export const siteKey = defineSearchAttributeKey('WeftSite', SearchAttributeType.KEYWORD);

/** Set on rollout workflows (one per rollout, id = rollout id). */
export const rolloutDefinitionIdKey = defineSearchAttributeKey('WeftRolloutDefinitionId', SearchAttributeType.KEYWORD);
export const rolloutVersionKey = defineSearchAttributeKey('WeftRolloutVersion', SearchAttributeType.KEYWORD);
export const rolloutStatusKey = defineSearchAttributeKey('WeftRolloutStatus', SearchAttributeType.KEYWORD);

export const WEFT_SEARCH_ATTRIBUTES = [definitionIdKey, versionKey, statusKey, siteKey, rolloutDefinitionIdKey, rolloutVersionKey, rolloutStatusKey];
