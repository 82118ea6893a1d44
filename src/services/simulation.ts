import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WeftError } from '../graph/errors';
import type { WorkflowDefinition } from '../graph/schema';
import { validateDefinition } from '../graph/validate';
import type { simulateGraph } from '../workflows/interpreter';
import type { ExecutionInput, SimulationReport, SimulationSamples } from '../workflows/types';
import type { DefinitionService } from './definitions';
import { siteStart, type SiteStartSource } from './site-starts';

/** A dry run never needs long: it does not wait for timers or people. */
const SIMULATION_TIMEOUT = '60s';

export interface SimulationRequest {
  input?: unknown;
  /** A stored version to simulate (any status, drafts included); the latest when absent. */
  version?: string;
  /** A candidate graph to simulate instead of a stored version. */
  graph?: unknown;
  outputs?: Record<string, unknown>;
  errors?: Record<string, { code: string; message?: string }>;
  /** Run as at this site: its configuration as a start there would resolve it (`config.<key>`, `execution.site`). */
  site?: string;
}

/** Dry runs of definitions on the real interpreter, with side effects answered from samples. */
export class SimulationService {
  constructor(
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly definitions: DefinitionService,
    private readonly sites?: SiteStartSource,
  ) {}

  /** @throws WeftError WORKFLOW_NOT_FOUND, VERSION_NOT_FOUND, INVALID_WORKFLOW (candidate graph) */
  async simulate(definitionId: string, req: SimulationRequest): Promise<SimulationReport & { version: string }> {
    let graph: WorkflowDefinition;
    let version: string;
    if (req.graph !== undefined) {
      await this.definitions.require(definitionId);
      const checked = validateDefinition(req.graph);
      if (!checked.ok)
        throw new WeftError('INVALID_WORKFLOW', 'the candidate graph is not valid', { issues: checked.issues.map((i) => ({ ...i, path: `/graph${i.path}` })) });
      graph = checked.definition;
      version = 'candidate';
    } else {
      const row = await this.definitions.version(definitionId, req.version ?? 'latest');
      graph = row.graph as WorkflowDefinition;
      version = row.version;
    }
    const args: ExecutionInput = { definitionId, version, graph, input: req.input ?? null };
    if (req.site !== undefined) {
      if (!this.sites) throw new WeftError('INVALID_REQUEST', 'simulations at a site are not available here');
      const at = await siteStart(this.sites, req.site);
      args.site = at.site;
      args.config = at.config;
    }
    const samples: SimulationSamples = { outputs: req.outputs ?? {}, errors: req.errors ?? {} };
    const report = await this.temporal.workflow.execute<typeof simulateGraph>('simulateGraph', {
      workflowId: `sim-${randomUUID()}`,
      taskQueue: this.taskQueue,
      args: [args, samples],
      workflowExecutionTimeout: SIMULATION_TIMEOUT,
      staticSummary: `simulation of ${definitionId}@${version}`,
    });
    return { ...report, version };
  }
}
