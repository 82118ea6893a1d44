/** `weft validate | deploy | export | import`: workflow definitions as files. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { validateDefinition } from '../../graph/validate';
import { type WeftClient, seg } from '../client';
import { act } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { type JsonFile, locateIssues, readJsonFile, withFileLines } from '../json-file';

const EXPORT_FORMAT = 'weft.workflow-export';

interface DefinitionView {
  id: string;
  name: string;
  activeVersion: string | null;
  latestVersion: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The id of the workflow `ref` names: its id, else the one definition with that exact name.
 * @throws CliError REFUSED when none has it, BAD_INPUT when several do
 */
export async function resolveWorkflow(client: WeftClient, ref: string): Promise<string> {
  try {
    return (await client.get<DefinitionView>(`/workflows/${seg(ref)}`)).body.id;
  } catch (err) {
    if (!(err instanceof CliError) || err.details.code !== 'WORKFLOW_NOT_FOUND') throw err;
    const named = await findByName(client, ref);
    if (named.length === 1) return named[0]!.id;
    if (named.length > 1)
      throw new CliError(EXIT.BAD_INPUT, `several workflows are named ${ref}: ${named.map((d) => d.id).join(', ')}; give an id`, { code: 'AMBIGUOUS_NAME' });
    throw err;
  }
}

async function findByName(client: WeftClient, name: string): Promise<DefinitionView[]> {
  const found = await client.list<DefinitionView>(`/workflows?limit=200&search=${encodeURIComponent(name)}`);
  return found.filter((d) => d.name === name);
}

/** The graph of a file: the file itself, or the `graph` of an export document (its issue paths start with `/graph`). */
function graphOf(doc: JsonFile): { graph: unknown; prefix: string } {
  return isObject(doc.value) && doc.value.format === EXPORT_FORMAT ? { graph: doc.value.graph, prefix: '/graph' } : { graph: doc.value, prefix: '' };
}

async function deploy(client: WeftClient, doc: JsonFile, opts: { workflow?: string; version?: string; changelog?: string }) {
  if (!isObject(doc.value))
    throw new CliError(EXIT.BAD_INPUT, `${doc.file}: a workflow definition must be a JSON object`, { code: 'INVALID_WORKFLOW', file: doc.file });
  const body = { ...doc.value, ...(opts.version ? { version: opts.version } : {}), ...(opts.changelog ? { changelog: opts.changelog } : {}) };
  let id = opts.workflow ? await resolveWorkflow(client, opts.workflow) : undefined;
  if (!id && typeof doc.value.name === 'string') {
    const named = await findByName(client, doc.value.name);
    if (named.length > 1) throw new CliError(EXIT.BAD_INPUT, `several workflows are named ${doc.value.name}: give --workflow <id>`, { code: 'AMBIGUOUS_NAME' });
    id = named[0]?.id;
  }
  const saved = await withFileLines(doc, () =>
    id ? client.call<DefinitionView>('PUT', `/workflows/${seg(id)}`, body) : client.post<DefinitionView>('/workflows', body),
  );
  return { created: !id, definition: saved.body };
}

export function registerDefinitionCommands(program: Command): void {
  program
    .command('validate')
    .description('check a workflow file offline with the API’s own validator; errors name JSON paths and lines')
    .argument('<file>', 'a graph (as POST /workflows takes it) or an export document')
    .action(
      act(async ({ out }, [file]) => {
        const doc = readJsonFile(file!);
        const { graph, prefix } = graphOf(doc);
        const result = validateDefinition(graph);
        if (result.ok) {
          out.result(
            { file, valid: true, issues: [] },
            () => `${file}: valid (${result.definition.nodes.length} nodes, ${result.definition.edges.length} edges)`,
          );
          return EXIT.OK;
        }
        const issues = locateIssues(
          doc,
          result.issues.map((i) => ({ path: `${prefix}${i.path}`, code: i.code, message: i.message })),
        );
        if (out.json) {
          out.result({ file, valid: false, issues }, () => []);
          return EXIT.BAD_INPUT;
        }
        throw new CliError(EXIT.BAD_INPUT, `${file} is not a valid workflow (${issues.length} issue${issues.length === 1 ? '' : 's'})`, {
          code: 'INVALID_WORKFLOW',
          issues,
          file: file!,
        });
      }),
    );

  program
    .command('deploy')
    .description('store a workflow file: a new definition, or a new draft version of the one with its name (or --workflow)')
    .argument('<file>', 'the graph')
    .option('--workflow <id>', 'the definition to add a version to (default: the one named as the file’s `name`)')
    .option('--version <semver>', 'the version to create (default: 1.0.0, or the latest with its minor bumped)')
    .option('--changelog <text>', 'what changed')
    .option('--publish', 'make the new version active (or ask for its approval when a policy says so)')
    .action(
      act<{ workflow?: string; version?: string; changelog?: string; publish?: boolean }>(async (ctx, [file], opts) => {
        const client = ctx.client();
        const doc = readJsonFile(file!);
        const { created, definition } = await deploy(client, doc, opts);
        const published = opts.publish
          ? await client.post<{ approvalRequestId?: string }>(`/workflows/${seg(definition.id)}/publish`, { version: definition.latestVersion })
          : undefined;
        ctx.out.result({ created, definition, ...(published ? { published: published.body } : {}) }, () => {
          const lines = [
            `${created ? 'created' : 'updated'} workflow ${definition.name} (${definition.id}): version ${definition.latestVersion} stored as a draft`,
          ];
          if (published?.status === 202) lines.push(`activation of ${definition.latestVersion} waits for approval request ${published.body.approvalRequestId}`);
          else if (published) lines.push(`published ${definition.latestVersion}: it is the active version`);
          return lines;
        });
      }),
    );

  program
    .command('export')
    .description('write a version as a self-contained export document (canonical JSON)')
    .argument('<workflow>', 'workflow id or name')
    .option('--version <v>', 'semver, active or latest', 'active')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(
      act<{ version: string; output?: string }>(async (ctx, [ref], opts) => {
        const client = ctx.client();
        const id = await resolveWorkflow(client, ref!);
        const doc = await client.get(`/workflows/${seg(id)}/versions/${seg(opts.version)}/export`);
        if (!opts.output) {
          process.stdout.write(doc.text.endsWith('\n') ? doc.text : `${doc.text}\n`);
          return;
        }
        writeFileSync(opts.output, doc.text);
        const { workflow, version } = doc.body as { workflow: { name: string }; version: { version: string } };
        ctx.out.result(
          { file: opts.output, workflowId: id, name: workflow.name, version: version.version },
          () => `wrote ${opts.output} (${workflow.name} ${version.version})`,
        );
      }),
    );

  program
    .command('import')
    .description('import an export document as a new definition, or as the next version of --workflow')
    .argument('<file>', 'an export document')
    .option('--workflow <id>', 'add it as a version of this definition')
    .action(
      act<{ workflow?: string }>(async (ctx, [file], opts) => {
        const client = ctx.client();
        const doc = readJsonFile(file!);
        const target = opts.workflow ? `?workflowId=${encodeURIComponent(await resolveWorkflow(client, opts.workflow))}` : '';
        const imported = await withFileLines(doc, () =>
          client.post<{ workflowId: string; version: string; created: boolean }>(`/workflows/import${target}`, doc.value),
        );
        const r = imported.body;
        ctx.out.result(r, () => `imported ${file} as ${r.created ? 'a new workflow' : 'a new version of'} ${r.workflowId}, version ${r.version}`);
      }),
    );
}
