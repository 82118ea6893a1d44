/**
 * Summarises V8 .cpuprofile files (node --cpu-prof writes one per thread): self time per
 * function and per source file, so a benchmark's note can say where the time went.
 * Run: npx tsx bench/support/profile-summary.ts <file.cpuprofile>… [--top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function summarise(profile: Profile, top: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)?.callFrame;
    if (!f) continue;
    const file = f.url.replace(/^.*node_modules\//, 'nm:').replace(/^file:\/\/.*\/(src|bench)\//, '$1/') || '(native)';
    fns.set(
      `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`,
      (fns.get(`${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`) ?? 0) + us,
    );
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return [`total ${(total / 1000).toFixed(0)} ms sampled`, '-- by function', ...rows(fns), '-- by file', ...rows(files)];
}

if (require.main === module) {
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
  for (const file of process.argv.slice(2).filter((a) => !a.startsWith('--'))) {
    console.log(`\n== ${file}`);
    for (const line of summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, top)) console.log(line);
  }
}
