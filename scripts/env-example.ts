// Writes .env.example from the settings' own descriptions (test/unit/env-example.test.ts keeps it current).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envExample } from '../src/config/env-example';

writeFileSync(resolve(__dirname, '..', '.env.example'), envExample());
