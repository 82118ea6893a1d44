/** The roles a token and a directory user can hold. `admin` may do everything. */
export const ROLES = ['admin', 'manager', 'technical_lead', 'operator', 'approver', 'viewer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
