import { promises as fs } from 'node:fs';
import { compilerCacheDir } from '../../cache/compiler.js';
import { Options } from '../../config/options.js';
import { ProjectModel } from '../../detect/model.js';
import { CacheReport, CompilerCacheReport } from '../../manifest/model.js';
import { Engine, Mount } from '../../runtime/container.js';
import { Logger } from '../../runtime/log.js';
import { PythonInstall } from '../../runtime/python.js';
import { compilerCacheWanted, findCcache } from '../ccache.js';
import { openContainerSession } from '../container.js';
import { BuildEnvironment } from '../types.js';
import {
  CONTAINER_CCACHE_DIR,
  CONTAINER_CCACHE_EXE,
  containerCompilerPlace,
  hostCompilerPlace
} from './ccache-places.js';
import {
  CompilerCache,
  CompilerCachePlace,
  NO_COMPILER_CACHE,
  compilerCacheSession
} from './compiler-cache.js';
import { hostOs } from './os.js';
import { hostPlatform } from './host.js';
import { linuxContainerPlatform } from './linux-container.js';
import { PlatformSession } from './types.js';

export type { PlatformSession, WheelJob } from './types.js';

/**
 * The session of the platform a build's wheels are made on: this machine (`host`), or a
 * manylinux/musllinux container started from `image` (`container`, which needs `engine`).
 * Native builds compile through the compiler cache (`compiler-cache`), whose directory a
 * container gets mounted.
 */
export async function openPlatform(a: {
  mode: 'host' | 'container';
  engine: Engine | null;
  model: ProjectModel;
  opts: Options;
  log: Logger;
  workRoot: string;
  benv?: BuildEnvironment;
  image?: string;
  platformTag?: string;
  /** The Pythons whose wheels this build makes (part of the compiler cache's key). */
  pythons?: { wheels: string[] };
  installed: (version: string) => PythonInstall | undefined;
  onCacheReport: (r: CacheReport) => void;
  onCompilerCache?: (r: CompilerCacheReport) => void;
}): Promise<PlatformSession> {
  const wanted = compilerCacheWanted(a.opts, a.model, a.benv);
  const cache = (platformKey: string, place: CompilerCachePlace): CompilerCache =>
    wanted
      ? compilerCacheSession({
          opts: a.opts,
          log: a.log,
          key: { platformKey, pythons: a.pythons?.wheels ?? [] },
          place,
          onReport: (r) => a.onCompilerCache?.(r)
        })
      : NO_COMPILER_CACHE;
  if (a.mode === 'host') {
    // Runner images differ in their compilers: entries of another image would only miss.
    const key = ['host', hostOs().name, process.env.ImageOS].filter(Boolean).join('-');
    return hostPlatform({ ...a, compilerCache: cache(key, hostCompilerPlace(a.workRoot, a.opts)) });
  }
  if (!a.engine) throw new Error('container builds need a container engine');
  const ccache = wanted ? await findCcache(a.opts) : null;
  const mounts: Mount[] = [];
  if (ccache) {
    const dir = compilerCacheDir(a.opts);
    await fs.mkdir(dir, { recursive: true });
    mounts.push({ source: dir, target: CONTAINER_CCACHE_DIR });
    if ('exe' in ccache)
      mounts.push({ source: ccache.exe, target: CONTAINER_CCACHE_EXE, readonly: true });
  }
  const s = await openContainerSession({ ...a, engine: a.engine, mounts });
  const key = `${a.platformTag ?? 'linux'}-${s.imageId ?? s.image}`;
  return linuxContainerPlatform(
    s,
    ccache ? cache(key, containerCompilerPlace(s, ccache)) : NO_COMPILER_CACHE
  );
}
