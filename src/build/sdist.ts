import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { osStep } from '../runtime/oserror.js';
import { PythonInstall } from '../runtime/python.js';
import { Logger } from '../runtime/log.js';
import { processSetup } from './env.js';
import { StepLog, hostExecutor } from './executor.js';
import { runBuildFrontend } from './host.js';
import { Member } from './normalize/archive.js';
import { normalizeSdist } from './normalize/sdist.js';
import { Staged } from './publisher.js';
import { canonicalDirName, copySource } from './source.js';
import { BuildEnvironment } from './types.js';

/**
 * The sdist, built on the host from a copy of the tree at a canonical path, normalised; with
 * its members, from which every wheel is built.
 */
export async function buildSdist(a: {
  model: ProjectModel;
  opts: Options;
  logger: Logger;
  log: StepLog;
  python: PythonInstall;
  workRoot: string;
  sde: number;
  benv?: BuildEnvironment;
}): Promise<{ staged: Staged; members: Member[] }> {
  const started = Date.now();
  const src = path.join(a.workRoot, 'source', canonicalDirName(a.model.name, a.model.version));
  await fs.rm(src, { recursive: true, force: true });
  await osStep('copy the project into the build directory', src, () =>
    copySource(a.model.root, src)
  );
  const built = await runBuildFrontend(
    hostExecutor(processSetup(a.opts, a.sde, src, a.benv)),
    a.log,
    a.python,
    a.opts,
    'sdist',
    src,
    path.join(a.workRoot, 'sdist-out'),
    { buildRequires: a.model.buildRequires, logger: a.logger, skipCheckFirst: a.benv?.rebuild }
  );
  const { data, members } = await normalizeSdist(built, a.sde);
  const staged: Staged = {
    file: path.basename(built),
    data,
    entry: { kind: 'sdist', buildSeconds: secondsSince(started) }
  };
  return { staged, members };
}

/** Seconds since `t0` (ms), to a tenth. */
export function secondsSince(t0: number): number {
  return Math.round((Date.now() - t0) / 100) / 10;
}
