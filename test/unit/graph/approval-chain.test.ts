import { parseApprovalChain, stepTimeoutMs } from '../../../src/graph/approval-chain';
import { WeftError } from '../../../src/graph/errors';

describe('approval chains', () => {
  it('applies the published defaults', () => {
    const chain = parseApprovalChain({ steps: [{ id: 'a', approvers: [{ type: 'role', identifier: 'manager' }] }] });
    expect(chain.onTimeout).toBe('expire');
    expect(chain.steps[0]).toMatchObject({
      minimumApprovals: 1,
      unanimousRequired: false,
      parallel: true,
      allowSelfApproval: false,
      requireComments: false,
      escalation: [],
    });
    expect(stepTimeoutMs(chain.steps[0]!)).toBeUndefined();
    expect(stepTimeoutMs(parseApprovalChain({ steps: [{ id: 'a', approvers: [{ type: 'user', identifier: 'x' }], timeoutMinutes: 1.5 }] }).steps[0]!)).toBe(
      90_000,
    );
  });

  it('reports every problem with its JSON path under the given prefix', () => {
    let caught: unknown;
    try {
      parseApprovalChain(
        {
          steps: [
            { id: 'a', approvers: [{ type: 'dynamic', identifier: 'data.(' }], timeout: '1h', timeoutMinutes: 5, sla: { target: 'soon' } },
            { id: 'a', approvers: [{ type: 'team', identifier: 'x' }], escalation: [{ after: '1h', action: 'reassign' }] },
          ],
        },
        ['chain'],
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WeftError);
    const paths = (caught as WeftError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/chain/steps/0/approvers/0/identifier',
        '/chain/steps/0/timeoutMinutes',
        '/chain/steps/0/sla/target',
        '/chain/steps/1/approvers/0/type',
        '/chain/steps/1/escalation/0/target',
      ]),
    );
  });
});
