/**
 * Configuration parameters: what may be configured, its type, default, options, JSON Schema,
 * the level it is required at, and whether it is secret. `type` and `secret` are fixed at
 * creation (values already stored were checked, and sealed or not, by them).
 */
import type { WeftDb } from '../db/client';
import { appendAudit, type AuditContext } from '../db/repositories/audit';
import { countValues, deleteParameter, getParameter, insertParameter, listParameters, updateParameter } from '../db/repositories/config';
import type { ConfigParameterRow, ConfigType, RequiredLevel } from '../db/schema';
import { checkParameter } from '../domain/config-rules';
import { WeftError } from '../graph/errors';

/** A parameter as the API shows and takes it. */
export interface ParameterInput {
  key: string;
  name: string;
  type: ConfigType;
  defaultValue?: unknown;
  description?: string | null;
  options?: Array<{ value: string; label: string }> | null;
  validation?: Record<string, unknown> | boolean | null;
  requiredAtLevel?: RequiredLevel | null;
  category?: string | null;
  secret?: boolean;
}

/** What may change after creation. */
export type ParameterPatch = Partial<Omit<ParameterInput, 'key' | 'type' | 'secret'>>;

export type ParameterView = ConfigParameterRow;

export function parameterNotFound(key: string): WeftError {
  return new WeftError('CONFIG_PARAMETER_NOT_FOUND', `configuration parameter ${key} does not exist`, { details: { key } });
}

function refuseInvalid(key: string, issues: ReturnType<typeof checkParameter>): void {
  if (issues.length > 0) throw new WeftError('VALIDATION_ERROR', `configuration parameter ${key} is not valid`, { issues });
}

/** The audit trail's copy of a parameter: `secret` is renamed, or the redaction net would mask the flag itself. */
function audited(row: ConfigParameterRow): Record<string, unknown> {
  const { secret, createdAt: _c, updatedAt: _u, ...rest } = row;
  return { ...rest, sealedValues: secret };
}

export class ConfigParameterService {
  constructor(private readonly db: WeftDb) {}

  /** @throws WeftError VALIDATION_ERROR (with paths), CONFIG_PARAMETER_CONFLICT */
  async create(input: ParameterInput, ctx: AuditContext): Promise<ParameterView> {
    const secret = input.secret ?? false;
    refuseInvalid(input.key, checkParameter(input.key, { ...input, secret }));
    return this.db.transaction(async (tx) => {
      const row = await insertParameter(tx, {
        key: input.key,
        name: input.name,
        type: input.type,
        defaultValue: input.defaultValue ?? null,
        description: input.description ?? null,
        options: input.options ?? null,
        validation: input.validation ?? null,
        requiredAtLevel: input.requiredAtLevel ?? null,
        category: input.category ?? null,
        secret,
        createdBy: ctx.actor,
      });
      if (!row) {
        throw new WeftError('CONFIG_PARAMETER_CONFLICT', `configuration parameter ${input.key} exists already`, {
          issues: [{ path: '/key', code: 'conflict', message: 'key taken' }],
        });
      }
      await appendAudit(tx, { ...ctx, action: 'config.parameter_created', resourceType: 'config_parameter', resourceId: row.key, after: audited(row) });
      return row;
    });
  }

  async list(category?: string): Promise<ParameterView[]> {
    return listParameters(this.db, category);
  }

  /** @throws WeftError CONFIG_PARAMETER_NOT_FOUND */
  async get(key: string): Promise<ParameterView> {
    const row = await getParameter(this.db, key);
    if (!row) throw parameterNotFound(key);
    return row;
  }

  /**
   * Changes name, description, default, options, schema, level or category; the result is
   * checked whole. Stored values are not rechecked here: `POST /sites/{id}/config/validate` says
   * which no longer fit.
   * @throws WeftError CONFIG_PARAMETER_NOT_FOUND, VALIDATION_ERROR
   */
  async patch(key: string, patch: ParameterPatch, ctx: AuditContext): Promise<ParameterView> {
    return this.db.transaction(async (tx) => {
      const before = await getParameter(tx, key);
      if (!before) throw parameterNotFound(key);
      const merged = { ...before, ...patch };
      refuseInvalid(key, checkParameter(key, merged));
      const after = (await updateParameter(tx, key, patch)) as ConfigParameterRow;
      await appendAudit(tx, {
        ...ctx,
        action: 'config.parameter_updated',
        resourceType: 'config_parameter',
        resourceId: key,
        before: audited(before),
        after: audited(after),
      });
      return after;
    });
  }

  /**
   * Deletes a parameter no scope sets a value for.
   * @throws WeftError CONFIG_PARAMETER_NOT_FOUND, CONFIG_PARAMETER_IN_USE (with `details.values`)
   */
  async delete(key: string, ctx: AuditContext): Promise<void> {
    await this.db.transaction(async (tx) => {
      const before = await getParameter(tx, key);
      if (!before) throw parameterNotFound(key);
      const values = await countValues(tx, key);
      if (values > 0) {
        throw new WeftError('CONFIG_PARAMETER_IN_USE', `${values} value(s) of ${key} are set; delete those overrides first`, { details: { key, values } });
      }
      await deleteParameter(tx, key);
      await appendAudit(tx, { ...ctx, action: 'config.parameter_deleted', resourceType: 'config_parameter', resourceId: key, before: audited(before) });
    });
  }
}
