import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envExample } from '../../src/config/env-example';
import { SETTING_DOCS } from '../../src/config/settings';

test('the checked-in .env.example is the one generated from the settings (npm run env:example)', () => {
  expect(readFileSync(resolve(__dirname, '..', '..', '.env.example'), 'utf8')).toBe(envExample());
});

test('.env.example lists every setting under its description', () => {
  const text = envExample();
  for (const [name, doc] of Object.entries(SETTING_DOCS)) {
    expect(text).toContain(`# ${name}=`);
    expect(text.replace(/\n# /g, ' ')).toContain(doc);
  }
});
