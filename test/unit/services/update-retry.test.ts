import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { sendUpdate } from '../../../src/services/update-retry';

const rejected = (type: string) =>
  new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type, message: 'server said so', nonRetryable: true }));

test('an update the server rejects as unprocessed is sent again, and its answer returned', async () => {
  let calls = 0;
  const answer = await sendUpdate(async () => {
    calls++;
    if (calls < 3) throw rejected('UnprocessedUpdate');
    return 'accepted';
  });
  expect(answer).toBe('accepted');
  expect(calls).toBe(3);
});

test('it gives up after three unprocessed rejections, with the last one', async () => {
  let calls = 0;
  await expect(
    sendUpdate(async () => {
      calls++;
      throw rejected('UnprocessedUpdate');
    }),
  ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  expect(calls).toBe(3);
});

test("a workflow's refusal is never sent twice", async () => {
  let calls = 0;
  await expect(
    sendUpdate(async () => {
      calls++;
      throw rejected('STEP_NOT_OPEN');
    }),
  ).rejects.toThrow('Workflow Update failed');
  expect(calls).toBe(1);
});
