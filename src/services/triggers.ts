/**
 * Trigger management (`/workflows/{id}/triggers`): each change is made, mirrored onto its
 * Temporal Schedule (schedule triggers) and audited in one transaction, so a refused schedule
 * leaves neither a row nor an audit record.
 */
import { randomUUID } from 'node:crypto';
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { getSite } from '../db/repositories/sites';
import { deleteTrigger, getTrigger, getTriggerForUpdate, graphEventTriggers, insertTrigger, listTriggers, updateTrigger } from '../db/repositories/triggers';
import type { Trigger } from '../db/schema';
import type { SecretBox } from '../domain/secret-box';
import { CONFIG_SCHEMAS, WebhookConfigSchema, type CreateTrigger, type PatchTrigger } from '../domain/trigger-config';
import { newWebhookSecret } from '../domain/webhook-signature';
import { WeftError } from '../graph/errors';
import { fromZodIssues } from '../graph/zod-issues';
import type { DefinitionService } from './definitions';
import type { TriggerSchedules } from './trigger-schedules';
import type { TriggerStarts, TriggeredStart } from './trigger-starts';
import { auditedTrigger, graphTriggerId, graphTriggerView, triggerView, webhookDescription, type TriggerView } from './trigger-views';

/** The sealed form of a webhook secret (SecretBox seals objects). */
export function sealWebhookSecret(box: SecretBox, secret: string): string {
  return box.seal({ secret });
}

/** Creating, changing, deleting and firing a definition's triggers. */
export class TriggerService {
  constructor(
    private readonly db: WeftDb,
    private readonly definitions: DefinitionService,
    private readonly schedules: TriggerSchedules,
    private readonly starts: TriggerStarts,
    private readonly box: SecretBox,
  ) {}

  /** The definition's triggers: those made here, then the event triggers of its active graph. @throws WeftError WORKFLOW_NOT_FOUND */
  async list(definitionId: string): Promise<{ items: TriggerView[] }> {
    await this.definitions.require(definitionId);
    const [rows, graph] = await Promise.all([listTriggers(this.db, definitionId), graphEventTriggers(this.db, definitionId)]);
    const items = await Promise.all(rows.map((row) => this.view(row)));
    return { items: [...items, ...graph.map((t) => graphTriggerView(definitionId, t))] };
  }

  /** @throws WeftError WORKFLOW_NOT_FOUND, TRIGGER_NOT_FOUND */
  async get(definitionId: string, triggerId: string): Promise<TriggerView> {
    await this.definitions.require(definitionId);
    const graph = (await graphEventTriggers(this.db, definitionId)).find((t) => graphTriggerId(t.event) === triggerId);
    if (graph) return graphTriggerView(definitionId, graph);
    return this.view(await this.owned(this.db, definitionId, triggerId, false));
  }

  /**
   * Creates a trigger (and a schedule trigger's Temporal Schedule). A webhook's secret is in the
   * answer only this once.
   * @throws WeftError WORKFLOW_NOT_FOUND, SITE_NOT_FOUND, VALIDATION_ERROR (a cron Temporal refuses)
   */
  async create(definitionId: string, req: CreateTrigger, ctx: AuditContext): Promise<TriggerView & { secret?: string }> {
    await this.definitions.require(definitionId);
    if (req.site !== undefined) await this.requireSite(req.site);
    const secret = req.type === 'webhook' ? newWebhookSecret() : undefined;
    const row = await this.db.transaction(async (tx) => {
      const created = await insertTrigger(tx, {
        id: `trg-${randomUUID()}`,
        definitionId,
        type: req.type,
        name: req.name ?? null,
        enabled: req.enabled,
        inputMapping: req.inputMapping ?? null,
        siteId: req.site ?? null,
        config: req.config,
        secretSealed: secret ? sealWebhookSecret(this.box, secret) : null,
        createdBy: ctx.actor,
      });
      if (created.type === 'schedule') await this.schedules.create(created);
      await appendAudit(tx, {
        ...ctx,
        action: 'trigger.created',
        resourceType: 'trigger',
        resourceId: created.id,
        workflowId: definitionId,
        after: auditedTrigger(created),
      });
      return created;
    });
    return { ...(await this.view(row)), ...(secret ? { secret } : {}) };
  }

  /**
   * Changes a trigger; `config` replaces its type's settings whole. Disabling a schedule trigger pauses its schedule.
   * @throws WeftError TRIGGER_NOT_FOUND, TRIGGER_READ_ONLY, SITE_NOT_FOUND, INVALID_REQUEST (config), VALIDATION_ERROR
   */
  async update(definitionId: string, triggerId: string, patch: PatchTrigger, ctx: AuditContext): Promise<TriggerView> {
    await this.refuseGraphTrigger(definitionId, triggerId);
    if (typeof patch.site === 'string') await this.requireSite(patch.site);
    const row = await this.db.transaction(async (tx) => {
      const before = await this.owned(tx, definitionId, triggerId, true);
      const after = await updateTrigger(tx, triggerId, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.inputMapping !== undefined ? { inputMapping: patch.inputMapping } : {}),
        ...(patch.site !== undefined ? { siteId: patch.site } : {}),
        ...(patch.config !== undefined ? { config: parseConfig(before.type, patch.config) } : {}),
      });
      if (after.type === 'schedule') await this.schedules.update(after);
      await appendAudit(tx, {
        ...ctx,
        action: 'trigger.updated',
        resourceType: 'trigger',
        resourceId: triggerId,
        workflowId: definitionId,
        before: auditedTrigger(before),
        after: auditedTrigger(after),
      });
      return after;
    });
    return this.view(row);
  }

  /** Deletes a trigger and its schedule. @throws WeftError TRIGGER_NOT_FOUND, TRIGGER_READ_ONLY */
  async remove(definitionId: string, triggerId: string, ctx: AuditContext): Promise<void> {
    await this.refuseGraphTrigger(definitionId, triggerId);
    await this.db.transaction(async (tx) => {
      const before = await this.owned(tx, definitionId, triggerId, true);
      await deleteTrigger(tx, triggerId);
      if (before.type === 'schedule') await this.schedules.remove(triggerId);
      await appendAudit(tx, {
        ...ctx,
        action: 'trigger.deleted',
        resourceType: 'trigger',
        resourceId: triggerId,
        workflowId: definitionId,
        before: auditedTrigger(before),
      });
    });
  }

  /** A webhook's new secret (the old one stops working at once), shown this once. @throws WeftError TRIGGER_NOT_FOUND, INVALID_REQUEST */
  async rotateSecret(definitionId: string, triggerId: string, ctx: AuditContext): Promise<{ id: string; secret: string }> {
    await this.refuseGraphTrigger(definitionId, triggerId);
    const secret = newWebhookSecret();
    await this.db.transaction(async (tx) => {
      const trigger = await this.owned(tx, definitionId, triggerId, true);
      if (trigger.type !== 'webhook') throw new WeftError('INVALID_REQUEST', `trigger ${triggerId} is a ${trigger.type} trigger; only webhooks have a secret`);
      await updateTrigger(tx, triggerId, { secretSealed: sealWebhookSecret(this.box, secret) });
      await appendAudit(tx, { ...ctx, action: 'trigger.secret_rotated', resourceType: 'trigger', resourceId: triggerId, workflowId: definitionId });
    });
    return { id: triggerId, secret };
  }

  /**
   * Starts a manual trigger's execution with `input` (its mapping sees `{ input }`), once per Idempotency-Key.
   * @throws WeftError TRIGGER_NOT_FOUND, TRIGGER_DISABLED, INVALID_REQUEST (not a manual trigger), and those of a start
   */
  async fireManual(definitionId: string, triggerId: string, input: unknown, key: string | undefined, ctx: AuditContext): Promise<TriggeredStart> {
    await this.refuseGraphTrigger(definitionId, triggerId);
    const trigger = await this.owned(this.db, definitionId, triggerId, false);
    if (trigger.type !== 'manual')
      throw new WeftError('INVALID_REQUEST', `trigger ${triggerId} is a ${trigger.type} trigger; only manual triggers are fired through the API`);
    if (!trigger.enabled) throw new WeftError('TRIGGER_DISABLED', `trigger ${triggerId} is disabled`);
    return this.starts.fire(trigger, { input: input ?? null }, key ?? `manual:${randomUUID()}`, ctx, key !== undefined);
  }

  private async view(row: Trigger): Promise<TriggerView> {
    if (row.type === 'webhook') return triggerView(row, { webhook: webhookDescription(row, WebhookConfigSchema.parse(row.config)) });
    if (row.type === 'schedule') return triggerView(row, { schedule: await this.schedules.describe(row.id) });
    return triggerView(row);
  }

  private async owned(db: WeftDb, definitionId: string, triggerId: string, lock: boolean): Promise<Trigger> {
    const row = lock ? await getTriggerForUpdate(db, triggerId) : await getTrigger(db, triggerId);
    if (!row || row.definitionId !== definitionId) throw new WeftError('TRIGGER_NOT_FOUND', `workflow ${definitionId} has no trigger ${triggerId}`);
    return row;
  }

  private async refuseGraphTrigger(definitionId: string, triggerId: string): Promise<void> {
    await this.definitions.require(definitionId);
    if (triggerId.startsWith(graphTriggerId(''))) {
      throw new WeftError('TRIGGER_READ_ONLY', `${triggerId} is written in the definition's graph (its "triggers"); change it with a new version`);
    }
  }

  private async requireSite(siteId: string): Promise<void> {
    if (!(await getSite(this.db, siteId))) throw new WeftError('SITE_NOT_FOUND', `site ${siteId} does not exist`);
  }
}

/** A PATCH's config, checked against the trigger's type. @throws WeftError INVALID_REQUEST with paths under /config */
function parseConfig(type: Trigger['type'], raw: Record<string, unknown>): Record<string, unknown> {
  const parsed = CONFIG_SCHEMAS[type].safeParse(raw);
  if (!parsed.success) throw new WeftError('INVALID_REQUEST', 'the request body is not valid', { issues: fromZodIssues(parsed.error.issues, ['config']) });
  return parsed.data;
}
