// Builds the workflow bundle ahead of time for production workers: tsx scripts/bundle-workflows.ts <out.js>
// (the Dockerfile sets WEFT_WORKFLOW_BUNDLE to the result).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../src/temporal/worker';

async function main() {
  const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const { code } = await bundleWorkflowCode(WORKFLOW_BUNDLE_OPTIONS);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`wrote ${out} (${code.length} bytes)`);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
