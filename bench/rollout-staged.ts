/**
 * A staged rollout to 500 sites (issue 16): 5 stages of one region (100 sites) each, at most 50
 * sites at a time, no bake delay, through the API on a real worker and PostgreSQL. Prints the
 * total time, the time of one site's deployment (validate configuration, recovery points, the
 * site's version, health checks: p50/p95 of the measured durations), and the rollout workflow's
 * history: events per run, runs (it continues as new to stay bounded) and events in all.
 * Quick mode: 100 sites in 5 stages of 20, at most 10 at a time.
 *
 * Run: npm run bench -- rollout-staged [--quick]
 */
import { benchMode, percentile, runBench, saveReport } from './support/report';
import { publishDefinition, startWeftWorld } from './support/weft-world';

const mode = benchMode();
const SITES = mode === 'quick' ? 100 : 500;
const STAGES = 5;
const PARALLEL = mode === 'quick' ? 10 : 50;

interface RolloutView {
  status: string;
  deployments: Array<{ siteId: string; status: string; duration: number | null }>;
}

async function main(): Promise<void> {
  const world = await startWeftWorld({ database: 'postgresql' });
  try {
    const perStage = SITES / STAGES;
    for (let i = 0; i < SITES; i++) {
      await world.api('POST', '/sites', { id: `s${i}`, name: `Site ${i}`, region: `r${Math.floor(i / perStage)}`, environment: 'production' }, 201);
    }
    const graph = (label: string) => ({
      name: 'rolled-out',
      nodes: [
        { id: 'start', type: 'START' },
        { id: 'end', type: 'END', properties: { output: { label: `"${label}"` } } },
      ],
      edges: [{ source: 'start', target: 'end' }],
    });
    const workflowId = await publishDefinition(world, graph('one'));
    await world.api('POST', `/workflows/${workflowId}/versions`, { graph: graph('two'), version: '2.0.0' }, 201);
    await world.api('POST', `/workflows/${workflowId}/versions/2.0.0/publish`, {});
    const stages = Array.from({ length: STAGES }, (_, s) => ({ stageNumber: s + 1, sitesOrRegions: [`r${s}`], maxParallelSites: PARALLEL }));
    const created = await world.api<{ id: string }>('POST', '/rollouts', { workflowId, version: '2.0.0', strategy: 'staged', config: { stages } }, 201);
    const t0 = performance.now();
    await world.api('POST', `/rollouts/${created.id}/start`, { reason: 'bench' });
    let view: RolloutView;
    for (;;) {
      view = await world.api<RolloutView>('GET', `/rollouts/${created.id}`);
      if (['completed', 'failed', 'rolled_back'].includes(view.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const totalMs = performance.now() - t0;
    if (view.status !== 'completed') throw new Error(`rollout ended ${view.status}`);
    const durations = view.deployments.map((d) => d.duration ?? 0);
    const runs: number[] = [];
    let runId: string | undefined;
    for (;;) {
      const history = await world.client.workflow.getHandle(created.id, runId).fetchHistory();
      runs.unshift(history.events?.length ?? 0);
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
      if (!runId) break;
    }
    saveReport({
      bench: 'rollout-staged',
      mode,
      params: { sites: SITES, stages: STAGES, maxParallelSites: PARALLEL, database: world.database },
      figures: [
        { key: 'total.seconds', label: `staged rollout to ${SITES} sites: total`, value: totalMs / 1000, unit: 's' },
        { key: 'perSite.ms', label: 'wall time per site (total / sites)', value: totalMs / SITES, unit: 'ms' },
        { key: 'deployment.p50', label: 'one site deployment p50 (measured)', value: percentile(durations, 50), unit: 'ms' },
        { key: 'deployment.p95', label: 'one site deployment p95 (measured)', value: percentile(durations, 95), unit: 'ms' },
        { key: 'history.maxRun', label: 'rollout workflow: events of its largest run', value: Math.max(...runs), unit: 'events' },
        { key: 'history.runs', label: 'rollout workflow: runs (continue-as-new)', value: runs.length, unit: '' },
        { key: 'history.total', label: 'rollout workflow: events in all runs', value: runs.reduce((a, b) => a + b, 0), unit: 'events' },
      ],
      notes: [
        'each deployment: deploySite, runSiteHealthChecks and completeSiteDeployment activities (configuration check, recovery points, site version, audit)',
      ],
    });
  } finally {
    await world.close();
  }
}

runBench(main);
