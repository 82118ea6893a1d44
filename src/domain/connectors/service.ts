/**
 * Stored connector instances (IntegrationConnectorService of 000): configuration validated by
 * the type's driver, credentials sealed with AES-256-GCM and never shown again, connection
 * tests, and the operations a connector offers as JSON Schema.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ConnectorDriver } from './driver';
import { driverOf } from './registry';
import type { ConnectorRuntime, LoadedConnector } from './runtime';
import { withSiteSecrets, type SiteValueLookup } from './site-secrets';
import { NodeCallError } from '../node-call-error';
import type { WeftDb } from '../../db/client';
import { isUniqueViolation } from '../../db/errors';
import { appendAudit, type AuditContext } from '../../db/repositories/audit';
import {
  deleteConnector,
  getConnector,
  getConnectorByName,
  insertConnector,
  versionsUsingConnector,
  listConnectors,
  recordConnectorTest,
  updateConnector,
} from '../../db/repositories/connectors';
import type { ConnectorRow, ConnectorType } from '../../db/schema';
import { WeftError, type ValidationIssue } from '../../graph/errors';
import { fromZodIssues } from '../../graph/zod-issues';
import type { SecretBox } from '../secret-box';

/** A connector as the API shows it: which secrets are set, never their values. */
export interface ConnectorView {
  id: string;
  name: string;
  type: ConnectorType;
  description: string | null;
  config: Record<string, unknown>;
  secrets: Record<string, 'set'>;
  lastTestedAt: Date | null;
  lastTestOk: boolean | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One operation of a connector, its params as JSON Schema. */
export interface ConnectorOperationView {
  name: string;
  description: string;
  writes: boolean;
  params: Record<string, unknown>;
}

/** A new connector as the API receives it. */
export interface CreateConnectorInput {
  name: string;
  type: ConnectorType;
  description?: string | null;
  config: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

/** A replacement: `config` replaces the stored one; `secrets` is merged (a null value removes that secret). */
export interface UpdateConnectorInput {
  name: string;
  description?: string | null;
  config: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

function driverFor(type: ConnectorType): ConnectorDriver {
  const driver = driverOf(type);
  if (!driver) {
    throw new WeftError('CONNECTOR_NOT_SUPPORTED', `connectors of type ${type} are not available in this version`, {
      issues: [{ path: '/type', code: 'not_supported', message: `type ${type} has no driver yet` }],
    });
  }
  return driver;
}

function parsePart(schema: z.ZodType, value: unknown, prefix: 'config' | 'secrets', issues: ValidationIssue[]): Record<string, unknown> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  issues.push(...fromZodIssues(parsed.error.issues, [prefix]));
  return {};
}

/** Drops the secrets whose value is absent (a merge may leave undefined/null behind). */
function compact(secrets: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== undefined && v !== null));
}

/** What the audit trail keeps of a connector: its view (secrets only as "set") without the test bookkeeping. */
function audited(view: ConnectorView): Record<string, unknown> {
  const { lastTestedAt: _at, lastTestOk: _ok, createdAt: _c, updatedAt: _u, ...kept } = view;
  return kept;
}

/** Stored connectors: CRUD, connection tests, operations, and loading one for a node run. */
export class ConnectorService {
  constructor(
    private readonly db: WeftDb,
    private readonly box: SecretBox,
    private readonly runtime: ConnectorRuntime,
    /** Reads a site's configuration values, secrets opened (siteValueLookup, domain/site-effective.ts); without it `$config:` secrets are refused. */
    private readonly siteValue?: SiteValueLookup,
  ) {}

  /**
   * Validates config and secrets with the driver of `type`.
   * @throws WeftError VALIDATION_ERROR with paths such as `/config/baseUrl`, `/secrets/clientSecret`
   */
  private validated(
    type: ConnectorType,
    config: unknown,
    secrets: Record<string, unknown>,
  ): { config: Record<string, unknown>; secrets: Record<string, unknown> } {
    const driver = driverFor(type);
    const issues: ValidationIssue[] = [];
    const c = parsePart(driver.configSchema, config, 'config', issues);
    const s = parsePart(driver.secretsSchema, secrets, 'secrets', issues);
    if (issues.length === 0 && driver.validate) {
      for (const p of driver.validate(c, s)) issues.push({ path: p.path, code: 'custom', message: p.message });
    }
    if (issues.length > 0) throw new WeftError('VALIDATION_ERROR', `invalid ${type} connector`, { issues });
    return { config: c, secrets: compact(s) };
  }

  private view(row: ConnectorRow): ConnectorView {
    const secrets = row.secrets ? Object.fromEntries(Object.keys(this.box.open(row.secrets)).map((k) => [k, 'set' as const])) : {};
    return {
      id: row.id,
      name: row.name,
      type: row.type,
      description: row.description,
      config: row.config,
      secrets,
      lastTestedAt: row.lastTestedAt,
      lastTestOk: row.lastTestOk,
      createdBy: row.createdBy,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  private async row(id: string): Promise<ConnectorRow> {
    const row = await getConnector(this.db, id);
    if (!row) throw new WeftError('CONNECTOR_NOT_FOUND', `connector ${id} does not exist`);
    return row;
  }

  private nameTaken(name: string): WeftError {
    return new WeftError('CONNECTOR_CONFLICT', `a connector named "${name}" exists already`, {
      issues: [{ path: '/name', code: 'conflict', message: 'name taken (names are case-insensitive)' }],
    });
  }

  /**
   * @throws WeftError VALIDATION_ERROR, CONNECTOR_NOT_SUPPORTED, CONNECTOR_CONFLICT (name taken)
   */
  async create(input: CreateConnectorInput, ctx: AuditContext): Promise<ConnectorView> {
    const { config, secrets } = this.validated(input.type, input.config, input.secrets ?? {});
    try {
      return await this.db.transaction(async (tx) => {
        const row = await insertConnector(tx, {
          id: randomUUID(),
          name: input.name,
          type: input.type,
          description: input.description ?? null,
          config,
          secrets: Object.keys(secrets).length > 0 ? this.box.seal(secrets) : null,
          createdBy: ctx.actor,
        });
        const view = this.view(row);
        await appendAudit(tx, { ...ctx, action: 'connector.created', resourceType: 'connector', resourceId: row.id, after: audited(view) });
        return view;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw this.nameTaken(input.name);
      throw err;
    }
  }

  async list(): Promise<ConnectorView[]> {
    return (await listConnectors(this.db)).map((r) => this.view(r));
  }

  /** @throws WeftError CONNECTOR_NOT_FOUND */
  async get(id: string): Promise<ConnectorView> {
    return this.view(await this.row(id));
  }

  /**
   * Replaces name, description and config; merges secrets (omitted fields keep their value).
   * @throws WeftError CONNECTOR_NOT_FOUND, VALIDATION_ERROR, CONNECTOR_CONFLICT
   */
  async update(id: string, input: UpdateConnectorInput, ctx: AuditContext): Promise<ConnectorView> {
    const existing = await this.row(id);
    const stored = existing.secrets ? this.box.open(existing.secrets) : {};
    const merged = compact({ ...stored, ...(input.secrets ?? {}) });
    const { config, secrets } = this.validated(existing.type, input.config, merged);
    try {
      return await this.db.transaction(async (tx) => {
        const row = await updateConnector(tx, id, {
          name: input.name,
          description: input.description === undefined ? existing.description : input.description,
          config,
          secrets: Object.keys(secrets).length > 0 ? this.box.seal(secrets) : null,
        });
        if (!row) throw new WeftError('CONNECTOR_NOT_FOUND', `connector ${id} does not exist`);
        const view = this.view(row);
        await appendAudit(tx, {
          ...ctx,
          action: 'connector.updated',
          resourceType: 'connector',
          resourceId: id,
          // Which secrets were given (never their values): a rotation shows although both views say "set".
          details: { rotated: Object.keys(input.secrets ?? {}) },
          before: audited(this.view(existing)),
          after: audited(view),
        });
        return view;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw this.nameTaken(input.name);
      throw err;
    }
  }

  /**
   * Deletes a connector no published or active version uses (`force` deletes it anyway).
   * @throws WeftError CONNECTOR_NOT_FOUND, CONNECTOR_IN_USE (with `details.usedBy`)
   */
  async delete(id: string, opts: { force?: boolean }, ctx: AuditContext): Promise<void> {
    const row = await this.row(id);
    if (!opts.force) {
      const usedBy = await versionsUsingConnector(this.db, row.id, row.name);
      if (usedBy.length > 0) {
        const list = usedBy.map((u) => `${u.definitionId}@${u.version}`).join(', ');
        throw new WeftError('CONNECTOR_IN_USE', `connector ${row.name} is used by ${list}; retire those versions or delete with ?force=true`, {
          details: { usedBy },
        });
      }
    }
    await this.db.transaction(async (tx) => {
      if (!(await deleteConnector(tx, id))) throw new WeftError('CONNECTOR_NOT_FOUND', `connector ${id} does not exist`);
      await appendAudit(tx, {
        ...ctx,
        action: 'connector.deleted',
        resourceType: 'connector',
        resourceId: id,
        details: { force: opts.force === true },
        before: audited(this.view(row)),
      });
    });
  }

  /**
   * Runs the driver's connection test and records its outcome. A failing test is an answer
   * (`ok: false` with the reason), not an error of the request.
   * @throws WeftError CONNECTOR_NOT_FOUND, CONNECTOR_NOT_SUPPORTED
   */
  async test(id: string, ctx: AuditContext, timeoutMs = 15_000): Promise<{ ok: boolean; code?: string; message: string; testedAt: Date }> {
    const loaded = await this.load(await this.row(id));
    let result: { ok: boolean; code?: string; message: string };
    try {
      const ctx = this.runtime.context(loaded.connector, { idempotencyKey: `test:${randomUUID()}`, timeoutMs });
      result = { ok: true, message: (await loaded.driver.testConnection(ctx)).message };
    } catch (err) {
      if (!(err instanceof NodeCallError)) throw err;
      result = { ok: false, code: err.code, message: err.message };
    }
    const testedAt = new Date();
    await this.db.transaction(async (tx) => {
      if (!(await recordConnectorTest(tx, id, result.ok, testedAt))) return; // deleted meanwhile: nothing changed
      await appendAudit(tx, {
        ...ctx,
        action: 'connector.tested',
        resourceType: 'connector',
        resourceId: id,
        details: { ok: result.ok, code: result.code ?? null },
      });
    });
    return { ...result, testedAt };
  }

  /** @throws WeftError CONNECTOR_NOT_FOUND, CONNECTOR_NOT_SUPPORTED */
  async operations(id: string): Promise<ConnectorOperationView[]> {
    const driver = driverFor((await this.row(id)).type);
    return Object.entries(driver.operations).map(([name, op]) => ({
      name,
      description: op.description,
      writes: op.writes,
      params: z.toJSONSchema(op.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    }));
  }

  /**
   * The connector a node names by id or by name, with its driver, config and decrypted secrets.
   * @returns undefined when there is no such connector
   */
  async resolve(
    ref: {
      connectorId?: string;
      connector?: string;
    },
    siteId?: string,
  ): Promise<{ row: ConnectorRow; driver: ConnectorDriver; connector: LoadedConnector } | undefined> {
    const row = ref.connectorId ? await getConnector(this.db, ref.connectorId) : ref.connector ? await getConnectorByName(this.db, ref.connector) : undefined;
    if (!row) return undefined;
    const loaded = await this.load(row);
    return { row, driver: loaded.driver, connector: await withSiteSecrets(loaded.connector, row.name, siteId, this.siteValue) };
  }

  private async load(row: ConnectorRow): Promise<{ driver: ConnectorDriver; connector: LoadedConnector }> {
    const driver = driverFor(row.type);
    // Parsing again applies defaults a newer driver version added since the row was stored.
    const config = driver.configSchema.safeParse(row.config);
    if (!config.success) throw new WeftError('VALIDATION_ERROR', `the stored config of connector ${row.name} is no longer valid; update it`);
    const secrets = row.secrets ? this.box.open(row.secrets) : {};
    return { driver, connector: { id: row.id, config: config.data, secrets, updatedAt: row.updatedAt } };
  }
}
