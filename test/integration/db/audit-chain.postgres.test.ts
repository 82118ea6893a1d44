import { openFreshPostgresTwice } from './fresh-database';
import { describeAuditChainSuite } from './audit-chain-suite';

describeAuditChainSuite('the audit chain on PostgreSQL (two pools, as two processes)', openFreshPostgresTwice);
