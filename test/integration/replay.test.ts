/**
 * Replay compatibility: every recorded history in test/histories/ must replay against today's
 * workflow code. A change to running logic that breaks one belongs behind `patched()`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromPlain, recordedWorkflowId } from '../histories/history-json';
import { testBundlePath } from '../support/paths';

const DIR = join(__dirname, '..', 'histories');
const recorded = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const tampered = readdirSync(join(DIR, 'tampered')).filter((f) => f.endsWith('.json'));

function load(path: string) {
  return historyFromPlain(JSON.parse(readFileSync(path, 'utf8')));
}

function workflowIdOf(path: string) {
  return recordedWorkflowId(JSON.parse(readFileSync(path, 'utf8')));
}

test('there are recorded histories to replay', () => {
  expect(recorded.length).toBeGreaterThanOrEqual(2);
  expect(tampered.length).toBeGreaterThanOrEqual(1);
});

test.each(recorded)('%s replays without nondeterminism', async (file) => {
  await Worker.runReplayHistory({ workflowBundle: { codePath: testBundlePath() }, replayName: file }, load(join(DIR, file)), workflowIdOf(join(DIR, file)));
});

test.each(tampered)('tampered %s is refused with DeterminismViolationError', async (file) => {
  await expect(
    Worker.runReplayHistory({ workflowBundle: { codePath: testBundlePath() }, replayName: file }, load(join(DIR, 'tampered', file))),
  ).rejects.toBeInstanceOf(DeterminismViolationError);
});
