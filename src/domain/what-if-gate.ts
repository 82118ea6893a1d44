/**
 * A rollout's what-if gate (docs/what-if.md): whether the what-if of the version over recorded
 * executions allows the rollout to start, and if not, which executions broke it. No data is
 * never a silent pass: a what-if with no execution run refuses the start and says so.
 */
import type { WhatIfCategory, WhatIfGate, WhatIfSummary, WhatIfVerdict } from '../shared/what-if';

/** Executions a refusal names; the report has them all. */
const NAMED = 20;

/** Judges a finished what-if against its gate. */
export function judgeWhatIf(gate: WhatIfGate, summary: WhatIfSummary, results: Array<{ executionId: string; category: WhatIfCategory | null }>): WhatIfVerdict {
  const reasons: string[] = [];
  const breaking = new Map<string, WhatIfCategory>();
  if (summary.processed === 0) reasons.push('no recorded execution matched the sample, so nothing shows the version is safe');
  const nowFails = results.filter((r) => r.category === 'now_fails');
  if (!gate.allowNowFails && nowFails.length > 0) {
    reasons.push(`${nowFails.length} executions that completed now fail`);
    for (const r of nowFails) breaking.set(r.executionId, 'now_fails');
  }
  if (summary.changedPercentage > gate.maxChangedPercentage) {
    reasons.push(`${round(summary.changedPercentage)}% of ${summary.processed} executions changed, more than the ${gate.maxChangedPercentage}% allowed`);
    for (const r of results) if (r.category && r.category !== 'same' && !breaking.has(r.executionId)) breaking.set(r.executionId, r.category);
  }
  const list = [...breaking.entries()].map(([executionId, category]) => ({ executionId, category }));
  if (reasons.length === 0) return { passed: true, reason: null, breaking: [], summary };
  const named = list.slice(0, NAMED).map((b) => `${b.executionId} (${b.category})`);
  const more = list.length > NAMED ? ` and ${list.length - NAMED} more` : '';
  const which = list.length > 0 ? `; broken by ${named.join(', ')}${more}` : '';
  return { passed: false, reason: `the what-if ${gate.whatIfId} refused the start: ${reasons.join('; ')}${which}`, breaking: list, summary };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
