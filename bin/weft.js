#!/usr/bin/env node
// The `weft` command. The project runs TypeScript through tsx, so the CLI does too: no build
// step between `npm ci` and a working `npx weft`.
'use strict';
require('tsx/cjs/api').register();
require('../src/cli/main.ts');
