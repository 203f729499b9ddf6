import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CCACHE_TOOL } from '../../src/build/ccache.js';
import { pinnedRequirements } from '../../src/build/inspect/tools.js';
import { DEFAULT_TARGET_PYTHONS } from '../../src/config/definitions.js';

/**
 * A find-links directory with the pinned inspection tools (and ccache) and their dependencies as wheels for
 * every default target Python, downloaded once from pip's configured index (PyPI) and kept in
 * the test cache. The tests' local index holds build backends only; with this beside it the
 * tools install the way they would from a user's offline wheelhouse.
 */
export function toolWheelhouse(): string {
  // The pinned inspection tools, and the pinned ccache of native builds.
  const pins = [...pinnedRequirements(), `${CCACHE_TOOL.name}==${CCACHE_TOOL.version}`];
  const key = createHash('sha256')
    .update(JSON.stringify([pins, DEFAULT_TARGET_PYTHONS]))
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(testCache(), `tool-wheels-${key}`);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const v of DEFAULT_TARGET_PYTHONS) {
    execFileSync(
      'python3',
      ['-m', 'pip', 'download', '--quiet', '--only-binary=:all:', '--python-version', v].concat([
        '--dest',
        tmp,
        ...pins
      ]),
      { stdio: 'pipe', timeout: 600_000 }
    );
  }
  fs.writeFileSync(path.join(tmp, '.complete'), pins.join('\n') + '\n');
  try {
    fs.renameSync(tmp, dir);
  } catch {
    // Another test process finished first: its copy is as good.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** $ALBATROSS_TEST_CACHE, /var/cache/albatross-test where writable, else the temp dir. */
function testCache(): string {
  for (const dir of [
    process.env.ALBATROSS_TEST_CACHE,
    '/var/cache/albatross-test',
    path.join(os.tmpdir(), 'albatross-test')
  ]) {
    if (!dir) continue;
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
      return dir;
    } catch {
      /* next */
    }
  }
  return os.tmpdir();
}
