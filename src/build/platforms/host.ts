import * as path from 'node:path';
import { Options } from '../../config/options.js';
import { ProjectModel } from '../../detect/model.js';
import { CacheReport } from '../../manifest/model.js';
import { PythonInstall } from '../../runtime/python.js';
import { parseWheelName } from '../../runtime/wheelname.js';
import { processSetup } from '../env.js';
import { hostExecutor } from '../executor.js';
import { runBuildFrontend, testWheelOnHost } from '../host.js';
import { BuildEnvironment } from '../types.js';
import { withoutCcacheVars } from '../ccache.js';
import { CompilerCache } from './compiler-cache.js';
import { hostOs } from './os.js';
import { repairOnHost } from './repairers.js';
import { PlatformSession } from './types.js';

/**
 * Wheels built on this machine by its own interpreters: the one frontend with a cached build
 * env, repaired by the OS's tool (delocate on macOS, delvewheel on Windows; Linux host wheels
 * are not repaired: manylinux wheels come from the container platform), tested in a venv here.
 */
export function hostPlatform(a: {
  model: ProjectModel;
  opts: Options;
  workRoot: string;
  benv?: BuildEnvironment;
  installed: (version: string) => PythonInstall | undefined;
  onCacheReport: (r: CacheReport) => void;
  compilerCache: CompilerCache;
}): PlatformSession {
  const { model, opts } = a;
  const python = (v: string): PythonInstall => a.installed(v) as PythonInstall;
  const os = hostOs();
  return {
    name: 'host',
    dirs: (job) => {
      const dir = path.join(a.workRoot, `py${job.version}`);
      return { host: dir, inner: dir };
    },
    async build(job, dirs, top) {
      const src = path.join(dirs.host, 'src', top);
      const setup = processSetup(opts, job.sde, src, a.benv);
      const cc = await a.compilerCache.envFor(dirs, src, src);
      // With the cache, the caller's own ccache settings would change what it does: ours only.
      if (Object.keys(cc).length) setup.env = { ...withoutCcacheVars(setup.env), ...cc };
      const ex = hostExecutor(setup);
      try {
        return await runBuildFrontend(
          ex,
          job.log,
          python(job.version),
          opts,
          'wheel',
          src,
          path.join(dirs.host, 'out'),
          {
            buildRequires: model.buildRequires,
            backend: model.backend,
            backendPath: model.backendPath,
            logger: job.logger,
            skipCheckFirst: a.benv?.rebuild
          }
        );
      } finally {
        await a.compilerCache.collect(job, dirs, ex);
      }
    },
    repair: (job, dirs, wheel) => repairOnHost(os, job, dirs, wheel, python(job.version), opts),
    test(job, dirs, staged, contents, top) {
      // Tests run with the normal pinned environment; the caller's wrapper is not needed there.
      const ex = hostExecutor(processSetup(opts, job.sde, null, { extraEnv: a.benv?.extraEnv }));
      return testWheelOnHost(ex, job.log, {
        wheel: staged,
        python: python(job.version),
        opts,
        logger: job.logger,
        dir: path.join(dirs.host, 'test'),
        project: path.join(dirs.host, 'src', top),
        contents,
        platformKey: parseWheelName(staged)?.platformTags.join('.') ?? 'any',
        onCacheReport: a.onCacheReport
      });
    },
    close: () => a.compilerCache.close()
  };
}
