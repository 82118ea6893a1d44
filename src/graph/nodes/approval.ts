/**
 * APPROVAL: waits for an approval chain (the chain's schema is in ../approval-chain.ts, shared
 * with approval requests outside graphs).
 */
import { APPROVAL_PORTS, ApprovalNodePropertiesSchema } from '../approval-chain';
import { isPlainObject } from '../json';
import { deepTemplates, field, spec } from './spec';

export { APPROVAL_PORTS, ApprovalNodePropertiesSchema };

/** The registry entries of this family (assembled in node-types.ts). */
export const approvalNodes = {
  APPROVAL: spec({
    type: 'APPROVAL',
    propertiesSchema: ApprovalNodePropertiesSchema,
    ports: APPROVAL_PORTS,
    sideEffect: false,
    expressionFields: (p) => [
      ...field(p, 'title', 'template'),
      ...field(p, 'description', 'template'),
      ...field(p, 'requestedBy', 'expression'),
      ...(isPlainObject(p) && p.data !== undefined ? deepTemplates(p.data, ['data']) : []),
    ],
  }),
} as const;
