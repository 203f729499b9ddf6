import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../../../src/runtime/exec.js';
import { PythonInstall, discoverPythons } from '../../../src/runtime/python.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CDEP_FIXTURE = path.join(REPO, 'fixtures', 'cache-cdep');
export const APP_FIXTURE = path.join(REPO, 'fixtures', 'cache-app');
/** The fixture's setup.py appends a line here for every build of its C extension. */
export const COUNTER_VAR = 'ALBACORE_CDEP_BUILD_COUNTER';

/** A Python able to build wheels from source here: has a compiler and its headers. */
export async function buildPython(): Promise<PythonInstall | undefined> {
  const all = await discoverPythons();
  return (
    all.find((p) => p.version === '3.12') ??
    all.find((p) => p.version === '3.11') ??
    all[all.length - 1]
  );
}

/** Builds the albacore-cdep sdist into `findLinks` (the dependency then exists only as an sdist). */
export function buildCdepSdist(findLinks: string, work: string): Promise<string> {
  return buildFixtureSdist(CDEP_FIXTURE, 'albacore_cdep', findLinks, work);
}

/**
 * Builds a fixture's sdist into `findLinks` with an interpreter that already has setuptools
 * ≥ 61 (`setup.py sdist`, about a second), on a copy so the fixture folder stays clean.
 * `project` is the normalised project name the sdist file starts with.
 */
export async function buildFixtureSdist(
  fixture: string,
  project: string,
  findLinks: string,
  work: string
): Promise<string> {
  const src = path.join(work, `${project}-src`);
  await fs.cp(fixture, src, { recursive: true });
  await fs.mkdir(findLinks, { recursive: true });
  for (const p of await discoverPythons()) {
    const ok = await exec([
      p.executable,
      '-c',
      'import setuptools,sys;sys.exit(int(setuptools.__version__.split(".")[0]) < 61)'
    ]).then(
      () => true,
      () => false
    );
    if (!ok) continue;
    await exec(
      [p.executable, 'setup.py', '-q', 'sdist', '--dist-dir', findLinks],
      { cwd: src },
      `building the ${project} sdist`
    );
    const sdist = (await fs.readdir(findLinks)).find(
      (f) => f.startsWith(`${project}-`) || f.startsWith(`${project.replace(/_/g, '-')}-`)
    );
    if (sdist) return path.join(findLinks, sdist);
  }
  throw new Error(`no Python with setuptools >= 61 found to build the ${project} sdist`);
}

/** Number of builds recorded in a counter file (0 when absent). */
export async function buildCount(counter: string): Promise<number> {
  const text = await fs.readFile(counter, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim()).length;
}
