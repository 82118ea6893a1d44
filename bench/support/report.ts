/**
 * What every benchmark reports: named figures, each with its goal where the project has one,
 * written to bench/results/<bench>.<mode>.json so that the next run (of the same mode) prints
 * what changed. Ratios against a baseline measured in the same run are the figures that carry
 * across machines; absolute times are printed for context.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** `quick` answers in a few minutes with smaller loads; `full` is what the issue's goals name. */
export type BenchMode = 'quick' | 'full';

export interface Goal {
  op: '<=' | '>=';
  value: number;
}

export interface Figure {
  /** Stable key: the next run compares by it. */
  key: string;
  label: string;
  value: number;
  unit: string;
  goal?: Goal;
}

export interface BenchReport {
  bench: string;
  mode: BenchMode;
  /** The load and the set-up: what a figure is only comparable under. */
  params: Record<string, unknown>;
  figures: Figure[];
  /** Where the time or memory went, in sentences. */
  notes?: string[];
}

interface StoredReport extends BenchReport {
  at: string;
  commit: string;
  machine: { cpus: number; cpuModel: string; node: string };
}

export const RESULTS_DIR = join(__dirname, '..', 'results');

/** `--quick` on the command line or BENCH_MODE=quick. */
export function benchMode(argv = process.argv, env = process.env): BenchMode {
  return argv.includes('--quick') || env.BENCH_MODE === 'quick' ? 'quick' : 'full';
}

/** The positional arguments after the script, `--flags` left out. */
export function benchArgs(argv = process.argv): string[] {
  return argv.slice(2).filter((a) => !a.startsWith('--'));
}

export function met(figure: Figure): boolean | undefined {
  if (!figure.goal) return undefined;
  return figure.goal.op === '<=' ? figure.value <= figure.goal.value : figure.value >= figure.goal.value;
}

function commitOf(): string {
  try {
    const dirty = execSync('git status --porcelain', { cwd: __dirname, encoding: 'utf8' }).trim() ? '+changes' : '';
    return execSync('git rev-parse --short HEAD', { cwd: __dirname, encoding: 'utf8' }).trim() + dirty;
  } catch {
    return 'unknown';
  }
}

function format(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(3);
}

/** Prints the figures beside their goals and the last run's values, then stores this run. */
export function saveReport(report: BenchReport): StoredReport {
  const file = join(RESULTS_DIR, `${report.bench}.${report.mode}.json`);
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredReport) : undefined;
  const stored: StoredReport = {
    ...report,
    at: new Date().toISOString(),
    commit: commitOf(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
  };
  console.log(`\n${report.bench} (${report.mode}) ${JSON.stringify(report.params)}`);
  for (const f of report.figures) {
    const goal = f.goal ? `goal ${f.goal.op} ${format(f.goal.value)}: ${met(f) ? 'met' : 'NOT met'}` : '';
    const before = previous?.figures.find((p) => p.key === f.key);
    const last = before ? `last ${format(before.value)} (${previous?.commit})` : '';
    console.log(`  ${f.label.padEnd(58)} ${`${format(f.value)} ${f.unit}`.padEnd(16)} ${goal.padEnd(26)} ${last}`);
  }
  for (const note of report.notes ?? []) console.log(`  · ${note}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`);
  console.log(`  → ${file}`);
  return stored;
}

/** Percentile of sorted-or-not numbers (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

/** The main of a benchmark script: prints an error and exits non-zero on failure. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
