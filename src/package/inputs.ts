import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { prepareWheelhouse } from '../cache/index.js';
import { CacheReport } from '../manifest/model.js';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { FailureError } from '../errors.js';
import { Manifest } from '../manifest/model.js';
import { lockedFile } from '../lock/locked.js';
import { lockedWheelhouse } from '../lock/wheelhouse.js';
import { exec } from '../runtime/exec.js';
import { checkZipMembers } from '../runtime/extract.js';
import { Logger } from '../runtime/log.js';
import { pipEnv, pipIndexArgs } from '../runtime/pip.js';
import { PythonInstall } from '../runtime/python.js';
import { Installer } from '../runtime/uv.js';
import { uvDependencyWheels } from './install-resolve.js';
import { Target, WheelName, normalizeName, parseWheelName, wheelMismatch } from './wheelname.js';

export interface LocalWheel extends WheelName {
  abs: string;
}

/**
 * The project's wheels of the current version, as OUT's manifest lists them (never a stray
 * `*.whl` of another build lying in OUT).
 */
export async function projectWheels(
  m: Manifest,
  outDir: string,
  model: ProjectModel
): Promise<LocalWheel[]> {
  const want = normalizeName(model.name);
  const out: LocalWheel[] = [];
  const files = m.artifacts.filter((a) => a.kind === 'wheel').map((a) => a.file);
  for (const f of files.sort()) {
    const w = parseWheelName(f);
    if (w && w.name === want && (model.version === null || w.version === model.version))
      out.push(await checked({ ...w, abs: path.resolve(outDir, f) }));
  }
  return out;
}

/** A wheel about to go into a PEX, zipapp or image tree, refused if a member is unsafe. */
async function checked(w: LocalWheel): Promise<LocalWheel> {
  try {
    await checkZipMembers(w.abs, w.file, { symlinks: false });
  } catch (e) {
    throw new FailureError((e as Error).message);
  }
  return w;
}

/** The wheel that fits the target (pure wheels last: a native build is preferred when it fits). */
export function pickWheel(
  wheels: LocalWheel[],
  target: Target,
  what: string,
  outDir: string
): LocalWheel {
  if (wheels.length === 0) {
    throw new FailureError(`${what}: no wheel of the project's current version in ${outDir}`);
  }
  const fits = wheels.filter((w) => wheelMismatch(w, target) === null);
  const native = fits.find((w) => !w.platformTags.includes('any'));
  const pick = native ?? fits[0];
  if (pick) return pick;
  const why = wheels.map((w) => `${w.file}: ${wheelMismatch(w, target)}`).join('; ');
  throw new FailureError(
    `${what}: no wheel in ${outDir} fits CPython ${target.python}${target.arch ? ` on linux/${target.arch}` : ''} (${why})`
  );
}

/**
 * Dependency wheels of `appWheel` for `python`, in `dest`: the locked files with `locked`;
 * resolved by uv with installer uv (install-resolve.ts); else through the dependency cache
 * (`pip wheel` from the configured indexes). The app's own wheel is left out.
 */
export async function dependencyWheels(
  opts: Options,
  log: Logger,
  python: PythonInstall,
  appWheel: LocalWheel,
  platformKey: string,
  dest: string,
  onCacheReport?: (r: CacheReport) => void,
  installer: Installer = { kind: 'pip' }
): Promise<LocalWheel[]> {
  let dir = dest;
  if (opts.locked) {
    // Exactly pylock.toml's files, hash-checked, from the cache once fetched.
    dir = await lockedWheelhouse(await lockedFile(opts.projectDir, 'runtime'), python, opts);
  } else if (installer.kind === 'uv') {
    dir = await uvDependencyWheels(installer.uv, opts, python, appWheel, dest);
  } else {
    try {
      const r = await prepareWheelhouse({
        opts,
        log,
        python,
        requirements: [appWheel.abs],
        platformKey,
        dest
      });
      onCacheReport?.(r.report);
      dir = r.dir;
    } catch (e) {
      if (!/not implemented/i.test((e as Error).message)) throw e;
      await fs.mkdir(dest, { recursive: true });
      await exec(
        [
          python.executable,
          '-m',
          'pip',
          'wheel',
          '--quiet',
          '--disable-pip-version-check',
          '--wheel-dir',
          dest,
          ...pipIndexArgs(opts),
          appWheel.abs
        ],
        { extraEnv: pipEnv(opts) },
        `resolving the dependencies of ${appWheel.file} for Python ${python.version}`
      );
    }
  }
  const out: LocalWheel[] = [];
  for (const f of (await fs.readdir(dir)).sort()) {
    const w = parseWheelName(f);
    if (w && w.name !== appWheel.name) out.push(await checked({ ...w, abs: path.join(dir, f) }));
  }
  return out;
}

/** `name==version` requirements that select exactly these wheels from --find-links. */
export function pinned(wheels: WheelName[]): string[] {
  return wheels.map((w) => `${w.name}==${w.version}`);
}
