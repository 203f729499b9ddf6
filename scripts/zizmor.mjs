#!/usr/bin/env node
// zizmor, the workflow security linter, pinned and installed from the package index into a venv
// of its own (never into a system Python). `npm run lint` (scripts/check-workflows.mjs) runs it;
// `.ci/run` installs it first with `node scripts/zizmor.mjs install`.
// Where: $ALBATROSS_TOOLS_DIR, else /var/cache/albatross-tools when that is writable (CI keeps
// it between runs), else $XDG_CACHE_HOME/albatross-tools (~/.cache/albatross-tools).
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

export const ZIZMOR_VERSION = '1.32.0';

export function toolsDir(env = process.env) {
  if (env.ALBATROSS_TOOLS_DIR) return path.resolve(env.ALBATROSS_TOOLS_DIR);
  const shared = '/var/cache/albatross-tools';
  try {
    mkdirSync(shared, { recursive: true });
    accessSync(shared, constants.W_OK);
    return shared;
  } catch {
    return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'albatross-tools');
  }
}

/** The zizmor executable, installed on first use (pip's configured index, pinned version). */
export function ensureZizmor(log = (m) => process.stderr.write(m + '\n')) {
  const dir = path.join(toolsDir(), `zizmor-${ZIZMOR_VERSION}`);
  const exe = path.join(dir, 'bin', 'zizmor');
  if (existsSync(exe)) return exe;
  log(`zizmor ${ZIZMOR_VERSION}: installing into ${dir}`);
  // Built under a private name and renamed, so a half-made venv is never taken for a whole one.
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    // pip's own warnings (e.g. about configured index folders) only matter when it fails.
    execFileSync('python3', ['-m', 'venv', tmp], { stdio: 'pipe' });
    execFileSync(
      path.join(tmp, 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        `zizmor==${ZIZMOR_VERSION}`
      ],
      { stdio: 'pipe' }
    );
    // Another process may have finished first: its venv wins, ours goes.
    if (!existsSync(exe)) {
      rmSync(dir, { recursive: true, force: true });
      try {
        renameSync(tmp, dir);
      } catch (e) {
        if (!existsSync(exe)) throw e;
      }
    }
  } catch (e) {
    const why = String(e.stderr || e.message)
      .trim()
      .split('\n')
      .at(-1);
    throw new Error(
      `zizmor ${ZIZMOR_VERSION}: cannot install it from the configured package index (${why}); set ALBATROSS_TOOLS_DIR to a directory holding zizmor-${ZIZMOR_VERSION}/bin/zizmor`,
      { cause: e }
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return exe;
}

/** argv for an offline audit at the default persona, JSON findings on stdout. */
export function zizmorArgv(exe, config, files) {
  const cfg = config ? ['--config', config] : ['--no-config'];
  return [exe, '--offline', '--format', 'json', '--no-progress', ...cfg, ...files];
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  if (process.argv[2] !== 'install') {
    process.stderr.write('usage: node scripts/zizmor.mjs install\n');
    process.exit(2);
  }
  let exe;
  try {
    exe = ensureZizmor();
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stdout.write(
    `${execFileSync(exe, ['--version'], { encoding: 'utf8' }).trim()}: ${exe}\n`
  );
}
