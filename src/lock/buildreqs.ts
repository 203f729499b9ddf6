import * as path from 'node:path';
import { copySource } from '../build/source.js';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { FailureError } from '../errors.js';
import { execCapture, tail } from '../runtime/exec.js';
import { tempDir } from '../runtime/fsutil.js';
import { pipEnv } from '../runtime/pip.js';
import { PythonInstall } from '../runtime/python.js';
import { ensureToolEnv } from '../runtime/toolenv.js';

const MARK = 'ALBATROSS-BUILD-REQUIRES:';

/**
 * Asks the backend, in an isolated env holding `build-system.requires`, what else it needs to
 * build a wheel and an sdist (get_requires_for_build_wheel / _sdist), as a frontend would.
 */
const SCRIPT = `
import json, sys
from build import ProjectBuilder
from build.env import DefaultIsolatedEnv
with DefaultIsolatedEnv() as env:
    builder = ProjectBuilder.from_isolated_env(env, sys.argv[1])
    env.install(builder.build_system_requires)
    reqs = set(builder.get_requires_for_build('wheel')) | set(builder.get_requires_for_build('sdist'))
print(${JSON.stringify(MARK)} + json.dumps(sorted(reqs)))
`;

/**
 * Everything a build of the project installs: `build-system.requires`, what the backend's
 * hooks add, and pypa/build, the frontend Albatross builds with (so a locked build env needs
 * nothing the lock does not hold). Sorted, without duplicates.
 */
export async function buildRequirements(
  model: ProjectModel,
  python: PythonInstall,
  opts: Options
): Promise<string[]> {
  const exe = await ensureToolEnv(python, ['build'], opts);
  const tmp = await tempDir('albatross-lock-');
  try {
    // On a copy: setuptools writes egg-info into the tree it is asked about.
    const src = path.join(tmp.dir, 'src');
    await copySource(model.root, src);
    const r = await execCapture([exe, '-c', SCRIPT, src], {
      cwd: src,
      extraEnv: { ...pipEnv(opts), PYTHONDONTWRITEBYTECODE: '1' },
      timeoutMs: 15 * 60 * 1000
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith(MARK));
    if (r.code !== 0 || !line)
      throw new FailureError(
        `lock: the build backend ${model.backend} could not say what it needs (exit ${r.code}):\n${tail(r.output, 12)}`
      );
    const dynamic = JSON.parse(line.slice(MARK.length)) as string[];
    return [...new Set([...model.buildRequires, ...dynamic, 'build'].map((x) => x.trim()))].sort();
  } finally {
    await tmp.cleanup();
  }
}
