// Bundles the Action entry (dist/index.js) and the CLI entry (dist/cli/index.js) with ncc.
// Output is deterministic so CI can rebuild and compare with what is committed.
import { execFileSync } from 'node:child_process';
import { rmSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const ncc = [
  'node_modules/@vercel/ncc/dist/ncc/cli.js',
  'build',
  '--quiet',
  '--license',
  'licenses.txt',
  '--target',
  'es2022'
];
execFileSync('node', [...ncc, 'src/action/index.ts', '-o', 'dist'], { stdio: 'inherit' });
execFileSync('node', [...ncc, 'src/cli/index.ts', '-o', 'dist/cli'], { stdio: 'inherit' });
const cli = 'dist/cli/index.js';
let text = readFileSync(cli, 'utf8');
if (!text.startsWith('#!')) text = '#!/usr/bin/env node\n' + text;
writeFileSync(cli, text);
chmodSync(cli, 0o755);
