#!/usr/bin/env node
// Installs dependencies when node_modules is missing or older than package-lock.json, so that
// `npm start` and `npm test` work on a fresh clone with nothing but Node and npm.
// `npm install`, not `npm ci`: every dependency is pinned and the lock is honoured either way,
// but `npm ci` refuses a lock that lacks other platforms' optional binaries (@swc/core-darwin-*),
// which a registry mirror that does not serve them leaves out.
'use strict';
const { existsSync, statSync } = require('node:fs');
const { execSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');

const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.error('weft: installing dependencies…');
  execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
