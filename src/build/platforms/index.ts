import { Options } from '../../config/options.js';
import { ProjectModel } from '../../detect/model.js';
import { CacheReport } from '../../manifest/model.js';
import { Engine } from '../../runtime/container.js';
import { Logger } from '../../runtime/log.js';
import { PythonInstall } from '../../runtime/python.js';
import { openContainerSession } from '../container.js';
import { BuildEnvironment } from '../types.js';
import { hostPlatform } from './host.js';
import { linuxContainerPlatform } from './linux-container.js';
import { PlatformSession } from './types.js';

export type { PlatformSession, WheelJob } from './types.js';

/**
 * The session of the platform a build's wheels are made on: this machine (`host`), or a
 * manylinux/musllinux container started from `image` (`container`, which needs `engine`).
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
  installed: (version: string) => PythonInstall | undefined;
  onCacheReport: (r: CacheReport) => void;
}): Promise<PlatformSession> {
  if (a.mode === 'host') return hostPlatform(a);
  if (!a.engine) throw new Error('container builds need a container engine');
  return linuxContainerPlatform(await openContainerSession({ ...a, engine: a.engine }));
}
