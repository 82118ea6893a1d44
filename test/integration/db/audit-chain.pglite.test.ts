import { openMemoryPgliteTwice } from './fresh-database';
import { describeAuditChainSuite } from './audit-chain-suite';

describeAuditChainSuite('the audit chain on PGlite (in memory)', openMemoryPgliteTwice);
