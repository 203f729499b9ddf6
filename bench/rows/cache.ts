/**
 * Warm / cold wall time of the dependency wheelhouse for the cache fixture application (its
 * dependency exists only as an sdist with a C extension). Cold: a fresh cache dir each time;
 * warm: the cache primed once. Goal ≤ 0.15.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareWheelhouse } from '../../src/cache/index.js';
import { defaultOptions } from '../../src/config/options.js';
import { exec } from '../../src/runtime/exec.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { pipEnv, pipIndexArgs } from '../../src/runtime/pip.js';
import {
  APP_FIXTURE,
  buildCdepSdist,
  buildPython
} from '../../__tests__/helpers/services/cache-fixture.js';
import { localIndex } from '../../__tests__/helpers/local-index.js';
import { BenchRow, sameLoop } from '../run.js';

export default async function (): Promise<BenchRow[]> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-bench-cache-'));
  try {
    const python = await buildPython();
    if (!python) throw new Error('no CPython found');
    const findLinks = path.join(work, 'find-links');
    await buildCdepSdist(findLinks, work);
    const idx = localIndex();
    const base = defaultOptions({ ...idx, findLinks: [...idx.findLinks, findLinks] });
    // The application's own wheel is the requirement, as the package stage passes it.
    const app = path.join(work, 'app');
    await fs.cp(APP_FIXTURE, app, { recursive: true });
    const appWheels = path.join(work, 'app-wheel');
    await exec(
      [
        python.executable,
        '-m',
        'pip',
        'wheel',
        '--no-deps',
        '--no-cache-dir',
        '--wheel-dir',
        appWheels,
        ...pipIndexArgs(base),
        app
      ],
      { extraEnv: pipEnv(base) }
    );
    const appWheel = path.join(appWheels, (await fs.readdir(appWheels))[0]);

    let n = 0;
    const once = (cacheDir: string) => async (): Promise<void> => {
      const r = await prepareWheelhouse({
        opts: { ...base, cacheDir },
        log: memoryLogger(),
        python,
        requirements: [appWheel],
        platformKey: 'linux_x86_64',
        dest: path.join(work, `wh-${n++}`)
      });
      if (r.report.warnings.length) throw new Error(r.report.warnings.join('; '));
    };
    const primed = path.join(work, 'cache-warm');
    await once(primed)();
    const t = await sameLoop(3, once(primed), () => once(path.join(work, `cache-cold-${n}`))());
    return [
      {
        name: 'cache: warm / cold wheelhouse (C-extension sdist dependency)',
        unit: 's',
        ours: t.ours,
        peer: t.peer,
        peerName: 'cold, no cache',
        ratio: t.ours / t.peer,
        goal: 0.15,
        note: 'warm = exact hit of a pinned resolution: wheels copied, pip not run'
      }
    ];
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
