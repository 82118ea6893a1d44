// Prints a bearer token for local use: npm run token -- --sub alice --roles admin,approver [--ttl 3600]
import { parseArgs } from 'node:util';
import { resolveJwtSecret } from '../src/auth/secret';
import { signToken } from '../src/auth/tokens';
import { loadSettings } from '../src/config/settings';

const { values } = parseArgs({
  options: { sub: { type: 'string' }, roles: { type: 'string', default: '' }, ttl: { type: 'string', default: '43200' } },
});
if (!values.sub) {
  console.error('usage: npm run token -- --sub <user> --roles admin,approver [--ttl seconds]');
  process.exit(2);
}
const settings = loadSettings();
const roles = values.roles
  .split(',')
  .map((r) => r.trim())
  .filter(Boolean);
process.stdout.write(`${signToken(resolveJwtSecret(settings), { sub: values.sub, roles }, Number(values.ttl))}\n`);
