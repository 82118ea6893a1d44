/**
 * A workflow graph drawn as SVG: dagre lays out nodes and edges, each node shows its id, type
 * and (for an execution) its state by colour and by word, so colour is never the only cue.
 */
import dagre from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';

export interface GraphNode {
  id: string;
  type: string;
  name?: string;
}
export interface GraphEdge {
  source: string;
  target: string;
  sourcePort?: string;
  trigger?: string;
}
export interface GraphDefinition {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const W = 220;
const H = 54;

interface Laid {
  width: number;
  height: number;
  nodes: (GraphNode & { x: number; y: number })[];
  edges: (GraphEdge & { points: { x: number; y: number }[]; label?: string })[];
}

function layout(graph: GraphDefinition): Laid {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 44, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: W, height: H });
  graph.edges.forEach((e, i) => {
    if (!g.hasNode(e.source) || !g.hasNode(e.target)) return;
    const label = e.sourcePort ?? e.trigger;
    g.setEdge(e.source, e.target, label ? { label, width: label.length * 7, height: 14 } : {}, String(i));
  });
  dagre.layout(g);
  const info = g.graph();
  return {
    width: info.width ?? 0,
    height: info.height ?? 0,
    nodes: graph.nodes.map((n) => {
      const p = g.node(n.id);
      return { ...n, x: p.x, y: p.y };
    }),
    edges: graph.edges.flatMap((e, i) => {
      const d = g.edge({ v: e.source, w: e.target, name: String(i) }) as { points?: { x: number; y: number }[] } | undefined;
      return d?.points ? [{ ...e, points: d.points, label: e.sourcePort ?? e.trigger }] : [];
    }),
  };
}

/**
 * The graph; `states` colours nodes by state (`completed`, `failed`, `running`, …; absent:
 * not run). `onSelect` makes each node a keyboard-reachable button.
 */
export function GraphView(props: {
  graph: GraphDefinition;
  states?: Record<string, string>;
  marks?: Record<string, string>;
  selected?: string | undefined;
  onSelect?: (id: string) => void;
  label: string;
}) {
  const laid = useMemo(() => layout(props.graph), [props.graph]);
  return (
    <div class="graph-wrap">
      <svg class="graph" viewBox={`0 0 ${laid.width} ${laid.height}`} width={laid.width} height={laid.height} role="group" aria-label={props.label}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrow" />
          </marker>
        </defs>
        {laid.edges.map((e, i) => {
          const mid = e.points[Math.floor(e.points.length / 2)];
          return (
            <g key={i} class="edge">
              <polyline points={e.points.map((p) => `${p.x},${p.y}`).join(' ')} marker-end="url(#arrow)" />
              {e.label && mid && (
                <text x={mid.x + 4} y={mid.y - 4} class="edge-label">
                  {e.label}
                </text>
              )}
            </g>
          );
        })}
        {laid.nodes.map((n) => {
          const state = props.states?.[n.id] ?? (props.states ? 'not-run' : undefined);
          const mark = props.marks?.[n.id];
          const interactive = !!props.onSelect;
          const activate = () => props.onSelect?.(n.id);
          return (
            <g
              key={n.id}
              class={`node ${state ? `state-${state}` : ''} ${mark ? `mark-${mark}` : ''} ${props.selected === n.id ? 'selected' : ''}`}
              transform={`translate(${n.x - W / 2},${n.y - H / 2})`}
              data-node-id={n.id}
              data-state={state}
              role={interactive ? 'button' : 'img'}
              // Lower case: on SVG elements Preact sets attributes, and only `tabindex` makes one focusable.
              tabindex={interactive ? 0 : undefined}
              aria-label={`${n.id} (${n.type})${state ? `: ${state}` : ''}${mark ? `: ${mark}` : ''}`}
              aria-pressed={interactive ? props.selected === n.id : undefined}
              onClick={activate}
              onKeyDown={(ev) => {
                if (ev.key === 'Enter' || ev.key === ' ') {
                  ev.preventDefault();
                  activate();
                }
              }}
            >
              <rect width={W} height={H} rx="8" />
              <text x="10" y="21" class="node-id">
                {n.name ?? n.id}
              </text>
              <text x="10" y="40" class="node-type">
                {n.type}
                {state ? ` · ${state}` : ''}
                {mark ? ` · ${mark}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
